"""What a CLICS contest package carries besides the results, in and out (issue 15): team
groups (kept as the package has them, shown under /api, group winners awarded), the award
rules (medal counts, organization and group winners, read from awards.json), clarifications at
the contest's own clock, and the contest's own penalty verdicts (its judgement types). A small
package written here; every answer and file validated against the specification's schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codearena.clics import objects
from codearena.clics.export import export_contest
from codearena.clics.package import import_contest
from codearena.clics.times import parse_abstime
from codearena.core import Core
from codearena.errors import BadRequest
from codearena.models import Role
from tests.integration.conftest import Caller, error_of, login
from tests.integration.test_clics_import import schemas, valid

__all__ = ["schemas"]  # the fixture, used by name
START = "2024-03-02T10:00:00.000+00:00"
FINAL = "2024-03-02T15:30:00.000+00:00"


def at(contest_time: str) -> str:
    """The ABSTIME of `h:mm` into the contest."""
    hours, minutes = contest_time.split(":")
    return f"2024-03-02T{10 + int(hours):02d}:{minutes}:00.000+00:00"


def clarification(cid: str, when: str, text: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "from_team_id": None,
        "to_team_id": None,
        "reply_to_id": None,
        "problem_id": None,
        "text": text,
        "time": at(when),
        "contest_time": f"{when}:00.000",
        **fields,
    }


TEAMS = [  # id, organization, groups
    ("t1", "uni-1", ["north"]),
    ("t2", "uni-1", ["south"]),
    ("t3", "uni-2", ["north", "south"]),
    ("t4", "uni-2", ["south"]),
]
# team, problem, contest time, judgement type: CE costs penalty here, TLE does not
RUNS = [
    ("judge", "beta", "0:05", "AC"),
    ("t1", "alpha", "0:10", "AC"),
    ("t2", "alpha", "0:20", "CE"),
    ("t2", "alpha", "0:30", "AC"),
    ("t3", "alpha", "0:40", "TLE"),
    ("t3", "alpha", "0:50", "AC"),
    ("t1", "beta", "1:00", "WA"),
    ("t1", "beta", "1:10", "AC"),
    ("t4", "beta", "2:00", "AC"),
]
CLARIFICATIONS = [
    clarification("c1", "0:15", "Is n positive?", from_team_id="t1", problem_id="alpha"),
    clarification("c2", "0:17", "Read the input section.", to_team_id="t1", reply_to_id="c1"),
    clarification("c4", "0:18", "Yes, n is positive.", reply_to_id="c1", problem_id="alpha"),
    clarification("c3", "0:30", "Ten minutes to the break.", problem_id="beta"),
]
# The final board: t1 2 solved (10 + 70 + 20); t2 1 (30 + 20 for its CE); t3 1 (50, the TLE
# free) after t2 on its later solve; t4 1 (120). The judge's early solve is hidden.
AWARDS = [
    {"id": "winner", "citation": "Winner", "team_ids": ["t1"]},
    {"id": "gold-medal", "citation": "Gold medal winner", "team_ids": ["t1"]},
    {"id": "silver-medal", "citation": "Silver medal winner", "team_ids": ["t2"]},
    {"id": "bronze-medal", "citation": "Bronze medal winner", "team_ids": ["t3", "t4"]},
    {"id": "first-to-solve-alpha", "citation": "First to solve problem A", "team_ids": ["t1"]},
    {"id": "first-to-solve-beta", "citation": "First to solve problem B", "team_ids": ["t1"]},
    {"id": "organization-winner-uni-1", "citation": "Winner of Uni One", "team_ids": ["t1"]},
    {"id": "organization-winner-uni-2", "citation": "Winner of Uni Two", "team_ids": ["t3"]},
    {"id": "group-winner-north", "citation": "Winner of North", "team_ids": ["t1"]},
    {"id": "group-winner-south", "citation": "Winner of South", "team_ids": ["t2"]},
]
GROUPS = [
    {"id": "north", "icpc_id": "101", "name": "North"},
    {"id": "south", "name": "South", "type": "site"},
    {"id": "staff", "name": "Staff"},
]


def package() -> dict[str, Any]:
    types = [("AC", False, True), ("WA", True, False), ("CE", True, False), ("TLE", False, False)]
    return {
        "contest.json": {
            "id": "cup",
            "name": "Group Cup",
            "start_time": START,
            "duration": "5:00:00.000",
            "scoreboard_freeze_duration": "1:00:00.000",
            "scoreboard_type": "pass-fail",
            "penalty_time": "0:20:00.000",
        },
        "state.json": {
            "started": START,
            "frozen": at("4:00"),
            "ended": at("5:00"),
            "thawed": FINAL,
            "finalized": FINAL,
            "end_of_updates": None,
        },
        "judgement-types.json": [
            {"id": i, "name": i, "penalty": penalty, "solved": solved} for i, penalty, solved in types
        ],
        "problems.json": [
            {"id": p, "label": label, "name": p.title(), "ordinal": n, "time_limit": 1, "test_data_count": 1}
            for n, (p, label) in enumerate([("alpha", "A"), ("beta", "B")])
        ],
        "organizations.json": [{"id": "uni-1", "name": "Uni One"}, {"id": "uni-2", "name": "Uni Two"}],
        "groups.json": GROUPS,
        "teams.json": [
            {"id": t, "name": t.upper(), "label": t, "organization_id": org, "group_ids": groups}
            for t, org, groups in TEAMS
        ]
        + [{"id": "judge", "name": "Judge", "label": "judge", "group_ids": ["staff"], "hidden": True}],
        "submissions.json": [
            {
                "id": f"s{n}",
                "language_id": "cpp",
                "entry_point": None,  # the schema asks for it, null, of C and C++
                "problem_id": problem,
                "team_id": team,
                "time": at(when),
                "contest_time": f"{when}:00.000",
                "files": [],
            }
            for n, (team, problem, when, _) in enumerate(RUNS, 1)
        ],
        "judgements.json": [
            {
                "id": f"j{n}",
                "submission_id": f"s{n}",
                "judgement_type_id": verdict,
                "start_time": at(when),
                "start_contest_time": f"{when}:00.000",
                "end_time": at(when).replace(":00.000", ":30.000"),
                "end_contest_time": f"{when}:30.000",
            }
            for n, (_, _, when, verdict) in enumerate(RUNS, 1)
        ],
        "clarifications.json": CLARIFICATIONS,
        "awards.json": AWARDS,
    }


def write(directory: Path, files: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (directory / name).write_text(json.dumps(data))
    return directory


def final(core: Core, contest_id: int, jury: bool = False) -> objects.View:
    return objects.view_of(core, contest_id, jury=jury, now=parse_abstime(FINAL, "final"))


def test_the_package_validates_against_the_schemas(schemas: Any) -> None:
    for name, data in package().items():
        valid(schemas, name, json.dumps(data).encode())


def test_groups_clarifications_and_award_rules_are_imported(core: Core, tmp_path: Path) -> None:
    answer = import_contest(core, write(tmp_path / "cup", package()))
    assert (answer["teams"], answer["submissions"], answer["clarifications"]) == (5, 9, 4)
    cid = answer["contest_id"]
    contest = final(core, cid).contest
    assert (contest.gold_medals, contest.silver_medals, contest.bronze_medals) == (1, 1, 2)
    assert contest.organization_winners and contest.group_winners
    assert contest.penalty_verdicts == ("WA", "MLE", "RTE", "OLE", "CE")  # CE charged, TLE spared
    assert objects.awards(core, final(core, cid)) == AWARDS

    jury = objects.teams(core, final(core, cid, jury=True))
    assert {t["id"]: t["group_ids"] for t in jury} == {
        **{t: groups for t, _, groups in TEAMS},
        "judge": ["staff"],
    }
    assert objects.groups(core, final(core, cid, jury=True)) == GROUPS
    assert objects.groups(core, final(core, cid)) == GROUPS[:2]  # no team the public sees is staff

    assert objects.clarifications(core, final(core, cid, jury=True)) == sorted(
        CLARIFICATIONS, key=lambda c: c["time"]
    )
    public = objects.clarifications(core, final(core, cid))
    assert [(c["id"], c["reply_to_id"]) for c in public] == [("c4", None), ("c3", None)]


def test_the_contest_api_shows_them_valid(core: Core, call: Caller, schemas: Any, tmp_path: Path) -> None:
    cid = import_contest(core, write(tmp_path / "cup", package()))["contest_id"]
    base = f"/api/contests/{cid}"
    jury = login(core, "judy-cup", Role.JURY)
    groups = valid(schemas, "groups.json", call("GET", f"{base}/groups", headers=jury).body)
    assert [g["id"] for g in groups] == ["north", "south", "staff"]
    one = call("GET", f"{base}/groups/north")
    assert valid(schemas, "group.json", one.body) == GROUPS[0]
    teams = valid(schemas, "teams.json", call("GET", f"{base}/teams").body)
    assert {t["id"]: t["group_ids"] for t in teams} == {t: g for t, _, g in TEAMS}
    types = valid(schemas, "judgement-types.json", call("GET", f"{base}/judgement-types").body)
    penalty = {t["id"]: t["penalty"] for t in types}
    assert (penalty["CE"], penalty["TLE"], penalty["WA"], penalty["AC"]) == (True, False, True, False)
    clarified = valid(
        schemas, "clarifications.json", call("GET", f"{base}/clarifications", headers=jury).body
    )
    assert [c["id"] for c in clarified] == ["c1", "c2", "c4", "c3"]
    awards = valid(schemas, "awards.json", call("GET", f"{base}/awards").body)
    assert [a["id"] for a in awards] == [a["id"] for a in AWARDS]
    admin = login(core, "boss-cup", Role.ADMIN)
    error_of(call("PATCH", f"/admin/contests/{cid}", {"group_winners": "yes"}, admin), 400, "invalid_field")
    changed = call("PATCH", f"/admin/contests/{cid}", {"group_winners": False}, admin)
    assert changed.status_code == 200 and changed.json_body["group_winners"] is False
    awarded = [a["id"] for a in json.loads(call("GET", f"{base}/awards").body)]
    assert awarded == [a["id"] for a in AWARDS if not a["id"].startswith("group-winner-")]
    feed = call("GET", f"{base}/event-feed?stream=false", headers=jury).body.decode().splitlines()
    lines = [valid(schemas, "event-feed.json", line.encode()) for line in feed]
    told = [line["data"] for line in lines if line["type"] == "clarifications"]
    assert [c["id"] for c in told] == ["c1", "c2", "c4", "c3"]  # each at its own time
    for line in lines:
        if line["type"] in ("groups", "clarifications", "judgement-types", "awards", "teams"):
            valid(schemas, f"{line['type'].removesuffix('s')}.json", json.dumps(line["data"]).encode())


def test_an_export_imports_to_the_same_groups_clarifications_and_awards(
    core: Core, schemas: Any, tmp_path: Path
) -> None:
    first = import_contest(core, write(tmp_path / "cup", package()))["contest_id"]
    written = export_contest(core, first, tmp_path / "out")
    for name in written:
        if name.endswith(".json"):
            valid(schemas, name, (tmp_path / "out" / name).read_bytes())
    again = import_contest(core, tmp_path / "out")["contest_id"]
    rules = ("gold_medals", "silver_medals", "bronze_medals", "organization_winners", "group_winners")
    before, after = final(core, first).contest, final(core, again).contest
    assert [getattr(after, name) for name in rules] == [getattr(before, name) for name in rules]
    assert after.penalty_verdicts == before.penalty_verdicts
    for jury in (False, True):
        for read in (
            objects.awards,
            objects.clarifications,
            objects.groups,
            objects.teams,
            objects.scoreboard,
        ):
            ours, theirs = (read(core, final(core, cid, jury)) for cid in (first, again))
            if read is objects.scoreboard:
                ours, theirs = ours["rows"], theirs["rows"]
            assert ours == theirs, (read.__name__, jury)
    assert objects.awards(core, final(core, again)) == AWARDS


def broken(files: dict[str, Any], name: str, change: Any) -> dict[str, Any]:
    return {**files, name: change(files[name])}


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        (
            "clarifications.json",
            lambda items: [{**items[1], "reply_to_id": "c9"}],
            "c2's reply_to_id 'c9' is unknown",
        ),
        (
            "clarifications.json",
            lambda items: [{**items[0], "to_team_id": "t2"}],
            "c1 is from a team to a team",
        ),
        ("clarifications.json", lambda items: [{**items[0], "problem_id": "gamma"}], "problem_id 'gamma'"),
        ("clarifications.json", lambda items: [{**items[0], "text": ""}], "text must be 1 to 2000"),
        ("clarifications.json", lambda items: [items[0], items[0]], "c1 is listed twice"),
        ("teams.json", lambda items: [{**items[0], "group_ids": ["west"]}], "unknown group"),
        ("awards.json", lambda items: [{"id": "gold-medal", "team_ids": "t1"}], "must be a list"),
    ],
)
def test_a_broken_package_is_refused_and_stores_nothing(
    core: Core, tmp_path: Path, name: str, change: Any, message: str
) -> None:
    directory = write(tmp_path / "bad", broken(package(), name, change))
    with core.db.transaction() as cur:
        cur.execute("SELECT (SELECT count(*) FROM contests) AS c, (SELECT count(*) FROM clarifications) AS k")
        before = cur.fetchone()
    with pytest.raises(BadRequest, match=message):
        import_contest(core, directory)
    with core.db.transaction() as cur:
        cur.execute("SELECT (SELECT count(*) FROM contests) AS c, (SELECT count(*) FROM clarifications) AS k")
        assert cur.fetchone() == before
