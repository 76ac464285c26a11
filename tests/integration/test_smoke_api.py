import json


def test_register_login_submit(http, core, running_contest):
    r = http.post(
        "/auth/register",
        body=json.dumps({"username": "carol", "password": "secret-pass"}),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 201, r.body
    r = http.post(
        "/auth/login",
        body=json.dumps({"username": "carol", "password": "secret-pass"}),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 200
    token = r.json_body["token"]
    h = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    cid = running_contest["id"]
    r = http.post(
        f"/contests/{cid}/submissions",
        headers=h,
        body=json.dumps(
            {
                "problem_id": running_contest["problem_id"],
                "language": "python",
                "source": "print(3)",
            }
        ),
    )
    assert r.status_code == 202, r.body
    sid = r.json_body["id"]
    r = http.get(f"/submissions/{sid}", headers=h)
    assert r.json_body["status"] == "queued"
    r = http.get(f"/contests/{cid}/leaderboard")
    assert r.status_code == 200
    [row] = r.json_body["rows"]  # the queued attempt shows as pending from intake on
    assert row["username"] == "carol" and row["solved"] == 0 and row["problems"]["A"]["pending"] == 1
    r = http.get(f"/contests/{cid}/problems/A")
    assert r.json_body["samples"] == [{"input": "1 2\n", "answer": "3\n"}]
    r = http.get("/nope")
    assert r.status_code in (403, 404)
