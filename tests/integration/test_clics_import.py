"""A real regional imported from its CLICS contest package (../shared/data/clics/nwerc2017,
NWERC 2017: 133 teams, 1757 submissions, 1770 judgements) gives its official final
scoreboard row for row, its frozen board at the freeze, and its awards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from codearena import boards, clarifications, contests, judgements, standings, users
from codearena.auth import CHEAP_COST, Principal
from codearena.clics import objects
from codearena.clics.export import FILES as EXPORTED
from codearena.clics.export import export_contest
from codearena.clics.package import import_contest
from codearena.clics.times import parse_abstime, parse_reltime, reltime
from codearena.config import Settings
from codearena.core import Core
from codearena.errors import BadRequest
from codearena.judgements import CaseOutcome, Judgement
from codearena.models import Role, Verdict
from tests import clics_schemas
from tests.conftest import JWT_SECRET

SHARED = Path(__file__).resolve().parents[3] / "shared"
NWERC = SHARED / "data" / "clics" / "nwerc2017"


def package_file(name: str) -> Any:
    if not NWERC.is_dir():
        pytest.fail(f"{NWERC} is absent: these tests read ../shared/data beside the checkout")
    return json.loads((NWERC / name).read_text())


def core_on(database_url: str, redis_url: str) -> Core:
    settings = Settings(
        database_url=database_url, redis_url=redis_url, jwt_secret=JWT_SECRET, password_cost=CHEAP_COST
    )
    return Core.from_settings(settings)


@pytest.fixture(scope="module")
def imported(shared_databases: Any, services: Any) -> Iterator[tuple[Core, int]]:
    """NWERC imported once per test run (a few seconds of replay), each module's copy cloned."""

    def build(database_url: str) -> dict[str, Any]:
        core = core_on(database_url, services.redis_url)
        seen: list[tuple[int, int]] = []
        try:
            answer = import_contest(core, NWERC, progress=lambda done, total: seen.append((done, total)))
        finally:
            core.close()
        return {"answer": answer, "seen": [len(seen), *seen[-1]]}

    with shared_databases.clone("nwerc", build) as (database_url, built):
        answer, (calls, done, total) = built["answer"], built["seen"]
        assert answer["teams"] == 133 and answer["submissions"] == 1757
        assert done == total and calls == total
        core = core_on(database_url, services.redis_url)
        standings.rebuild(core, answer["contest_id"])  # the live boards, as the import left them
        yield core, answer["contest_id"]
        core.close()


def test_the_final_scoreboard_is_the_official_one(imported: tuple[Core, int]) -> None:
    core, contest_id = imported
    official = package_file("scoreboard.json")
    view = objects.view_of(core, contest_id, jury=False, now=parse_abstime(official["time"], "time"))
    ours = objects.scoreboard(core, view)
    assert len(ours["rows"]) == len(official["rows"]) == 120
    by_team = {row["team_id"]: row for row in ours["rows"]}
    for row in official["rows"]:
        assert by_team[row["team_id"]] == row, row["team_id"]
    assert [row["team_id"] for row in ours["rows"]][:10] == [row["team_id"] for row in official["rows"]][:10]
    assert ours["state"] == {**package_file("state.json")}


def test_the_frozen_board_shows_what_stood_at_the_freeze(imported: tuple[Core, int]) -> None:
    """At the end, before the thaw, the public board is the one a reference count of the
    package's own submissions and judgements gives: verdicts from the freeze on pending."""
    core, contest_id = imported
    contest = package_file("contest.json")
    start = parse_abstime(contest["start_time"], "start")
    end = start + parse_reltime(contest["duration"], "duration")
    freeze = end - parse_reltime(contest["scoreboard_freeze_duration"], "freeze")
    expected = reference_board(start, end, freeze)
    public = objects.scoreboard(core, objects.view_of(core, contest_id, jury=False, now=end))
    assert {row["team_id"]: (row["score"], row["problems"]) for row in public["rows"]} == expected
    jury = objects.scoreboard(core, objects.view_of(core, contest_id, jury=True, now=end))
    assert jury["rows"] != public["rows"]  # the jury saw the last hour's verdicts
    # the same board through time travel (?at=), as the web app asks for it
    page = boards.page_at(core, contest_id, "public", end, 0, 500)
    assert {row["rank"] for row in page["rows"]} == {row["rank"] for row in public["rows"]}


