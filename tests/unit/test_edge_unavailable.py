"""The HTTP edge: a backing service that cannot be reached is 503 with Retry-After, however
its failure surfaces (the core's ServiceUnavailable, or a driver's error that escaped)."""

from __future__ import annotations

import psycopg2
import pytest
import redis

from chalicelib.edge import endpoint
from codearena.errors import ServiceUnavailable


@pytest.mark.parametrize(
    "error",
    [
        ServiceUnavailable("the database is unavailable"),
        psycopg2.OperationalError("server closed the connection unexpectedly"),
        psycopg2.InterfaceError("connection already closed"),
        redis.ConnectionError("Connection refused"),
    ],
)
def test_an_unreachable_service_is_503_with_retry_after(error: Exception) -> None:
    @endpoint()
    def handler() -> dict[str, str]:
        raise error

    response = handler()
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    assert response.headers["Content-Type"] == "application/json"
    assert response.body["error"]["code"] == "service_unavailable" and response.body["error"]["message"]


def test_other_errors_carry_no_retry_after() -> None:
    @endpoint()
    def handler() -> dict[str, str]:
        raise psycopg2.DataError("integer out of range")

    response = handler()
    assert response.status_code == 400 and "Retry-After" not in response.headers


def test_each_answer_has_headers_of_its_own() -> None:
    # Chalice adds headers to a response (CORS); they must not stay for the next answers.
    @endpoint()
    def handler() -> dict[str, str]:
        return {"ok": "yes"}

    first = handler()
    first.headers["Access-Control-Allow-Origin"] = "*"
    assert handler().headers == {"Content-Type": "application/json"}
