"""A CLICS contest package read into CodeArena: a finished contest replayed as it happened.

`import_contest` reads a package directory (contest.json, problems.json, teams.json,
judgement-types.json, submissions.json, judgements.json and, when present, state.json,
organizations.json, groups.json, clarifications.json, awards.json) and stores, in one
transaction, the contest with its ids from the package, its problems, organizations, team
groups and teams (each a user that cannot log in, registered as the contest's participant, in
its groups), every submission and judgement at its recorded time, and the clarifications at
theirs. awards.json gives the award rules (medal counts, organization and group winners). The
boards are replayed in time order through the same standings code as a live contest, each
event dated by the package's clock: the live boards, `?at=` and the CLICS scoreboard answer
for the imported contest at its own contest times, frozen from the freeze until the thaw.

Teams outside the package's main scoreboard group (jury and organisation accounts) are hidden
participants: their submissions are kept, no board shows them. A judgement type that is not
one of ours counts as what its flags say (solved: AC; penalty: WA; neither: CE, or JE where
the package charges CE) and keeps its own id for the Contest API. The contest's penalty
verdicts are the ones of ours the package's judgement types flag `penalty`. Bad input is
refused (BadRequest) before anything is stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from codearena import contests, standings
from codearena.clics.times import parse_abstime, parse_reltime
from codearena.core import Core
from codearena.db import Cursor, one_row
from codearena.errors import BadRequest
from codearena.models import CHARGEABLE_VERDICTS, PENALTY_VERDICTS, SubmissionStatus, Verdict

Progress = Callable[[int, int], None]  # steps done, steps in all

_ID = re.compile(r"^[A-Za-z0-9_.-]{1,36}$")
_LABEL = re.compile(r"^[A-Z][0-9]?$")
UNUSABLE_PASSWORD = "!"  # no password hash verifies against it: imported teams cannot log in
_DEFAULT_MEMORY_KB = 262144


@dataclass(frozen=True)
class _Step:
    """One moment of the replay: a team's first appearance, a submission or a judgement."""

    at: datetime
    order: int  # appearances first, then submissions, then judgements, at one moment
    kind: str
    data: dict[str, Any]