def reference_board(start: datetime, end: datetime, freeze: datetime) -> dict[str, Any]:
    """Each main-group team's (score, problems) with verdicts from `freeze` on hidden."""
    teams = [t["id"] for t in package_file("teams.json") if "12890" in t["group_ids"]]
    problems = [p["id"] for p in sorted(package_file("problems.json"), key=lambda p: p["ordinal"])]
    penalty = {t["id"]: t["penalty"] for t in package_file("judgement-types.json")}
    current = {}
    for judgement in package_file("judgements.json"):
        if judgement["current"]:
            current[judgement["submission_id"]] = judgement["judgement_type_id"]
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for sub in sorted(package_file("submissions.json"), key=lambda s: (s["time"], int(s["id"]))):
        at = parse_abstime(sub["time"], "time")
        if sub["team_id"] not in teams or not start <= at < end:
            continue
        cell = cells.setdefault(
            (sub["team_id"], sub["problem_id"]), {"judged": 0, "pending": 0, "solved": None}
        )
        if cell["solved"] is not None:
            continue
        verdict = current.get(sub["id"]) if at < freeze else None
        if verdict is None:
            cell["pending"] += 1
        elif verdict == "AC":
            cell["judged"] += 1
            cell["solved"] = int((at - start) / timedelta(minutes=1))
        elif penalty[verdict]:
            cell["judged"] += 1
    board = {}
    for team in teams:
        row, solved, total, last = [], 0, 0, 0
        for problem in problems:
            cell = cells.get((team, problem), {"judged": 0, "pending": 0, "solved": None})
            entry: dict[str, Any] = {
                "problem_id": problem,
                "num_judged": cell["judged"],
                "num_pending": cell["pending"],
                "solved": cell["solved"] is not None,
            }
            if cell["solved"] is not None:
                entry["time"] = reltime(timedelta(minutes=cell["solved"]))
                solved += 1
                total += cell["solved"] + 20 * (cell["judged"] - 1)
                last = max(last, cell["solved"])
            row.append(entry)
        score = {
            "num_solved": solved,
            "total_time": reltime(timedelta(minutes=total)),
            "time": reltime(timedelta(minutes=last)) if solved else None,
        }
        board[team] = (score, row)
    return board


def test_the_awards_are_the_packages(imported: tuple[Core, int]) -> None:
    core, contest_id = imported
    official = package_file("scoreboard.json")
    view = objects.view_of(core, contest_id, jury=False, now=parse_abstime(official["time"], "time"))
    assert objects.awards(core, view) == package_file("awards.json")


def test_the_teams_keep_their_groups(imported: tuple[Core, int]) -> None:
    """The package's groups and each team's group_ids as they are there; the public sees the
    one group with teams it sees (the main one: the others hold the jury's hidden teams)."""
    core, contest_id = imported
    jury, public = (objects.view_of(core, contest_id, jury=j) for j in (True, False))
    teams = {t["id"]: t["group_ids"] for t in objects.teams(core, jury)}
    assert teams == {t["id"]: t["group_ids"] for t in package_file("teams.json")}
    assert sorted(objects.groups(core, jury), key=lambda g: g["id"]) == sorted(
        package_file("groups.json"), key=lambda g: g["id"]
    )
    assert [g["id"] for g in objects.groups(core, public)] == ["12890"]


