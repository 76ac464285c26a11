"""Contests and their problems: what anyone reads, taking part, and what organizers change."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib import openapi_schemas as s
from chalicelib.routing import ADMIN, CONTESTANT, STAFF, Area, Call
from codearena import clock, contests, organizations, participants, problems, verifications
from codearena import validation as v
from codearena.packages import uploads
from codearena.packages.upload import import_zip

AREA = Area(__name__)
JURY_EARLY = "the jury also before the start"


@AREA.route("GET", "/contests", also="the jury also hidden contests", token="optional", answer=s.CONTEST_LIST)
def list_contests(call: Call) -> dict[str, Any]:
    """Contests with state and times"""
    return contests.list_contests(call.core, call.is_jury())


@AREA.route(
    "GET",
    "/contests/{cid}",
    also="the jury also hidden contests",
    token="optional",
    answer=s.CONTEST_WITH_LABELS,
)
def get_contest(call: Call, cid: str) -> dict[str, Any]:
    """One contest and its problem labels (once started)"""
    return contests.get_contest(call.core, v.path_id(cid, "contest"), call.is_jury())


@AREA.route("GET", "/contests/{cid}/problems", also=JURY_EARLY, token="optional", answer=s.PROBLEM_LIST)
def list_problems(call: Call, cid: str) -> dict[str, Any]:
    """Problems of a started contest"""
    return contests.list_problems(call.core, v.path_id(cid, "contest"), call.is_jury())


@AREA.route(
    "GET",
    "/contests/{cid}/problems/{pid}",
    also=JURY_EARLY,
    token="optional",
    answer=s.PROBLEM,
    path_params={"pid": "problem_key"},
)
def get_problem(call: Call, cid: str, pid: str) -> dict[str, Any]:
    """Statement, limits and samples (by id or label)"""
    return contests.get_problem(call.core, v.path_id(cid, "contest"), pid, call.is_jury())


@AREA.route("POST", "/contests/{cid}/registration", roles=CONTESTANT, answer=s.REGISTRATION)
def register_for_contest(call: Call, cid: str) -> dict[str, Any]:
    """Take part: open contests approve at once, approval contests wait for an organizer,
    invite-only contests need an invitation"""
    return participants.register(call.core, call.principal(), v.path_id(cid, "contest"))


@AREA.route("GET", "/contests/{cid}/registration", answer=s.REGISTRATION)
def my_registration(call: Call, cid: str) -> dict[str, Any]:
    """Your registration status in a contest"""
    return participants.mine(call.core, call.principal(), v.path_id(cid, "contest"))


@AREA.route("POST", "/admin/contests", roles=ADMIN, status=201, body=s.NEW_CONTEST, answer=s.ref("Contest"))
def create_contest(call: Call) -> dict[str, Any]:
    """Create a contest"""
    return contests.create_contest(call.core, call.body)


@AREA.route("PATCH", "/admin/contests/{cid}", roles=ADMIN, body=s.CONTEST_CHANGE, answer=s.ref("Contest"))
def update_contest(call: Call, cid: str) -> dict[str, Any]:
    """Change any contest field (the boards follow)"""
    return contests.change_contest(call.core, v.path_id(cid, "contest"), call.body)


@AREA.route("POST", "/admin/contests/{cid}/clock", roles=ADMIN, body=s.CLOCK, answer=s.ref("Contest"))
def move_clock(call: Call, cid: str) -> dict[str, Any]:
    """Start a scheduled contest now, end a running one now, or extend it by `minutes`
    (409 when its state does not allow it; the boards follow)"""
    return clock.move(call.core, v.path_id(cid, "contest"), call.body)


@AREA.route(
    "POST", "/admin/problems", roles=ADMIN, status=201, body=s.NEW_PROBLEM, answer=s.NEW_PROBLEM_ANSWER
)
def create_problem(call: Call) -> dict[str, Any]:
    """Create a problem with its tests"""
    return contests.create_problem(call.core, call.body)


@AREA.route(
    "POST",
    "/admin/problems/import",
    roles=ADMIN,
    status=201,
    answer=s.IMPORTED_PROBLEM,
    # JSON too, so that a JSON body is refused by the route (403, 400 invalid_zip), not by Chalice (415)
    content_types=("application/zip", "application/json"),
)
def import_problem(call: Call) -> dict[str, Any]:
    """Create a problem from a Kattis/ICPC problem package sent as a zip body (at most 10 MB
    through API Gateway); its bundled submissions are queued for a judge host to verify"""
    return import_zip(call.core, call.request.raw_body)


@AREA.route("GET", "/admin/problems/{pid}/verification", roles=ADMIN, answer=s.VERIFICATION)
def verification(call: Call, pid: str) -> dict[str, Any]:
    """The imported package's own submissions judged: per file the verdicts expected and the one
    got, as they finish (queued, running, done), with counts and the mismatches; kept a week"""
    return verifications.report(call.core, v.path_id(pid, "problem"))


@AREA.route("POST", "/admin/problems/{pid}/verify", roles=ADMIN, status=202, answer=s.VERIFICATION_QUEUED)
def verify_again(call: Call, pid: str) -> dict[str, Any]:
    """Queue a stored problem's bundled submissions to be judged again with its tests and limits
    now (409 while a verification of it is queued or running)"""
    return verifications.requeue(call.core, v.path_id(pid, "problem"))


@AREA.route("POST", "/admin/problems/uploads", roles=ADMIN, status=201, answer=s.PROBLEM_UPLOAD)
def upload_problem(call: Call) -> dict[str, Any]:
    """A presigned S3 URL to PUT a problem package zip to, for packages over API Gateway's
    10 MB body cap (409 uploads_unavailable without an upload bucket, e.g. locally)"""
    return uploads.presign(call.core, s3_client())


@AREA.route(
    "POST",
    "/admin/problems/uploads/import",
    roles=ADMIN,
    status=201,
    body=s.UPLOADED_PROBLEM,
    answer=s.IMPORTED_UPLOAD,
)
def import_uploaded_problem(call: Call) -> dict[str, Any]:
    """Create a problem from the package zip PUT to an upload's URL, as POST
    /admin/problems/import does from a zip body; the upload is deleted"""
    return uploads.import_upload(call.core, s3_client(), call.body)


@cache
def s3_client() -> Any:
    """One S3 client per process, signing with SigV4 in the function's region (AWS_ENDPOINT_URL,
    when set, points it at an emulator)."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", config=Config(signature_version="s3v4"))


