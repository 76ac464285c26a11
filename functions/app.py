"""CodeArena's HTTP API (DESIGN §8). Each route is one line into chalicelib.Api."""

from chalice import Chalice, Response
from chalice.app import Request

from chalicelib.api import Api
from chalicelib.edge import install_error_shape

app = Chalice(app_name="codearena")
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