def test_a_broken_package_is_refused_and_stores_nothing(imported: tuple[Core, int], tmp_path: Path) -> None:
    core, _ = imported
    for name in ("contest.json", "problems.json", "teams.json", "organizations.json", "judgement-types.json"):
        (tmp_path / name).write_text((NWERC / name).read_text())
    (tmp_path / "submissions.json").write_text(
        json.dumps([{"id": "1", "problem_id": "nope", "team_id": "1"}])
    )
    (tmp_path / "judgements.json").write_text("[]")
    with core.db.transaction() as cur:
        cur.execute("SELECT (SELECT count(*) FROM contests) AS c, (SELECT count(*) FROM users) AS u")
        before = cur.fetchone()
    with pytest.raises(BadRequest, match="problem_id is unknown"):
        import_contest(core, tmp_path)
    (tmp_path / "contest.json").write_text("{not json")
    with pytest.raises(BadRequest, match="contest.json is not JSON"):
        import_contest(core, tmp_path)
    (tmp_path / "contest.json").unlink()
    with pytest.raises(BadRequest, match="has no contest.json"):
        import_contest(core, tmp_path)
    with core.db.transaction() as cur:
        cur.execute("SELECT (SELECT count(*) FROM contests) AS c, (SELECT count(*) FROM users) AS u")
        assert cur.fetchone() == before


# --- the Contest API over HTTP, validated against the specification's JSON schemas --------

SCHEMAS = SHARED / "data" / "clics-schema"
COLLECTIONS = (
    "problems",
    "teams",
    "organizations",
    "groups",
    "judgement-types",
    "languages",
    "submissions",
    "judgements",
    "clarifications",
    "awards",
)


@pytest.fixture(scope="module")
def schemas() -> Any:
    """name → a validator of that schema file (tests/clics_schemas.py)."""
    if not SCHEMAS.is_dir():
        pytest.fail(f"{SCHEMAS} is absent: these tests read ../shared/data beside the checkout")
    return clics_schemas.load(SCHEMAS)


@pytest.fixture(scope="module")
def clarified(imported: tuple[Core, int]) -> tuple[Core, int]:
    """The imported contest with clarifications asked and answered half an hour in: a
    team's question, the jury's answer to it alone and to everyone, and an announcement."""
    core, contest_id = imported
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT p.user_id, u.username, (SELECT problem_id FROM contest_problems"
            " WHERE contest_id = p.contest_id ORDER BY label LIMIT 1) AS problem_id"
            " FROM contest_participants p JOIN users u ON u.id = p.user_id"
            " WHERE p.contest_id = %s AND p.category = 'participant' ORDER BY p.user_id LIMIT 1",
            (contest_id,),
        )
        team = cur.fetchone()
    asked_at = objects.view_of(core, contest_id, jury=True).contest.start_at + timedelta(minutes=30)
    clock = core.clock
    try:
        core.clock = lambda: asked_at
        asker = Principal(team["user_id"], team["username"], Role.CONTESTANT)
        question = {"text": "Is the graph connected?", "problem_id": team["problem_id"]}
        asked = clarifications.ask(core, asker, contest_id, question)
        core.clock = lambda: asked_at + timedelta(minutes=2)
        clarifications.answer(core, contest_id, {"text": "Read the statement.", "reply_to_id": asked["id"]})
        to_all = {"text": "Yes, it is.", "reply_to_id": asked["id"], "to": "everyone"}
        clarifications.answer(core, contest_id, to_all)
        clarifications.answer(core, contest_id, {"text": "Ten more minutes."})
    finally:
        core.clock = clock
    return core, contest_id


