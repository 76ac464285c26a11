"""CodeArena's HTTP API (DESIGN §8). Each route is one line into chalicelib.Api."""

import os
from typing import Any

import boto3
from chalice import Chalice, CORSConfig, Rate, Response
from chalice.app import Request, WebsocketEvent

from chalicelib.api import Api
from chalicelib.edge import install_error_shape
from chalicelib.judge_scaling import handler as scale_judges
from chalicelib.migrate import handler as run_migrations
from chalicelib.realtime import Realtime

app = Chalice(app_name="codearena")
# The web app may be served from another origin (S3, DESIGN §2): every route answers CORS.
app.api.cors = CORSConfig(allow_origin="*", allow_headers=["Idempotency-Key"], max_age=600)
install_error_shape(app)
api = Api()


def request() -> Request:
    assert app.current_request is not None
    return app.current_request


@app.route("/openapi.json", methods=["GET"])
def openapi() -> Response:
    return api.openapi(request())


@app.route("/auth/register", methods=["POST"])
def register() -> Response:
    return api.register(request())


@app.route("/auth/login", methods=["POST"])
def login() -> Response:
    return api.login(request())


@app.route("/auth/me", methods=["GET"])
def me() -> Response:
    return api.me(request())


@app.route("/auth/logout", methods=["POST"])
def logout() -> Response:
    return api.logout(request())


@app.route("/auth/password", methods=["PUT"])
def change_password() -> Response:
    return api.change_password(request())


@app.route("/languages", methods=["GET"])
def languages() -> Response:
    return api.languages(request())


@app.route("/contests", methods=["GET"])
def list_contests() -> Response:
    return api.list_contests(request())


@app.route("/contests/{cid}", methods=["GET"])
def get_contest(cid: str) -> Response:
    return api.get_contest(request(), cid)


@app.route("/contests/{cid}/problems", methods=["GET"])
def list_problems(cid: str) -> Response:
    return api.list_problems(request(), cid)


@app.route("/contests/{cid}/problems/{pid}", methods=["GET"])
def get_problem(cid: str, pid: str) -> Response:
    return api.get_problem(request(), cid, pid)


@app.route("/contests/{cid}/leaderboard", methods=["GET"])
def leaderboard(cid: str) -> Response:
    return api.leaderboard(request(), cid)


@app.route("/contests/{cid}/submissions", methods=["POST"])
def submit(cid: str) -> Response:
    return api.submit(request(), cid)


@app.route("/contests/{cid}/submissions", methods=["GET"])
def my_submissions(cid: str) -> Response:
    return api.my_submissions(request(), cid)


@app.route("/contests/{cid}/registration", methods=["POST"])
def register_for_contest(cid: str) -> Response:
    return api.register_for_contest(request(), cid)


@app.route("/contests/{cid}/registration", methods=["GET"])
def my_registration(cid: str) -> Response:
    return api.my_registration(request(), cid)


@app.route("/submissions/{sid}", methods=["GET"])
def get_submission(sid: str) -> Response:
    return api.get_submission(request(), sid)


@app.route("/admin/contests", methods=["POST"])
def create_contest() -> Response:
    return api.create_contest(request())


@app.route("/admin/contests/{cid}", methods=["PATCH"])
def update_contest(cid: str) -> Response:
    return api.update_contest(request(), cid)


@app.route("/admin/problems", methods=["POST"])
def create_problem() -> Response:
    return api.create_problem(request())


@app.route("/admin/contests/{cid}/problems", methods=["POST"])
def attach_problem(cid: str) -> Response:
    return api.attach_problem(request(), cid)


@app.route("/admin/contests/{cid}/leaderboard", methods=["GET"])
def jury_leaderboard(cid: str) -> Response:
    return api.jury_leaderboard(request(), cid)


@app.route("/admin/users/{uid}/role", methods=["PUT"])
def set_role(uid: str) -> Response:
    return api.set_role(request(), uid)


@app.route("/admin/users", methods=["GET"])
def find_users() -> Response:
    return api.find_users(request())


@app.route("/admin/users/{uid}/ban", methods=["POST"])
def ban_user(uid: str) -> Response:
    return api.ban_user(request(), uid)


@app.route("/admin/users/{uid}/ban", methods=["DELETE"])
def unban_user(uid: str) -> Response:
    return api.unban_user(request(), uid)


@app.route("/admin/users/{uid}/revoke-tokens", methods=["POST"])
def revoke_tokens(uid: str) -> Response:
    return api.revoke_tokens(request(), uid)


@app.route("/admin/contests/{cid}/participants", methods=["GET"])
def list_participants(cid: str) -> Response:
    return api.list_participants(request(), cid)


@app.route("/admin/contests/{cid}/participants/{uid}", methods=["PUT"])
def set_participant(cid: str, uid: str) -> Response:
    return api.set_participant(request(), cid, uid)


@app.route("/admin/contests/{cid}/unfreeze", methods=["POST"])
def unfreeze(cid: str) -> Response:
    return api.unfreeze(request(), cid)


@app.route("/admin/submissions/{sid}/rejudge", methods=["POST"])
def rejudge_submission(sid: str) -> Response:
    return api.rejudge_submission(request(), sid)


@app.route("/admin/contests/{cid}/problems/{pid}/rejudge", methods=["POST"])
def rejudge_problem(cid: str, pid: str) -> Response:
    return api.rejudge_problem(request(), cid, pid)


# --- WebSocket API (DESIGN §7): connect with ?token=, then subscribe/unsubscribe messages -------
app.experimental_feature_flags.update(["WEBSOCKETS"])
app.websocket_api.session = boto3.session.Session(region_name=os.environ.get("AWS_REGION", "us-east-1"))
realtime = Realtime(api)


@app.on_ws_connect()
def ws_connect(event: WebsocketEvent) -> dict[str, Any]:
    return realtime.connect(event)


@app.on_ws_message()
def ws_message(event: WebsocketEvent) -> dict[str, Any]:
    return realtime.message(event)


@app.on_ws_disconnect()
def ws_disconnect(event: WebsocketEvent) -> dict[str, Any]:
    return realtime.disconnect(event)


# --- Migrations: `codearena deploy` invokes this once per deploy ---------------------------
@app.lambda_function(name="migrate")
def migrate(event: dict[str, Any], context: Any) -> dict[str, list[str]]:
    return run_migrations(event, context)


# --- The judge fleet's scaling signal and contest warm-ups (codearena.scaling) ---------------
@app.schedule(Rate(1, unit=Rate.MINUTES), name="judge_scaling")
def judge_scaling(event: Any) -> dict[str, Any]:
    return scale_judges(event, None)
