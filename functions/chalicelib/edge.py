"""Rendering at the HTTP boundary: every error is {"error": {"code", "message"}}."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any

import psycopg2
import redis
from chalice import Chalice, Response

from codearena.errors import CodeArenaError

log = logging.getLogger("codearena.http")
JSON_HEADERS = {"Content-Type": "application/json"}
RETRY_AFTER_SECONDS = 2  # a restarting PostgreSQL or Redis is usually back within seconds


def error_response(
    status: int,
    code: str,
    message: str,
    retry_after: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Our JSON error, keeping `headers` (e.g. a 405's Allow); a 429 or 503 says when to try
    again (Retry-After, seconds)."""
    if retry_after is None and status == 503:  # a restarting PostgreSQL or Redis
        retry_after = RETRY_AFTER_SECONDS
    merged = {**(headers or {}), **JSON_HEADERS}
    if retry_after is not None:
        merged["Retry-After"] = str(retry_after)
    return Response(body={"error": {"code": code, "message": message}}, status_code=status, headers=merged)


def endpoint(status: int = 200) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Turn a handler's dict into a JSON response and the core's errors into 4xx/503."""

    def wrap(handler: Callable[..., Any]) -> Callable[..., Response]:
        @functools.wraps(handler)
        def run(*args: Any, **kwargs: Any) -> Response:
            try:
                answer = handler(*args, **kwargs)
                if isinstance(answer, Response):  # an answer that is not JSON (the CLICS event feed)
                    return answer
                return Response(body=answer, status_code=status, headers=dict(JSON_HEADERS))  # its own
            except CodeArenaError as exc:
                return error_response(exc.status, exc.code, exc.message, exc.retry_after)
            except RecursionError:  # json.loads of a body nested thousands deep
                return error_response(400, "invalid_body", "the JSON body is nested too deeply")
            except UnicodeEncodeError:  # a lone surrogate ("\ud800") in a field no check covered
                return error_response(400, "invalid_field", "the request holds text that is not Unicode")
            except psycopg2.DataError as exc:  # a value the database cannot store: the input's fault
                log.warning("data error: %s", exc)
                return error_response(400, "invalid_data", "a value in the request is out of range")
            except (redis.RedisError, psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
                log.warning("a backing service is unavailable: %s", exc)
                return error_response(503, "service_unavailable", "a backing service is unavailable")

        return run

    return wrap


def install_error_shape(app: Chalice) -> None:
    """Reshape Chalice's own errors ({"Code", "Message"}: bad JSON, 405, 415, 500) into ours,
    keeping their headers (a 405's Allow)."""

    @app.middleware("http")
    def reshape(event: Any, get_response: Callable[[Any], Response]) -> Response:
        response = get_response(event)
        body = response.body
        if isinstance(body, dict) and set(body) == {"Code", "Message"}:
            code, message = _snake(str(body["Code"])), str(body["Message"])
            return error_response(response.status_code, code, message, headers=response.headers)
        return response


def _snake(name: str) -> str:
    name = name.removesuffix("Error") or name
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() or "error"