def test_the_public_reads_only_what_went_to_everyone(clarified: tuple[Core, int], schemas: Any) -> None:
    core, contest_id = clarified
    public = objects.clarifications(core, objects.view_of(core, contest_id, jury=False))
    jury = objects.clarifications(core, objects.view_of(core, contest_id, jury=True))
    assert [c["text"] for c in public] == ["Yes, it is.", "Ten more minutes."]
    assert all(c["from_team_id"] is None and c["to_team_id"] is None for c in public)
    assert [c["text"] for c in jury] == [
        "Is the graph connected?",
        "Read the statement.",
        *[c["text"] for c in public],
    ]
    question, private = jury[0], jury[1]
    assert question["from_team_id"] is not None and question["to_team_id"] is None
    assert private["reply_to_id"] == question["id"] and private["to_team_id"] == question["from_team_id"]
    assert question["contest_time"] == "0:30:00.000" and question["problem_id"] is not None
    for item in jury:
        valid(schemas, "clarification.json", json.dumps(item).encode())


@pytest.fixture(scope="module")
def api(clarified: tuple[Core, int]) -> Iterator[Any]:
    import app as app_module
    from chalice.test import Client

    from chalicelib.api import Api

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app_module, "api", Api(clarified[0]))
        with Client(app_module.app) as client:
            yield client.http


def valid(schemas: Any, schema: str, body: bytes) -> Any:
    from decimal import Decimal

    data = json.loads(body, parse_float=Decimal)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in schemas[schema].iter_errors(data)
    ]
    assert not errors, (schema, errors[:5])
    return json.loads(body)


def test_every_endpoint_answers_what_the_specification_says(
    imported: tuple[Core, int], api: Any, schemas: Any
) -> None:
    core, contest_id = imported
    base = f"/api/contests/{contest_id}"
    assert valid(schemas, "api_information.json", api.get("/api").body)["version"] == objects.VERSION
    listed = valid(schemas, "contests.json", api.get("/api/contests").body)
    assert str(contest_id) in [c["id"] for c in listed]
    assert valid(schemas, "contest.json", api.get(base).body)["penalty_time"] == "0:20:00.000"
    valid(schemas, "state.json", api.get(f"{base}/state").body)
    board = valid(schemas, "scoreboard.json", api.get(f"{base}/scoreboard").body)
    assert len(board["rows"]) == 120
    for kind in COLLECTIONS:
        items = valid(schemas, f"{kind}.json", api.get(f"{base}/{kind}").body)
        assert items, kind
        one = api.get(f"{base}/{kind}/{items[-1]['id']}")
        assert one.status_code == 200 and valid(schemas, f"{kind.rstrip('s')}.json", one.body) == items[-1]
    assert len(json.loads(api.get(f"{base}/teams").body)) == 120  # the public sees no hidden team
    missing = api.get(f"{base}/teams/no-such-team")
    assert missing.status_code == 404 and json.loads(missing.body)["error"]["code"] == "team_not_found"


def test_every_event_feed_line_is_a_valid_notification(
    imported: tuple[Core, int], api: Any, schemas: Any
) -> None:
    _, contest_id = imported
    answer = api.get(f"/api/contests/{contest_id}/event-feed?stream=false")
    assert answer.headers["Content-Type"] == "application/x-ndjson"
    lines = answer.body.decode().splitlines()
    kinds = {
        "judgement-types": "judgement-type",
        "problems": "problem",
        "teams": "team",
        "groups": "group",
        "organizations": "organization",
        "languages": "language",
        "submissions": "submission",
        "judgements": "judgement",
        "runs": "run",
        "awards": "award",
        "clarifications": "clarification",
        "contest": "contest",
        "state": "state",
    }
    seen = set()
    for token, text in enumerate(lines, 1):
        line = valid(schemas, "event-feed.json", text.encode())
        assert line["token"] == str(token)
        valid(schemas, f"{kinds[line['type']]}.json", json.dumps(line["data"]).encode())
        seen.add(line["type"])
    assert seen == set(kinds) - {"runs"}  # the package has no test results (runs: below)
    rest = api.get(f"/api/contests/{contest_id}/event-feed?stream=false&since_token={len(lines) - 3}")
    assert rest.body.decode().splitlines() == lines[-3:]
    bad = api.get(f"/api/contests/{contest_id}/event-feed?since_token=abc")
    assert bad.status_code == 400


