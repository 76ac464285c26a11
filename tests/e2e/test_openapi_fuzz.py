"""schemathesis against a real local gateway serving its own /openapi.json (issue 11): every
operation, every body and parameter, with tokens that reach the admin routes; no 5xx, no
answer outside the document (status, content type, headers, schema), no invalid input
accepted, and a 405 with Allow for every method a path lacks.

The CLI runs in a subprocess (its own process, state and hypothesis database under tmp_path),
and its HAR report shows what it sent: the test fails unless every operation was called
often enough and answered 2xx at least once, so a document the fuzzer cannot use (or a token
that stopped working) cannot pass quietly. A route added to the document is fuzzed with the
admin token unless TOKEN_FOR_OPERATION says otherwise."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from codearena import (
    clarifications,
    contests,
    invocations,
    judgements,
    keys,
    submissions,
    users,
    verifications,
)
from codearena.auth import Principal
from codearena.core import Core
from codearena.judgements import CaseOutcome, Judgement
from codearena.models import Role, Verdict
from tests.e2e.common import A_PLUS_B, SUM

ST = Path(sys.executable).parent / "st"
SEED = 1  # fixed, so a run repeats; change it locally to explore further
# Per operation and phase. The coverage phase alone tries every parameter's classes of valid
# and invalid values whatever this is; 5 random examples on top of it cost 34 CPU-seconds here,
# 20 cost 50.
MAX_EXAMPLES = 5
MIN_REQUESTS = 15  # per operation with inputs, over all phases (one without has one request)
# Operations fuzzed with another token than the admin's (operationId → seeded user).
TOKEN_FOR_OPERATION = {
    "post_contests_cid_submissions": "contestant",
    "post_contests_cid_clarifications": "contestant",
    "post_contests_cid_problems_pid_invocations": "contestant",
    "post_contests_cid_registration": "contestant",
    "get_contests_cid_registration": "contestant",
    # These end the token they are called with: users of their own.
    "post_auth_logout": "leaver",
    "put_auth_password": "pat",
}
CHECKS = "all"
# Left to their own tests: the CLICS event feed streams until the reader leaves
# (tests/e2e/test_clics_feed.py, tests/integration/test_clics_import.py), and schemathesis has no
# serializer for a zip body (tests/integration/test_packages.py sends good and broken packages).
# Operations whose success would destroy the seed: they must answer this refusal instead (the
# seeded contest and its problem have submissions: 409 has_submissions); their success is
# tested in tests/integration/test_contest_editing.py. Uploads of large packages go through S3,
# which the local gateway has not: 409 uploads_unavailable (their success is tested against
# moto's S3 in tests/integration/test_problem_uploads.py).
REFUSED_BY_DESIGN = {
    "DELETE /admin/contests/{cid}": {409},
    "DELETE /admin/contests/{cid}/problems/{pid}": {409},
    "POST /admin/problems/uploads": {409},
    "POST /admin/problems/uploads/import": {409},
}
NOT_FUZZED = {
    "get_api_contests_cid_event-feed": "GET /api/contests/{cid}/event-feed",
    "post_admin_problems_import": "POST /admin/problems/import",
}
# Valid input may still be refused for what a schema cannot say (end_at after start_at, a
# contest not running): positive_data_acceptance would call those failures.
EXCLUDED_CHECKS = "positive_data_acceptance"
# Invalid input must be refused with one of these (413: a source over 64 KiB).
REFUSALS = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]


def token_of(core: Core, username: str, role: Role) -> str:
    user = users.create_user(core, username, f"{username}-password", role)
    token, _ = core.tokens.issue(user["id"], username, role)
    return token


def seed(core: Core) -> dict[str, str]:
    """Users and a contest the document's examples reach; the tokens the fuzzer holds."""
    tokens = seed_users(core)
    seed_contest(core, core.tokens.verify(tokens["contestant"]))
    return tokens


def seed_users(core: Core) -> dict[str, str]:
    """User 1 is a bystander whose role the examples change. The users whose tokens the
    fuzzer holds get ids it does not guess (the stateful phase may still learn the admin's
    from /auth/me and demote it: the examples, which run first, give each operation its 2xx)."""
    users.create_user(core, "bystander", "bystander-password")
    with core.db.transaction() as cur:
        cur.execute("SELECT setval('users_id_seq', %s)", (10**15,))
    return {
        "admin": token_of(core, "organizer", Role.ADMIN),
        "contestant": token_of(core, "alice", Role.CONTESTANT),
        "leaver": token_of(core, "leaver", Role.CONTESTANT),
        "pat": token_of(core, "pat", Role.CONTESTANT),  # the password change's example
    }


INVOCATION_EXAMPLE = "0123456789abcdef"  # the document's example invocation id


