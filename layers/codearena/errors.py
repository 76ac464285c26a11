"""Errors the core raises for bad requests and unavailable services.

    CodeArenaError              code, message, HTTP status
    ├── BadRequest              400  malformed or invalid input
    ├── Unauthorized            401  missing, invalid or expired token / credentials
    ├── Forbidden               403  authenticated but not allowed
    ├── NotFound                404
    ├── Conflict                409  state forbids it (contest not running, name taken)
    ├── PayloadTooLarge         413
    ├── RateLimited             429
    └── ServiceUnavailable      503  PostgreSQL or Redis unreachable

The HTTP edge (functions/chalicelib) renders each as {"error": {"code", "message"}}.
"""

from __future__ import annotations


class CodeArenaError(Exception):
    status = 500
    default_code = "internal"

    def __init__(self, message: str, code: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.retry_after = retry_after  # seconds, sent as Retry-After (429, 503)


class BadRequest(CodeArenaError):
    status = 400
    default_code = "bad_request"


class Unauthorized(CodeArenaError):
    status = 401
    default_code = "unauthorized"


class Forbidden(CodeArenaError):
    status = 403
    default_code = "forbidden"


class NotFound(CodeArenaError):
    status = 404
    default_code = "not_found"


class Conflict(CodeArenaError):
    status = 409
    default_code = "conflict"


class PayloadTooLarge(CodeArenaError):
    status = 413
    default_code = "payload_too_large"


class RateLimited(CodeArenaError):
    status = 429
    default_code = "rate_limited"


class ServiceUnavailable(CodeArenaError):
    status = 503
    default_code = "service_unavailable"