def test_a_live_contests_runs_are_valid_objects_and_events(
    imported: tuple[Core, int], api: Any, schemas: Any
) -> None:
    """A contest of ours (NWERC has no test results): a judged submission's runs, one per
    test case, as a collection, one by one and on the event feed after their judgement."""
    core, _ = imported
    now = core.clock()
    contest = contests.create_contest(
        core,
        {
            "title": "Runs Cup",
            "start_at": (now - timedelta(hours=1)).isoformat(),
            "end_at": (now + timedelta(hours=1)).isoformat(),
        },
    )
    tests = [{"input": f"{n}\n", "answer": f"{n}\n"} for n in range(3)]
    problem = contests.create_problem(
        core, {"title": "Echo", "time_limit_ms": 1000, "memory_limit_kb": 65536, "tests": tests}
    )
    contests.attach_problem(core, contest["id"], {"problem_id": problem["id"], "label": "A"})
    ann = users.create_user(core, "runs-ann", "password-ann")["id"]
    with core.db.transaction() as cur:
        cur.execute(
            "INSERT INTO submissions (contest_id, problem_id, user_id, language, source, created_at)"
            " VALUES (%s, %s, %s, 'python', 'print(input())', %s) RETURNING id",
            (contest["id"], problem["id"], ann, now - timedelta(minutes=30)),
        )
        sid = cur.fetchone()["id"]
        cur.execute("SELECT id FROM test_cases WHERE problem_id = %s ORDER BY ordinal", (problem["id"],))
        case_ids = [row["id"] for row in cur.fetchall()]
    verdicts = [Verdict.AC, Verdict.WA]  # judging stops at the first failed test
    outcomes = [
        CaseOutcome(case, n, verdict, 7 * n, 2048)
        for n, (case, verdict) in enumerate(zip(case_ids[:2], verdicts, strict=True), 1)
    ]
    judgements.record(core, Judgement(sid, Verdict.WA, 0.0, outcomes))
    with core.db.transaction() as cur:  # judged a minute after it was made, long settled
        cur.execute(
            "UPDATE submission_results SET created_at = %s WHERE submission_id = %s RETURNING id",
            (now - timedelta(minutes=29), sid),
        )
        judgement_id = str(cur.fetchone()["id"])

    base = f"/api/contests/{contest['id']}"
    runs = valid(schemas, "runs.json", api.get(f"{base}/runs").body)
    assert [(r["judgement_id"], r["ordinal"], r["judgement_type_id"], r["run_time"]) for r in runs] == [
        (judgement_id, 1, "AC", 0.007),
        (judgement_id, 2, "WA", 0.014),
    ]
    assert runs[0]["contest_time"] == "0:31:00.000"
    one = api.get(f"{base}/runs/{runs[1]['id']}")
    assert one.status_code == 200 and valid(schemas, "run.json", one.body) == runs[1]
    assert api.get(f"{base}/runs/{judgement_id}-3").status_code == 404

    lines = [
        json.loads(line) for line in api.get(f"{base}/event-feed?stream=false").body.decode().splitlines()
    ]
    for line in lines:
        valid(schemas, "event-feed.json", json.dumps(line).encode())
    kinds = [(line["type"], line["id"]) for line in lines if line["type"] in ("judgements", "runs")]
    assert kinds == [("judgements", judgement_id), ("runs", runs[0]["id"]), ("runs", runs[1]["id"])]
    assert [line["data"] for line in lines if line["type"] == "runs"] == runs