def seed_contest(core: Core, contestant: Principal) -> None:
    """Contest 1, running and frozen, with problem 1 as A (its verification done); problem 2 in
    no contest; submission 1;
    clarification 1 (a question) and its answer to everyone; the contestant's invocation
    with the example's id."""
    now = core.clock()
    times = {"start_at": now - timedelta(hours=1), "freeze_at": now - timedelta(minutes=10)}
    times["end_at"] = now + timedelta(hours=1)
    contest = contests.create_contest(
        core, {"title": "Fuzz Cup", **{k: t.isoformat() for k, t in times.items()}}
    )
    problem = contests.create_problem(core, A_PLUS_B)
    contests.attach_problem(core, contest["id"], {"problem_id": problem["id"], "label": "A"})
    contests.create_problem(core, {**A_PLUS_B, "title": "A+B again"})
    verifications.queue(core, problem["id"], (), derives_time_limit=False)  # as if imported, verified
    verifications.save(core, {**(verifications.load(core, problem["id"]) or {}), "status": "done"})
    source = {"problem_id": problem["id"], "language": "python", "source": SUM}
    submitted = submissions.submit(core, contestant, contest["id"], source)
    with core.db.transaction() as cur:
        cur.execute("SELECT min(id) AS id FROM test_cases WHERE problem_id = %s", (problem["id"],))
        first_test = cur.fetchone()["id"]
    run = CaseOutcome(first_test, 1, Verdict.AC, 10, 1000)  # run 1-1 of judgement 1
    judgements.record(core, Judgement(submitted["id"], Verdict.AC, 1.0, [run]))
    run_body = {"language": "python", "source": SUM, "input": "1 2\n"}
    stored = invocations.load(core, invocations.create(core, contestant, contest["id"], "A", run_body)["id"])
    example = json.dumps({**(stored or {}), "id": INVOCATION_EXAMPLE})
    core.redis.set(keys.invocation(INVOCATION_EXAMPLE), example, ex=invocations.TTL_SECONDS)
    core.redis.delete(keys.invocation_rate(contestant.user_id), keys.invocations_pending(contestant.user_id))
    asked = clarifications.ask(core, contestant, contest["id"], {"text": "Is n ever 0?"})
    clarifications.answer(core, contest["id"], {"text": "No.", "reply_to_id": asked["id"], "to": "everyone"})
    with core.db.transaction() as cur:  # user 1 a team of organization 1 (the CLICS examples)
        cur.execute("INSERT INTO organizations (name) VALUES ('Fuzz University') RETURNING id")
        cur.execute(
            "INSERT INTO contest_participants (contest_id, user_id, status, organization_id)"
            " VALUES (%s, 1, 'approved', %s)",
            (contest["id"], cur.fetchone()["id"]),
        )


def config_file(directory: Path, tokens: dict[str, str]) -> Path:
    sections = [f"[checks.negative_data_rejection]\nexpected-statuses = {REFUSALS}\n"]
    for operation_id, who in TOKEN_FOR_OPERATION.items():
        sections.append(
            f'[[operations]]\ninclude-operation-id = "{operation_id}"\n'
            f'headers = {{ Authorization = "Bearer {tokens[who]}" }}\n'
        )
    path = directory / "schemathesis.toml"
    path.write_text("\n".join(sections))
    return path


def run_schemathesis(
    gateway: str, tokens: dict[str, str], directory: Path
) -> tuple[subprocess.CompletedProcess[str], Path]:
    har = directory / "requests.har"
    options = {
        "--header": f"Authorization: Bearer {tokens['admin']}",
        "--checks": CHECKS,
        "--exclude-checks": EXCLUDED_CHECKS,
        "--max-examples": str(MAX_EXAMPLES),
        "--seed": str(SEED),
        "--workers": "1",
        # Hypothesis's check of how fast it generates data: it measures this machine's load
        # (other pytest-xdist workers, another session), not the API.
        "--suppress-health-check": "too_slow",
        "--generation-database": "none",
        "--report": "har",
        "--report-har-path": str(har),
    }
    config = config_file(directory, tokens)
    command = [str(ST), "--config-file", str(config), "run", f"{gateway}/openapi.json", "--no-color"]
    command += [part for option in options.items() for part in option]
    command += [part for operation in NOT_FUZZED for part in ("--exclude-operation-id", operation)]
    result = subprocess.run(command, cwd=directory, capture_output=True, text=True, timeout=300)
    return result, har


def answers_by_operation(har: Path, document: dict[str, Any]) -> dict[str, Counter[int]]:
    """For each operation of the document ("GET /contests/{cid}"), the statuses it answered."""
    templates = [
        (method.upper(), path, re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"))
        for path, methods in document["paths"].items()
        for method in methods
    ]
    found: dict[str, Counter[int]] = {f"{method} {path}": Counter() for method, path, _ in templates}
    for entry in json.loads(har.read_text())["log"]["entries"]:
        method, path = entry["request"]["method"], urlsplit(entry["request"]["url"]).path
        for name, template, pattern in templates:
            if method == name and pattern.match(path):
                found[f"{name} {template}"][entry["response"]["status"]] += 1
    return found


def least(document: dict[str, Any], operation: str) -> int:
    """How many requests the fuzzer must have sent `operation`: an operation without any
    input (no parameter, no body) is the same request every time."""
    method, path = operation.split(" ", 1)
    spec = document["paths"][path][method.lower()]
    return MIN_REQUESTS if spec.get("parameters") or "requestBody" in spec else 1


def test_schemathesis_finds_nothing_wrong(gateway: str, core: Core, tmp_path: Path) -> None:
    tokens = seed(core)
    document = httpx.get(f"{gateway}/openapi.json", timeout=10).json()
    result, har = run_schemathesis(gateway, tokens, tmp_path)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-30_000:]
    # schemathesis leaves out the operation serving the document it was loaded from.
    answers = {
        op: statuses
        for op, statuses in answers_by_operation(har, document).items()
        if op != "GET /openapi.json" and op not in NOT_FUZZED.values()
    }
    too_few = {
        op: n for op, statuses in answers.items() if (n := sum(statuses.values())) < least(document, op)
    }
    assert not too_few, f"operations the fuzzer hardly called: {too_few}\n{report[-5000:]}"
    never_ok = {
        op: dict(statuses)
        for op, statuses in answers.items()
        if not any(200 <= s < 300 for s in statuses) and not set(statuses) & REFUSED_BY_DESIGN.get(op, set())
    }
    assert not never_ok, f"operations that never answered 2xx: {never_ok}\n{report[-5000:]}"
    assert not [s for statuses in answers.values() for s in statuses if s >= 500], report[-30_000:]
