"""A browser's preflight for a submission, answered by the real gateway: the web app may be
served from another origin (S3) and sends Authorization and Idempotency-Key."""

from __future__ import annotations

import httpx


def test_preflight_allows_the_submission_headers(gateway: str) -> None:
    answer = httpx.options(
        gateway + "/contests/1/submissions",
        headers={
            "Origin": "https://contest.example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
        },
    )
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    allowed = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key"} <= allowed
    assert "POST" in answer.headers["access-control-allow-methods"]