@AREA.route(
    "POST", "/admin/contests/{cid}/problems", roles=ADMIN, status=201, body=s.ATTACHMENT, answer=s.ATTACHED
)
def attach_problem(call: Call, cid: str) -> dict[str, Any]:
    """Attach a problem under a label"""
    return contests.attach_problem(call.core, v.path_id(cid, "contest"), call.body)


@AREA.route("GET", "/admin/contests/{cid}/participants", roles=STAFF, answer=s.PARTICIPANTS)
def list_participants(call: Call, cid: str) -> dict[str, Any]:
    """Who registered, was invited or asked to take part"""
    return participants.listing(call.core, v.path_id(cid, "contest"))


@AREA.route(
    "PUT",
    "/admin/contests/{cid}/participants/{uid}",
    roles=ADMIN,
    body=s.PARTICIPANT_STATUS,
    answer=s.PARTICIPANT,
)
def set_participant(call: Call, cid: str, uid: str) -> dict[str, Any]:
    """Invite, approve or reject a user, and set their team: display name, organization,
    members, category (participant, observer: jury board only, hidden: no board)"""
    contest_id, user_id = v.path_id(cid, "contest"), v.path_id(uid, "user")
    return participants.set_status(call.core, contest_id, user_id, call.body)


@AREA.route(
    "POST", "/admin/organizations", roles=ADMIN, status=201, body=s.NEW_ORGANIZATION, answer=s.ORGANIZATION
)
def create_organization(call: Call) -> dict[str, Any]:
    """Create an organization (a team's affiliation)"""
    return organizations.create(call.core, call.body)


@AREA.route("GET", "/admin/organizations", roles=STAFF, answer=s.ORGANIZATION_LIST)
def list_organizations(call: Call) -> dict[str, Any]:
    """Every organization"""
    return organizations.listing(call.core)


@AREA.route("DELETE", "/admin/contests/{cid}", roles=ADMIN, answer=s.DELETED)
def delete_contest(call: Call, cid: str) -> dict[str, Any]:
    """Delete a contest nobody submitted to and nobody is on the board of (409 otherwise)"""
    return contests.delete_contest(call.core, v.path_id(cid, "contest"))


@AREA.route("GET", "/admin/problems", roles=STAFF, answer=s.ADMIN_PROBLEM_LIST)
def list_all_problems(call: Call) -> dict[str, Any]:
    """Every problem with its limits, tests, contests and submission count"""
    return problems.listing(call.core)


@AREA.route("PATCH", "/admin/problems/{pid}", roles=ADMIN, body=s.PROBLEM_CHANGE, answer=s.PROBLEM_CHANGED)
def update_problem(call: Call, pid: str) -> dict[str, Any]:
    """Change a problem's statement, limits, checker or tests (replaced as a whole); says how
    many submissions a rejudge would touch, and rejudges them with `rejudge: true`"""
    return problems.update(call.core, v.path_id(pid, "problem"), call.body)


@AREA.route("DELETE", "/admin/problems/{pid}", roles=ADMIN, answer=s.DELETED)
def delete_problem(call: Call, pid: str) -> dict[str, Any]:
    """Delete a problem without submissions (409 otherwise), detaching it everywhere"""
    return problems.delete(call.core, v.path_id(pid, "problem"))


@AREA.route("DELETE", "/admin/contests/{cid}/problems/{pid}", roles=ADMIN, answer=s.DETACHED)
def detach_problem(call: Call, cid: str, pid: str) -> dict[str, Any]:
    """Take a problem out of a contest with no submissions to it (409 otherwise)"""
    return problems.detach(call.core, v.path_id(cid, "contest"), v.path_id(pid, "problem"))