def test_an_exported_package_validates_and_imports_to_the_same_boards(
    clarified: tuple[Core, int], schemas: Any, tmp_path: Path
) -> None:
    core, contest_id = clarified
    package = tmp_path / "package"
    written = export_contest(core, contest_id, package)
    assert sorted(written) == sorted(path.name for path in package.iterdir())
    assert set(written) == {*EXPORTED, "event-feed.ndjson"}
    for name in written:
        if name == "event-feed.ndjson":
            feed = (package / name).read_text().splitlines()
            for line in feed:
                valid(schemas, "event-feed.json", line.encode())
            assert {json.loads(line)["type"] for line in feed} >= {
                "teams",
                "judgements",
                "clarifications",
                "awards",
            }
        else:
            valid(schemas, name, (package / name).read_bytes())
    assert len(json.loads((package / "teams.json").read_text())) == 133  # hidden ones too, marked
    assert len(json.loads((package / "clarifications.json").read_text())) == 4  # the jury's view: all

    again = import_contest(core, package)
    assert (again["teams"], again["submissions"]) == (133, 1757)
    official = parse_abstime(package_file("scoreboard.json")["time"], "time")
    start = parse_abstime(package_file("contest.json")["start_time"], "start")
    end = start + timedelta(hours=5)
    # the final boards, the public's frozen one at the end, and both two hours in
    moments = [(False, official), (True, official), (False, end), (False, start + timedelta(hours=2))]
    for jury, now in [*moments, (True, start + timedelta(hours=2))]:
        boards_now = [
            objects.scoreboard(core, objects.view_of(core, cid, jury=jury, now=now))
            for cid in (contest_id, again["contest_id"])
        ]
        assert boards_now[0]["rows"] == boards_now[1]["rows"], (jury, now)
    final = objects.view_of(core, again["contest_id"], jury=False, now=official)
    assert objects.awards(core, final) == package_file("awards.json")
    with pytest.raises(BadRequest, match="is not an empty directory"):
        export_contest(core, contest_id, package)


def test_the_cli_imports_a_package_and_refuses_a_broken_one(
    imported: tuple[Core, int], tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    core, _ = imported
    env = {
        **os.environ,
        "DATABASE_URL": core.settings.database_url,
        "REDIS_URL": core.settings.redis_url,
        "CODEARENA_JWT_SECRET": JWT_SECRET,
    }
    command = [sys.executable, "-m", "codearena_cli"]
    # The whole package is imported above (and again in the export's round trip): the CLI's
    # import reads a cut of it, all teams but 100 of the 1757 submissions.
    small, counts = small_package(tmp_path / "small", 100)
    done = subprocess.run(
        [*command, "contest", "import", str(small)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "133 teams, {} submissions, {} judgements imported".format(*counts) in done.stdout
    refused = subprocess.run(
        [*command, "contest", "import", str(tmp_path)], env=env, capture_output=True, text=True
    )
    assert refused.returncode == 1 and "has no contest.json" in refused.stderr
    out = tmp_path / "out"
    exported = subprocess.run(
        [*command, "contest", "export", str(imported[1]), str(out)], env=env, capture_output=True, text=True
    )
    assert exported.returncode == 0, exported.stderr
    assert f"wrote 15 files to {out}" in exported.stdout and (out / "event-feed.ndjson").is_file()
    missing = subprocess.run(
        [*command, "contest", "export", "987654", str(tmp_path / "none")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1 and "no contest 987654" in missing.stderr
    assert not (tmp_path / "none").exists()


def small_package(directory: Path, submissions: int) -> tuple[Path, tuple[int, int]]:
    """NWERC cut to its first `submissions` submissions and their judgements; the counts an
    import of it reports (submissions, judgements that gave a verdict)."""
    directory.mkdir()
    for path in NWERC.glob("*.json"):
        (directory / path.name).write_text(path.read_text())
    kept = package_file("submissions.json")[:submissions]
    ids = {item["id"] for item in kept}
    judged = [item for item in package_file("judgements.json") if item["submission_id"] in ids]
    (directory / "submissions.json").write_text(json.dumps(kept))
    (directory / "judgements.json").write_text(json.dumps(judged))
    verdicts = sum(1 for item in judged if item.get("judgement_type_id") is not None)
    assert len(kept) == submissions and verdicts >= submissions // 2
    return directory, (len(kept), verdicts)
