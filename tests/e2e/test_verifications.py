"""An HTTP-imported package verified end to end: the local gateway stores the zip and queues its
bundled submissions, a real judge host judges them in its sandbox (its verification worker), and
the admin polls GET /admin/problems/{pid}/verification until it is done: per file the verdicts
expected and the one got, a wrong expectation reported as a mismatch, and the time limit the
package leaves out set from its accepted submissions."""

from __future__ import annotations

import io
import math
import time
import zipfile
from typing import Any

from tests.e2e.common import register_and_login
from tests.e2e.conftest import Process

SUM = "print(sum(map(int, input().split())))\n"
SLOW_SUM = "n = 0\nfor i in range(10_000_000):\n    n += i\n" + SUM  # ~0.4 s of CPU: × 5 derives 2 s or more
PACKAGE = {
    "problem.yaml": "name: Sum of two\n",  # legacy format, no time limit: × 5 the slowest AC
    "data/sample/1.in": "1 2\n",
    "data/sample/1.ans": "3\n",
    "data/secret/1.in": "40 2\n",
    "data/secret/1.ans": "42\n",
    "submissions/accepted/sum.py": SUM,
    "submissions/accepted/slow_sum.py": SLOW_SUM,
    "submissions/wrong_answer/off_by_one.py": "print(sum(map(int, input().split())) + 1)\n",
    "submissions/wrong_answer/actually_right.py": SUM,  # the package's expectation is wrong
    "submissions/time_limit_exceeded/spin.py": "while True:\n    pass\n",
}


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content in files.items():
            archive.writestr(f"sum/{path}", content)
    return buffer.getvalue()


def until_done(contest: dict[str, Any], url: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The report once done, and every different one read before (polling)."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answer = contest["client"].get(url, headers=contest["admin"])
        assert answer.status_code == 200, answer.text
        report = dict(answer.json())
        if report["status"] == "done":
            return report, seen
        if not seen or seen[-1] != report:
            seen.append(report)
        time.sleep(0.1)
    raise AssertionError(f"{url} was not done within 120 s: {seen[-1:]}")


def test_an_imported_packages_submissions_are_judged_and_reported_per_file(
    gateway: str, judge_host: Process, contest: dict[str, Any]
) -> None:
    client, admin = contest["client"], contest["admin"]
    headers = {**admin, "Content-Type": "application/zip"}
    answer = client.post("/admin/problems/import", headers=headers, content=zipped(PACKAGE))
    assert answer.status_code == 201, answer.text
    problem = answer.json()
    url = f"/admin/problems/{problem['id']}/verification"
    assert problem["verification"] == {"status": "queued", "url": url, "files": 5}

    report, seen = until_done(contest, url)
    got = {
        f["path"].removeprefix("submissions/"): (f["expected"], f["got"], f["as_expected"])
        for f in report["files"]
    }
    assert got == {
        "accepted/sum.py": (["AC"], "AC", True),
        "accepted/slow_sum.py": (["AC"], "AC", True),
        "wrong_answer/off_by_one.py": (["WA"], "WA", True),
        "wrong_answer/actually_right.py": (["WA"], "AC", False),
        "time_limit_exceeded/spin.py": (["TLE"], "TLE", True),
    }, report
    assert report["mismatches"] == ["submissions/wrong_answer/actually_right.py"]
    assert report["counts"] == {"files": 5, "judged": 5, "as_expected": 4, "mismatches": 1, "not_checked": 0}
    assert report["error"] is None and report["host"].endswith("-verify0")
    # live progress: a report read while the host was at it had some files judged, not all
    assert any(r["status"] == "running" and 0 < r["counts"]["judged"] < 5 for r in seen), seen

    slowest = max(f["time_ms"] for f in report["files"] if f["got"] == "AC" and f["expected"] == ["AC"])
    derived = max(1000, math.ceil(slowest * 5 / 1000) * 1000)
    assert report["derived_time_limit_ms"] == report["time_limit_ms"] == derived
    assert derived >= 2000, report  # else the placeholder and the derived limit look alike
    spin = next(f for f in report["files"] if f["path"].endswith("spin.py"))
    # Judged under the derived limit, not the 1 s placeholder, which would stop it at about 1 s
    # of CPU. (Not ≥ the derived limit: under load the wall limit can stop it first — seen in
    # CI, 1,917 ms of CPU in its 3 s.)
    assert spin["time_ms"] > 1200, spin
    listed = client.get("/admin/problems", headers=admin).json()
    stored = next(p for p in listed["problems"] if p["id"] == problem["id"])
    assert stored["time_limit_ms"] == derived


def test_the_route_refuses_others_and_unknown_problems(gateway: str, contest: dict[str, Any]) -> None:
    client, admin = contest["client"], contest["admin"]
    ann = register_and_login(client, "ann")
    path = f"/admin/problems/{contest['problem_id']}/verification"
    for method, url, headers, status, code in (
        ("GET", "/admin/problems/999999/verification", admin, 404, "problem_not_found"),
        ("GET", path, admin, 404, "verification_not_found"),  # made from JSON: none queued
        ("GET", path, ann, 403, None),
        ("POST", f"/admin/problems/{contest['problem_id']}/verify", ann, 403, None),
        ("GET", path, {}, 401, None),
    ):
        answer = client.request(method, url, headers=headers)
        assert answer.status_code == status, (method, url, answer.text)
        assert answer.headers["content-type"].startswith("application/json")
        error = answer.json()["error"]
        assert code is None or error["code"] == code, error
