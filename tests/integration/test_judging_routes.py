"""The unfreeze and rejudge routes (DESIGN §8): 202 for admins, a clear 4xx for everything
else, and a refused request changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.routes import declared
from chalicelib.routing import ADMIN
from codearena.core import Core
from codearena.models import Role
from tests.integration.conftest import ONE_TEST, contest_with_problem, login

# The admin actions that start work and answer 202 Accepted (unfreezing, rejudging), from
# the route table: a new one is tested here too, and must have no body and only these ids.
ROUTES = [
    route.path
    for route in declared()
    if route.status == 202 and route.roles == ADMIN and route.method == "POST"
]
IDS = ("cid", "sid", "pid")


def test_the_routes_are_bodiless_posts_with_known_ids() -> None:
    assert len(ROUTES) >= 3
    for route in declared():
        if route.path in ROUTES:
            assert route.body is None, route.path
            in_path = {part[1:-1] for part in route.path.split("/") if part.startswith("{")}
            assert in_path and in_path <= set(IDS), route.path


def post(http: Any, path: str, headers: dict[str, str] | None = None) -> Any:
    response = http.request("POST", path, headers=headers or {"Content-Type": "application/json"}, body=b"")
    assert response.status_code < 500, (path, response.status_code, response.body[:300])
    return response


def error_code(response: Any, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.body[:300])
    body = json.loads(response.body)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return str(body["error"]["code"])


def state(core: Core) -> dict[str, Any]:
    with core.db.transaction() as cur:
        cur.execute("SELECT id, status, judgement FROM submissions ORDER BY id")
        subs = [tuple(row.values()) for row in cur.fetchall()]
        cur.execute("SELECT id, unfrozen_at FROM contests ORDER BY id")
        contest_rows = [tuple(row.values()) for row in cur.fetchall()]
        cur.execute("SELECT count(*) AS n FROM leaderboard_events")
        events = cur.fetchone()["n"]
    return {"subs": subs, "contests": contest_rows, "events": events, "queue": core.queue.depth()}


@pytest.fixture
def frozen(core: Core) -> dict[str, Any]:
    contest = contest_with_problem(
        core,
        ONE_TEST,
        start=-timedelta(hours=2),
        end=-timedelta(minutes=5),
        freeze=-timedelta(hours=1),
        title="Frozen",
    )
    return {"cid": contest["id"], "pid": contest["problem_id"]}


@pytest.fixture
def submission(core: Core, http: Any, running_contest: dict[str, Any]) -> dict[str, Any]:
    me = login(core, "sam")
    body = {"problem_id": running_contest["problem_id"], "language": "python", "source": "print(3)"}
    answer = http.request(
        "POST", f"/contests/{running_contest['id']}/submissions", headers=me, body=json.dumps(body).encode()
    )
    assert answer.status_code == 202
    return {
        "sid": json.loads(answer.body)["id"],
        "cid": running_contest["id"],
        "pid": running_contest["problem_id"],
    }


def path_of(route: str, ids: dict[str, Any]) -> str:
    return route.format(**{k: ids.get(k, 1) for k in IDS})


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("bad", ["abc", "-1", "1.5", "9" * 19, "\u00b2"])
def test_bad_ids_are_400(http: Any, core: Core, admin: dict[str, str], route: str, bad: str) -> None:
    before = state(core)
    path = route.replace("{cid}", bad).replace("{sid}", bad).replace("{pid}", bad)
    assert error_code(post(http, path, admin), 400)
    assert state(core) == before


@pytest.mark.parametrize("route", ROUTES)
def test_unknown_ids_are_404(
    http: Any, core: Core, admin: dict[str, str], submission: dict[str, Any], route: str
) -> None:
    before = state(core)
    unknown = (
        [{"cid": 999, "sid": 999, "pid": submission["pid"]}] if "{cid}" in route or "{sid}" in route else []
    )
    if "{pid}" in route:
        unknown.append({"cid": submission["cid"], "pid": 999})
    for ids in unknown:
        code = error_code(post(http, path_of(route, ids), admin), 404)
        assert code in ("contest_not_found", "submission_not_found", "problem_not_found")
    assert state(core) == before


@pytest.mark.parametrize("route", ROUTES)
def test_contestants_get_403_and_anonymous_401(
    http: Any, core: Core, submission: dict[str, Any], route: str
) -> None:
    before = state(core)
    path = path_of(route, submission)
    assert error_code(post(http, path, login(core, "eve")), 403)
    assert error_code(post(http, path, login(core, "judy", Role.JURY)), 403)
    assert error_code(post(http, path), 401)
    assert error_code(post(http, path, {"Authorization": "Bearer nonsense"}), 401)
    assert state(core) == before


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_wrong_method_is_405(http: Any, core: Core, admin: dict[str, str], method: str) -> None:
    for route in ROUTES:
        response = http.request(method, path_of(route, {}), headers=admin, body=b"")
        assert error_code(response, 405)


def test_unfreeze_without_a_freeze_is_409(
    http: Any, core: Core, admin: dict[str, str], running_contest: dict[str, Any]
) -> None:
    before = state(core)
    path = f"/admin/contests/{running_contest['id']}/unfreeze"
    assert error_code(post(http, path, admin), 409) == "contest_not_frozen"
    assert state(core) == before


def test_unfreeze_is_202_and_idempotent(
    http: Any, core: Core, admin: dict[str, str], frozen: dict[str, Any]
) -> None:
    path = f"/admin/contests/{frozen['cid']}/unfreeze"
    first = post(http, path, admin)
    assert first.status_code == 202
    assert json.loads(first.body) == {"contest_id": frozen["cid"], "state": "unfrozen", "rows": 0}
    stamp = state(core)["contests"]
    assert post(http, path, admin).status_code == 202
    assert state(core)["contests"] == stamp  # the reveal time does not move
    assert json.loads(http.request("GET", f"/contests/{frozen['cid']}").body)["state"] == "unfrozen"


def test_rejudge_routes_are_202(
    http: Any, core: Core, admin: dict[str, str], submission: dict[str, Any]
) -> None:
    sid, cid, pid = submission["sid"], submission["cid"], submission["pid"]
    with core.db.transaction() as cur:
        cur.execute("UPDATE submissions SET status = 'judged' WHERE id = %s", (sid,))
    one = post(http, f"/admin/submissions/{sid}/rejudge", admin)
    assert one.status_code == 202 and json.loads(one.body) == {"id": sid, "judgement": 2, "status": "queued"}
    again = post(http, f"/admin/submissions/{sid}/rejudge", admin)  # not started yet: same number
    assert json.loads(again.body)["judgement"] == 2
    many = post(http, f"/admin/contests/{cid}/problems/{pid}/rejudge", admin)
    assert many.status_code == 202
    assert json.loads(many.body) == {"contest_id": cid, "problem_id": pid, "submissions": 1}
    assert state(core)["subs"] == [(sid, "queued", 2)]


def test_routes_are_in_the_openapi_document(http: Any) -> None:
    paths = json.loads(http.request("GET", "/openapi.json").body)["paths"]
    for route in ROUTES:
        assert set(paths[route]) == {"post"}
        assert "202" in paths[route]["post"]["responses"]


def test_an_imported_submission_keeps_its_recorded_judgement(
    http: Any, core: Core, admin: dict[str, str], submission: dict[str, Any]
) -> None:
    # A contest package's submission has no source: rejudging it would judge nothing.
    cid, pid = submission["cid"], submission["pid"]
    with core.db.transaction() as cur:
        cur.execute(
            "INSERT INTO submissions (contest_id, problem_id, user_id, language, source, imported, status)"
            " SELECT %s, %s, user_id, 'python', '', true, 'judged' FROM submissions WHERE id = %s"
            " RETURNING id",
            (cid, pid, submission["sid"]),
        )
        imported = cur.fetchone()["id"]
    before = state(core)
    assert (
        error_code(post(http, f"/admin/submissions/{imported}/rejudge", admin), 409) == "submission_imported"
    )
    assert state(core) == before
    many = post(http, f"/admin/contests/{cid}/problems/{pid}/rejudge", admin)
    assert json.loads(many.body) == {"contest_id": cid, "problem_id": pid, "submissions": 1}  # the other one
    assert (imported, "judged", 1) in state(core)["subs"]