def import_contest(core: Core, directory: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Import the package in `directory`; returns {contest_id, teams, submissions, judgements}."""
    package = _read(directory)
    contest = package["contest"]
    start = parse_abstime(contest.get("start_time"), "contest.json start_time")
    duration = _positive(parse_reltime(contest.get("duration"), "contest.json duration"), "duration")
    end = start + duration
    freeze = contest.get("scoreboard_freeze_duration")
    freeze_at = end - parse_reltime(freeze, "scoreboard_freeze_duration") if freeze else None
    if freeze_at is not None and not start <= freeze_at <= end:
        raise BadRequest("contest.json: the freeze is longer than the contest", "invalid_package")
    if contest.get("scoreboard_type", "pass-fail") != "pass-fail":
        raise BadRequest("only pass-fail contests can be imported (scoreboard_type)", "unsupported_package")
    penalty = parse_reltime(contest.get("penalty_time", "0:20:00"), "penalty_time") // timedelta(minutes=1)
    state = package.get("state") or {}
    thawed = parse_abstime(state["thawed"], "state.json thawed") if state.get("thawed") else None
    charged = _penalty_verdicts(package["judgement-types"])
    types = _judgement_types(package["judgement-types"], free=Verdict.JE if "CE" in charged else Verdict.CE)
    given = _awards_given(package["awards"])

    with core.db.transaction() as cur:
        cur.execute(
            "INSERT INTO contests (title, start_at, end_at, freeze_at, scoring, penalty_minutes,"
            " registration, external_id, penalty_verdicts, gold_medals, silver_medals, bronze_medals,"
            " organization_winners, group_winners)"
            " VALUES (%(title)s, %(start)s, %(end)s, %(freeze)s, 'icpc', %(penalty)s, 'invite', %(id)s,"
            " %(charged)s, %(gold)s, %(silver)s, %(bronze)s, %(organization)s, %(group)s) RETURNING id",
            {
                "title": _text(contest, "name", 200),
                "start": start,
                "end": end,
                "freeze": freeze_at,
                "penalty": penalty,
                "id": _id(contest, "contest.json"),
                "charged": charged,
                **given,
            },
        )
        contest_id = int(one_row(cur)["id"])
        problems = _problems(cur, contest_id, package["problems"])
        organizations = _organizations(cur, package["organizations"])
        groups = _groups(cur, contest_id, package["groups"], package["teams"])
        teams, hidden = _teams(cur, contest_id, start, contest, package["teams"], organizations, groups)
        clarified = _clarifications(cur, contest_id, package["clarifications"], teams, problems)
        steps = _timeline(package, start, problems, teams, types)
        replay = _Replay(cur, contest_id, hidden)
        for done, step in enumerate(steps, 1):
            replay.apply(step)
            if progress is not None:
                progress(done, len(steps))
        _attach_before_everything(cur, contest_id, start)
        if thawed is not None:
            replay.thaw(thawed, teams.values())
        replay.close()
    standings.rebuild(core, contest_id)
    return {
        "contest_id": contest_id,
        "teams": len(teams),
        "submissions": replay.submissions,
        "judgements": replay.judgements,
        "clarifications": clarified,
    }


_FILES = {
    "contest": "contest.json",
    "state": "state.json",
    "problems": "problems.json",
    "teams": "teams.json",
    "organizations": "organizations.json",
    "judgement-types": "judgement-types.json",
    "submissions": "submissions.json",
    "judgements": "judgements.json",
    "groups": "groups.json",
    "clarifications": "clarifications.json",
    "awards": "awards.json",
}
_OPTIONAL = ("state", "organizations", "groups", "clarifications", "awards")


def _read(directory: Path) -> dict[str, Any]:
    if not directory.is_dir():
        raise BadRequest(f"{directory} is not a contest package directory", "invalid_package")
    package: dict[str, Any] = {}
    for name, file in _FILES.items():
        path = directory / file
        if not path.is_file():
            if name in _OPTIONAL:
                package[name] = None if name == "state" else []
                continue
            raise BadRequest(f"the package has no {file}", "invalid_package")
        try:
            package[name] = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise BadRequest(f"{file} is not JSON: {error}", "invalid_package") from None
        want = dict if name in ("contest", "state") else list
        if not isinstance(package[name], want):
            raise BadRequest(f"{file} must hold a JSON {want.__name__}", "invalid_package")
    return package


def _objects(items: list[Any], file: str) -> list[dict[str, Any]]:
    for item in items:
        if not isinstance(item, dict):
            raise BadRequest(f"{file}: every entry must be an object", "invalid_package")
    return items


def _id(item: dict[str, Any], file: str, field: str = "id") -> str:
    value = item.get(field)
    if not isinstance(value, str) or not _ID.match(value):
        raise BadRequest(f"{file}: {field} {value!r} is not a CLICS id", "invalid_package")
    return value


def _text(item: dict[str, Any], field: str, longest: int) -> str:
    value = item.get(field)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"{field} must be a non-empty string, not {value!r}", "invalid_package")
    return value.strip()[:longest]


def _positive(span: timedelta, what: str) -> timedelta:
    if span <= timedelta(0):
        raise BadRequest(f"{what} must be positive", "invalid_package")
    return span


def _judgement_types(items: list[Any], free: Verdict) -> dict[str, tuple[Verdict, str | None]]:
    """CLICS judgement type id → the verdict it counts as, and its own id when not ours; a
    type of neither flag counts as `free` (CE, or JE where the contest charges CE)."""
    types: dict[str, tuple[Verdict, str | None]] = {}
    for item in _objects(items, "judgement-types.json"):
        type_id = _id(item, "judgement-types.json")
        if type_id in Verdict.__members__:
            types[type_id] = (Verdict(type_id), None)
        elif item.get("solved"):
            types[type_id] = (Verdict.AC, type_id)
        else:
            types[type_id] = (Verdict.WA if item.get("penalty") else free, type_id)
    return types


def _penalty_verdicts(items: list[Any]) -> list[str]:
    """The contest's penalty verdicts: those of ours the package's types flag `penalty` (a
    package that charges CE, or spares TLE, says so there); our default for a verdict of
    ours it does not list."""
    flagged = {item.get("id"): bool(item.get("penalty")) for item in _objects(items, "judgement-types.json")}
    return [
        verdict.value
        for verdict in Verdict
        if verdict in CHARGEABLE_VERDICTS and flagged.get(verdict.value, verdict in PENALTY_VERDICTS)
    ]


def _problems(cur: Cursor, contest_id: int, items: list[Any]) -> dict[str, int]:
    """Problem id in the package → our problem id (each a new problem, without test data)."""
    found: dict[str, int] = {}
    for item in sorted(
        _objects(items, "problems.json"), key=lambda p: (p.get("ordinal", 0), p.get("label", ""))
    ):
        external = _id(item, "problems.json")
        label = item.get("label")
        if not isinstance(label, str) or not _LABEL.match(label):
            raise BadRequest(
                f"problems.json: label {label!r} is not a letter and a digit at most", "invalid_package"
            )
        limit = item.get("time_limit", 1)
        if not isinstance(limit, (int, float)) or limit <= 0:
            raise BadRequest(
                f"problems.json: {external}'s time_limit must be positive seconds", "invalid_package"
            )
        cur.execute(
            "INSERT INTO problems (title, time_limit_ms, memory_limit_kb) VALUES (%s, %s, %s) RETURNING id",
            (_text(item, "name", 200), min(60000, max(100, round(limit * 1000))), _DEFAULT_MEMORY_KB),
        )
        problem_id = int(one_row(cur)["id"])
        rgb = (
            item.get("rgb")
            if isinstance(item.get("rgb"), str) and re.match(r"^#[0-9A-Fa-f]{6}$", item["rgb"])
            else None
        )
        cur.execute(
            "INSERT INTO contest_problems (contest_id, problem_id, label, external_id, rgb) VALUES (%s, %s,"
            " %s, %s, %s)",
            (contest_id, problem_id, label, external, rgb),
        )
        found[external] = problem_id
    if not found:
        raise BadRequest("problems.json lists no problem", "invalid_package")
    return found


def _attach_before_everything(cur: Cursor, contest_id: int, start: datetime) -> None:
    """The problems as attached before anything of the package happened (its jury's event
    feed announces them first)."""
    cur.execute(
        "UPDATE contest_problems SET attached_at = least(%(start)s::timestamptz,"
        " (SELECT min(created_at) FROM submissions WHERE contest_id = %(contest)s),"
        " (SELECT min(created_at) FROM clarifications WHERE contest_id = %(contest)s))"
        " WHERE contest_id = %(contest)s",
        {"start": start, "contest": contest_id},
    )


def _organizations(cur: Cursor, items: list[Any]) -> dict[str, int]:
    """Organization id in the package → ours (an organization with that id is updated)."""
    found: dict[str, int] = {}
    for item in _objects(items, "organizations.json"):
        external = _id(item, "organizations.json")
        country = item.get("country") if isinstance(item.get("country"), str) else None
        cur.execute(
            "INSERT INTO organizations (external_id, name, formal_name, country) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (external_id) DO UPDATE SET name = EXCLUDED.name,"
            " formal_name = EXCLUDED.formal_name, country = EXCLUDED.country RETURNING id",
            (
                external,
                _text(item, "name", 200),
                item["formal_name"][:300]
                if isinstance(item.get("formal_name"), str) and item["formal_name"]
                else None,
                country if country and re.match(r"^[A-Z]{3}$", country) else None,
            ),
        )
        found[external] = int(one_row(cur)["id"])
    return found


def _teams(
    cur: Cursor,
    contest_id: int,
    start: datetime,
    contest: dict[str, Any],
    items: list[Any],
    organizations: dict[str, int],
    groups: set[str],
) -> tuple[dict[str, int], set[int]]:
    """Team id in the package → the user standing for it; and the users of hidden teams."""
    main_group = contest.get("main_scoreboard_group_id")
    teams: dict[str, int] = {}
    hidden: set[int] = set()
    for item in _objects(items, "teams.json"):
        external = _id(item, "teams.json")
        organization = item.get("organization_id")
        if organization is not None and organization not in organizations:
            raise BadRequest(
                f"teams.json: team {external}'s organization {organization!r} is unknown", "invalid_package"
            )
        group_ids = _group_ids(item, external, groups)
        is_hidden = bool(item.get("hidden")) or (main_group is not None and main_group not in group_ids)
        cur.execute(
            "INSERT INTO users (username, password_hash) VALUES (%s, %s) RETURNING id",
            (f"c{contest_id}-team-{len(teams) + 1}", UNUSABLE_PASSWORD),
        )
        user_id = int(one_row(cur)["id"])
        cur.execute(
            "INSERT INTO contest_participants (contest_id, user_id, status, display_name, organization_id,"
            " category, external_id, created_at, approved_at) VALUES (%s, %s, 'approved', %s, %s, %s, %s,"
            " %s, %s)",
            (
                contest_id,
                user_id,
                _text(item, "display_name" if item.get("display_name") else "name", 200),
                organizations.get(organization) if organization else None,
                "hidden" if is_hidden else "participant",
                external,
                start,  # a team of the package took part from the start
                start,
            ),
        )
        for group in group_ids:
            cur.execute(
                "INSERT INTO participant_groups (contest_id, user_id, group_id) VALUES (%s, %s, %s)",
                (contest_id, user_id, group),
            )
        teams[external] = user_id
        if is_hidden:
            hidden.add(user_id)
    return teams, hidden


def _groups(cur: Cursor, contest_id: int, items: list[Any], teams: list[Any]) -> set[str]:
    """The package's team groups, stored with the contest as groups.json has them (without a
    groups.json, each group a team names, named by its id)."""
    found: dict[str, dict[str, Any]] = {}
    for item in _objects(items, "groups.json"):
        found[_id(item, "groups.json")] = item
    if not items:
        for team in _objects(teams, "teams.json"):
            named = team.get("group_ids")
            for group in named if isinstance(named, list) else []:
                if isinstance(group, str) and _ID.match(group):
                    found.setdefault(group, {"id": group, "name": group})
    for external, item in found.items():
        cur.execute(
            "INSERT INTO contest_groups (contest_id, external_id, name, icpc_id, type)"
            " VALUES (%s, %s, %s, %s, %s)",
            (
                contest_id,
                external,
                _text(item, "name", 200),
                _optional_text(item, "icpc_id", 36),
                _optional_text(item, "type", 100),
            ),
        )
    return set(found)


def _group_ids(item: dict[str, Any], team: str, groups: set[str]) -> list[str]:
    group_ids = item.get("group_ids") or []
    if not isinstance(group_ids, list) or not all(group in groups for group in group_ids):
        raise BadRequest(f"teams.json: team {team}'s group_ids name an unknown group", "invalid_package")
    return list(dict.fromkeys(group_ids))


def _optional_text(item: dict[str, Any], field: str, longest: int) -> str | None:
    value = item.get(field)
    return value[:longest] if isinstance(value, str) and value else None


def _clarifications(
    cur: Cursor, contest_id: int, items: list[Any], teams: dict[str, int], problems: dict[str, int]
) -> int:
    """Store the package's clarifications at their times (the contest's own clock), in time
    order, each reply after what it answers. Returns how many."""
    ours: dict[str, int] = {}
    entries = _objects(items, "clarifications.json")
    at = [parse_abstime(item.get("time"), "clarifications.json time") for item in entries]
    for index in sorted(range(len(entries)), key=lambda n: (at[n], n)):
        item = entries[index]
        external = _id(item, "clarifications.json")
        if external in ours:
            raise BadRequest(f"clarifications.json: {external} is listed twice", "invalid_package")
        sender = _known(item, "from_team_id", teams, external)
        receiver = _known(item, "to_team_id", teams, external)
        if sender is not None and receiver is not None:
            raise BadRequest(f"clarifications.json: {external} is from a team to a team", "invalid_package")
        text = item.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 2000:
            raise BadRequest(
                f"clarifications.json: {external}'s text must be 1 to 2000 characters", "invalid_package"
            )
        cur.execute(
            "INSERT INTO clarifications (contest_id, from_user_id, to_user_id, reply_to_id, problem_id, text,"
            " created_at, external_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                contest_id,
                sender,
                receiver,
                _known(item, "reply_to_id", ours, external),
                _known(item, "problem_id", problems, external),
                text,
                at[index],
                external,
            ),
        )
        ours[external] = int(one_row(cur)["id"])
    return len(ours)


def _known(item: dict[str, Any], field: str, known: dict[str, int], clarification: str) -> int | None:
    """Our id for the package id in `field` (None when null); BadRequest when unknown (a
    reply must come after what it answers)."""
    value = item.get(field)
    if value is None:
        return None
    if value not in known:
        raise BadRequest(
            f"clarifications.json: {clarification}'s {field} {value!r} is unknown", "invalid_package"
        )
    return known[value]


def _awards_given(items: list[Any]) -> dict[str, Any]:
    """The contest's award rules, read from awards.json (the Contest API carries them nowhere
    else): a medal's count is how many teams it went to (a tie at a boundary gives the better
    medal to every tied team and the next medal as many places fewer, so these counts give
    the very same teams again on the same board); organization and group winners are given
    when any such award is listed."""
    given: dict[str, Any] = {"gold": 0, "silver": 0, "bronze": 0, "organization": False, "group": False}
    for item in _objects(items, "awards.json"):
        award = _id(item, "awards.json")
        team_ids = item.get("team_ids") or []
        if not isinstance(team_ids, list):
            raise BadRequest(f"awards.json: award {award}'s team_ids must be a list", "invalid_package")
        medal = award.removesuffix("-medal")
        if medal in ("gold", "silver", "bronze") and award != medal:
            given[medal] = min(1000, len(team_ids))
        for kind in ("organization", "group"):
            if award.startswith(f"{kind}-winner-"):
                given[kind] = True
    return given


def _timeline(
    package: dict[str, Any],
    start: datetime,
    problems: dict[str, int],
    teams: dict[str, int],
    types: dict[str, tuple[Verdict, str | None]],
) -> list[_Step]:
    steps = [_Step(start, 0, "appear", {"user_id": user_id}) for user_id in teams.values()]
    submitted: set[str] = set()
    for item in _objects(package["submissions"], "submissions.json"):
        external = _id(item, "submissions.json")
        for field, known in (("problem_id", problems), ("team_id", teams)):
            if item.get(field) not in known:
                raise BadRequest(
                    f"submissions.json: submission {external}'s {field} is unknown", "invalid_package"
                )
        language = item.get("language_id")
        if not isinstance(language, str) or not re.match(r"^[a-z0-9_.+-]{1,36}$", language):
            raise BadRequest(
                f"submissions.json: submission {external}'s language_id is invalid", "invalid_package"
            )
        at = parse_abstime(item.get("time"), f"submission {external}'s time")
        data = {
            "external_id": external,
            "problem_id": problems[item["problem_id"]],
            "user_id": teams[item["team_id"]],
            "language": language,
        }
        steps.append(_Step(at, 1, "submit", data))
        submitted.add(external)
    for item in _objects(package["judgements"], "judgements.json"):
        external = _id(item, "judgements.json")
        if item.get("submission_id") not in submitted:
            raise BadRequest(
                f"judgements.json: judgement {external}'s submission is unknown", "invalid_package"
            )
        type_id = item.get("judgement_type_id")
        if type_id is None:
            continue  # a judging that never finished: it judged nothing
        if type_id not in types:
            raise BadRequest(
                f"judgements.json: judgement type {type_id!r} is not in judgement-types.json",
                "invalid_package",
            )
        started = parse_abstime(item.get("start_time"), f"judgement {external}'s start_time")
        ended = (
            parse_abstime(item["end_time"], f"judgement {external}'s end_time")
            if item.get("end_time")
            else started
        )
        verdict, own_type = types[type_id]
        run_time = item.get("max_run_time")
        data = {
            "external_id": external,
            "submission": item["submission_id"],
            "verdict": verdict,
            "type": own_type,
            "started_at": started,
            "max_time_ms": round(run_time * 1000)
            if isinstance(run_time, (int, float)) and run_time >= 0
            else 0,
        }
        steps.append(_Step(ended, 2, "judge", data))
    steps.sort(key=lambda step: (step.at, step.order))
    return steps


class _Replay:
    """Applies the steps in time order, each followed by its team's new standing."""

    def __init__(self, cur: Cursor, contest_id: int, hidden: set[int]) -> None:
        self.cur = cur
        self.contest_id = contest_id
        self.hidden = hidden
        self.standings = standings.Batch(cur, contests.load(cur, contest_id))
        self.usernames: dict[int, str] = {}  # the teams whose standing lock is held
        self.by_external: dict[str, tuple[int, int]] = {}  # submission id there → (ours, user)
        self.submissions = 0
        self.judgements = 0

    def apply(self, step: _Step) -> None:
        if step.kind == "appear":
            user_id = step.data["user_id"]
        elif step.kind == "submit":
            user_id = step.data["user_id"]
            self.cur.execute(
                "INSERT INTO submissions (contest_id, problem_id, user_id, language, source, created_at,"
                " status,"
                " imported, external_id) VALUES (%s, %s, %s, %s, '', %s, %s, true, %s) RETURNING id",
                (
                    self.contest_id,
                    step.data["problem_id"],
                    user_id,
                    step.data["language"],
                    step.at,
                    SubmissionStatus.JUDGED,
                    step.data["external_id"],
                ),
            )
            self.by_external[step.data["external_id"]] = (int(one_row(self.cur)["id"]), user_id)
            self.submissions += 1
        else:
            submission_id, user_id = self.by_external[step.data["submission"]]
            self._judge(submission_id, step)
            self.judgements += 1
        self.refresh(user_id, step.at)

    def _judge(self, submission_id: int, step: _Step) -> None:
        self.cur.execute(
            "UPDATE submission_results SET is_current = false WHERE submission_id = %s AND is_current",
            (submission_id,),
        )
        self.cur.execute(
            "INSERT INTO submission_results (submission_id, judgement, verdict, max_time_ms, created_at,"
            " started_at,"
            " judgement_type, external_id, judge_host)"
            " SELECT %s, coalesce(max(judgement), 0) + 1, %s, %s, %s, %s, %s, %s, 'imported'"
            " FROM submission_results WHERE submission_id = %s",
            (
                submission_id,
                step.data["verdict"],
                step.data["max_time_ms"],
                step.at,
                step.data["started_at"],
                step.data["type"],
                step.data["external_id"],
                submission_id,
            ),
        )

    def refresh(self, user_id: int, at: datetime) -> None:
        if user_id in self.hidden:
            return
        if user_id not in self.usernames:
            standings.lock_standing(self.cur, self.contest_id, user_id)
            self.cur.execute("SELECT username FROM users WHERE id = %s", (user_id,))
            self.usernames[user_id] = one_row(self.cur)["username"]
        contestant = standings.Contestant(self.contest_id, user_id, self.usernames[user_id])
        self.standings.refresh(contestant, at)

    def thaw(self, at: datetime, user_ids: Iterable[int]) -> None:
        """The contest unfrozen `at`: each team's standing again, under the thawed rules."""
        self.cur.execute("UPDATE contests SET unfrozen_at = %s WHERE id = %s", (at, self.contest_id))
        self.close()
        self.standings = standings.Batch(self.cur, contests.load(self.cur, self.contest_id))
        for user_id in user_ids:
            self.refresh(user_id, at)

    def close(self) -> None:
        """Write what the standings refreshed so far leave (before the commit)."""
        self.standings.close()
