"""The OpenAPI document served at /openapi.json (DESIGN §8), built from one route table."""

from __future__ import annotations

from typing import Any

# method, path, who may call, success status, summary
ROUTES: list[tuple[str, str, str, int, str]] = [
    ("post", "/auth/register", "anyone", 201, "Register {username, password}"),
    ("post", "/auth/login", "anyone", 200, "Log in; returns {token, expires_at}"),
    ("get", "/auth/me", "registered", 200, "Who the token belongs to"),
    ("post", "/auth/logout", "registered", 200, "End this token, or with {everywhere: true} every token"),
    (
        "put",
        "/auth/password",
        "registered",
        200,
        "Change {current_password, new_password}; ends every other token, returns a new one",
    ),
    ("get", "/languages", "anyone", 200, "Languages a live judge host can run now"),
    ("get", "/contests", "anyone", 200, "Contests with state and times"),
    ("get", "/contests/{cid}", "anyone", 200, "One contest and its problem labels"),
    ("get", "/contests/{cid}/problems", "anyone", 200, "Problems of a started contest"),
    (
        "get",
        "/contests/{cid}/problems/{pid}",
        "anyone",
        200,
        "Statement, limits and samples (by id or label)",
    ),
    (
        "get",
        "/contests/{cid}/leaderboard",
        "anyone",
        200,
        "Public board; ?offset&limit&at=<ISO time>; with a token also your own row;"
        " first_solves: problem label → user id of its first solver",
    ),
    (
        "post",
        "/contests/{cid}/submissions",
        "contestant",
        202,
        "Submit {problem_id, language, source}; optional Idempotency-Key header",
    ),
    ("get", "/contests/{cid}/submissions", "registered", 200, "Your submissions in a contest"),
    (
        "post",
        "/contests/{cid}/registration",
        "contestant",
        200,
        "Take part: open contests approve at once, approval contests wait for an organizer,"
        " invite-only contests need an invitation",
    ),
    ("get", "/contests/{cid}/registration", "registered", 200, "Your registration status in a contest"),
    (
        "get",
        "/submissions/{sid}",
        "owner, jury",
        200,
        "Status, verdict, score and per-test results",
    ),
    (
        "post",
        "/admin/contests",
        "admin",
        201,
        "Create {title, start_at, end_at, freeze_at?, scoring, penalty_minutes?, practice?}",
    ),
    ("patch", "/admin/contests/{cid}", "admin", 200, "Change any contest field"),
    (
        "post",
        "/admin/problems",
        "admin",
        201,
        "Create {title, statement, time_limit_ms, memory_limit_kb, points?, checker?, tests: [...]}",
    ),
    ("post", "/admin/contests/{cid}/problems", "admin", 201, "Attach {problem_id, label}"),
    ("get", "/admin/contests/{cid}/leaderboard", "jury, admin", 200, "The live jury board"),
    ("put", "/admin/users/{uid}/role", "admin", 200, "Set {role}"),
    ("get", "/admin/users", "admin", 200, "Accounts whose username starts with ?username="),
    ("post", "/admin/users/{uid}/ban", "admin", 200, "Ban {reason?}: tokens end, login refused"),
    ("delete", "/admin/users/{uid}/ban", "admin", 200, "Lift a ban"),
    ("post", "/admin/users/{uid}/revoke-tokens", "admin", 200, "End every token of an account"),
    ("get", "/admin/contests/{cid}/participants", "jury, admin", 200, "Who registered, was invited or asked"),
    (
        "put",
        "/admin/contests/{cid}/participants/{uid}",
        "admin",
        200,
        "Set a user's {status}: invited, approved or rejected",
    ),
    (
        "post",
        "/admin/contests/{cid}/unfreeze",
        "admin",
        202,
        "Reveal the final board after the freeze (new leaderboard events)",
    ),
    (
        "post",
        "/admin/submissions/{sid}/rejudge",
        "admin",
        202,
        "Judge a submission again; the new result supersedes the old, kept for audit",
    ),
    (
        "post",
        "/admin/contests/{cid}/problems/{pid}/rejudge",
        "admin",
        202,
        "Judge every submission of a problem in a contest again",
    ),
]

_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for method, path, who, status, summary in ROUTES:
        operation: dict[str, Any] = {
            "summary": summary,
            "description": f"Who may call: {who}.",
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in ("cid", "pid", "sid", "uid")
                if "{" + name + "}" in path
            ],
            "responses": {
                str(status): {"description": "success", "content": {"application/json": {}}},
                "4XX": {
                    "description": "bad request, auth or state error",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            },
        }
        if who != "anyone":
            operation["security"] = [{"bearer": []}]
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": "CodeArena", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": {"Error": _ERROR},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
