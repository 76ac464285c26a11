"""Plagiarism detection on the real PostgreSQL: the jury route over the submissions table and
`codearena similarity` (files as JSON, a contest as a table)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codearena import keys, plagiarism, similarity
from codearena.config import Settings
from codearena.core import Core
from codearena.models import Role
from tests.conftest import service_env
from tests.integration.conftest import Caller, error_of, login
from tests.integration.test_clarifications import user_id
from tests.unit.similarity_samples import SAMPLES

ORIGINAL, COPY, INDEPENDENT = SAMPLES["python"]
CODEARENA = [sys.executable, "-m", "codearena_cli"]


def submit(core: Core, contest: dict[str, Any], username: str, source: str, imported: bool = False) -> int:
    with core.db.transaction() as cur:
        cur.execute(
            "INSERT INTO submissions (contest_id, problem_id, user_id, language, source, imported)"
            " VALUES (%s, %s, %s, 'python', %s, %s) RETURNING id",
            (contest["id"], contest["problem_id"], user_id(core, username), source, imported),
        )
        return int(cur.fetchone()["id"])


@pytest.fixture
def submitted(core: Core, running_contest: dict[str, Any]) -> dict[str, Any]:
    """Ann's original, Bob's disguised copy, Cid's own solution, Ann's earlier copy of her own
    program and an imported submission without source."""
    people = {name: login(core, name) for name in ("ann", "bob", "cid")}
    ids = {
        "ann_first": submit(core, running_contest, "ann", COPY),
        "ann": submit(core, running_contest, "ann", ORIGINAL),
        "bob": submit(core, running_contest, "bob", COPY),
        "cid": submit(core, running_contest, "cid", INDEPENDENT),
    }
    submit(core, running_contest, "cid", "", imported=True)
    return {"contest": running_contest, "ids": ids, "people": people}


def test_the_jury_sees_the_copied_pair_first_with_its_fragments(
    call: Caller, core: Core, submitted: dict[str, Any]
) -> None:
    cid, ids = submitted["contest"]["id"], submitted["ids"]
    jury = login(core, "judy", Role.JURY)
    answer = call("GET", f"/admin/contests/{cid}/similarity?problem=A", headers=jury)
    assert answer.status_code == 200, answer.body
    (problem,) = answer.json_body["problems"]
    assert (problem["label"], problem["submissions"]) == ("A", 3)  # latest per participant
    top = problem["pairs"][0]
    assert {top["a"]["submission_id"], top["b"]["submission_id"]} == {ids["ann"], ids["bob"]}
    assert top["similarity"] > 0.8
    assert all(p["similarity"] < 0.4 for p in problem["pairs"][1:])
    fragment = top["fragments"][0]
    assert fragment["a"]["first_line"] <= fragment["a"]["last_line"] and fragment["a"]["text"]
    assert "heapq" in "".join(f["b"]["text"] for f in top["fragments"])

    every = call("GET", f"/admin/contests/{cid}/similarity?all=true", headers=jury).json_body
    pairs = every["problems"][0]["pairs"]
    assert every["problems"][0]["submissions"] == 4
    assert all(p["a"]["user_id"] != p["b"]["user_id"] for p in pairs)  # never Ann with Ann


def test_contestants_and_bad_queries_are_refused(call: Caller, core: Core, submitted: dict[str, Any]) -> None:
    cid = submitted["contest"]["id"]
    path = f"/admin/contests/{cid}/similarity"
    error_of(call("GET", path, headers=submitted["people"]["ann"]), 403)
    jury = login(core, "judy", Role.JURY)
    error_of(call("GET", path + "?problem=Z", headers=jury), 404, "problem_not_found")
    error_of(call("GET", path + "?limit=0", headers=jury), 400, "invalid_query")
    error_of(call("GET", path + "?all=maybe", headers=jury), 400, "invalid_query")
    error_of(call("GET", "/admin/contests/999999/similarity", headers=jury), 404)


def test_the_cli_prints_file_pairs_as_json_most_similar_first(tmp_path: Path) -> None:
    paths = []
    for name, source in (("original.py", ORIGINAL), ("copy.py", COPY), ("own.py", INDEPENDENT)):
        (tmp_path / name).write_text(source)
        paths.append(str(tmp_path / name))
    done = subprocess.run([*CODEARENA, "similarity", "--json", *paths], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    pairs = json.loads(done.stdout)
    assert (pairs[0]["a"], pairs[0]["b"]) == (paths[0], paths[1]) and pairs[0]["similarity"] > 0.8
    assert [p["similarity"] for p in pairs] == sorted((p["similarity"] for p in pairs), reverse=True)
    assert all(set(p) == {"a", "b", "similarity"} and 0 <= p["similarity"] < 0.4 for p in pairs[1:])

    (tmp_path / "notes.txt").write_text("hello")
    refused = subprocess.run(
        [*CODEARENA, "similarity", "--json", paths[0], str(tmp_path / "notes.txt")],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and "no language has the extension .txt" in refused.stderr


def test_the_cli_shows_a_contest_as_a_table(settings: Settings, submitted: dict[str, Any]) -> None:
    cid = submitted["contest"]["id"]
    env = service_env(settings)
    done = subprocess.run(
        [*CODEARENA, "similarity", str(cid), "--problem", "A"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert "problem A (3 submissions)" in done.stdout and "ann" in done.stdout and "bob" in done.stdout
    assert f"contest {cid}: 3 submissions compared" in done.stdout
    missing = subprocess.run([*CODEARENA, "similarity", "999999"], capture_output=True, text=True, env=env)
    assert missing.returncode == 1 and "no contest 999999" in missing.stderr


def test_fingerprints_are_kept_and_read_back_by_the_next_report(
    call: Caller, core: Core, submitted: dict[str, Any]
) -> None:
    cid, ids = submitted["contest"]["id"], submitted["ids"]
    jury = login(core, "judy", Role.JURY)
    first = call("GET", f"/admin/contests/{cid}/similarity", headers=jury).json_body
    kept = keys.fingerprints(ids["bob"], similarity.VERSION)
    assert 0 < core.redis.ttl(kept) <= plagiarism.KEPT_SECONDS
    assert similarity.Fingerprints.from_json(core.redis.get(kept)) == similarity.fingerprint(COPY, "python")
    # What is kept is what the next report reads: Bob's kept fingerprints now say he wrote Cid's.
    core.redis.set(kept, similarity.fingerprint(INDEPENDENT, "python").to_json())
    second = call("GET", f"/admin/contests/{cid}/similarity", headers=jury).json_body
    top = second["problems"][0]["pairs"][0]
    assert {top["a"]["submission_id"], top["b"]["submission_id"]} == {ids["bob"], ids["cid"]}
    assert top["similarity"] == 1.0 and first["problems"][0]["pairs"][0]["similarity"] < 1.0
