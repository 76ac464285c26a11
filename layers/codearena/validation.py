"""Checks on request bodies: each returns the clean value or raises BadRequest."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

from codearena.errors import BadRequest


def body_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object", "invalid_body")
    return body


def string(
    body: dict[str, Any],
    name: str,
    *,
    min_len: int = 1,
    max_len: int = 10_000,
    required: bool = True,
    default: str = "",
) -> str:
    value = body.get(name)
    if value is None and not required:
        return default
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a string", "invalid_field")
    if not min_len <= len(value) <= max_len:
        raise BadRequest(f"'{name}' must be {min_len} to {max_len} characters long", "invalid_field")
    return text(value, name)


def text(value: str, name: str) -> str:
    """`value` unless it holds a NUL character, which PostgreSQL text cannot store, or a lone
    surrogate (JSON's "\\ud800"), which is no text at all."""
    if "\x00" in value:
        raise BadRequest(f"'{name}' must not contain NUL characters", "invalid_field")
    if not is_unicode(value):
        raise BadRequest(f"'{name}' must be valid Unicode text", "invalid_field")
    return value


def is_unicode(value: str) -> bool:
    """Whether `value` encodes to UTF-8 (a lone surrogate does not)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def integer(body: dict[str, Any], name: str, *, low: int, high: int, default: int | None = None) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"'{name}' must be an integer", "invalid_field")
    if not low <= value <= high:
        raise BadRequest(f"'{name}' must be between {low} and {high}", "invalid_field")
    return value


def boolean(body: dict[str, Any], name: str, default: bool = False) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise BadRequest(f"'{name}' must be true or false", "invalid_field")
    return value


def timestamp(body: dict[str, Any], name: str, *, required: bool = True) -> datetime | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be an ISO 8601 time with a zone", "invalid_field")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(f"'{name}' is not an ISO 8601 time", "invalid_field") from exc
    if parsed.tzinfo is None:
        raise BadRequest(f"'{name}' needs a time zone, e.g. 2026-01-01T10:00:00Z", "invalid_field")
    try:
        in_utc = parsed.astimezone(UTC)
    except OverflowError as exc:
        raise BadRequest(f"'{name}' is out of range", "invalid_field") from exc
    if not 1970 <= in_utc.year <= 9998:
        raise BadRequest(f"'{name}' must lie between the years 1970 and 9998", "invalid_field")
    return parsed


def choice(
    body: dict[str, Any],
    name: str,
    options: tuple[str, ...],
    default: str | None = None,
    code: str = "invalid_field",
) -> str:
    value = body.get(name, default)
    if value not in options:
        raise BadRequest(f"'{name}' must be one of: {', '.join(options)}", code)
    return str(value)


_CHECKER = re.compile(r"(exact|tokens|float)((?::[0-9.eE+-]+){0,2})(,nocase)?(,spaces)?", re.ASCII)


def checker(body: dict[str, Any], name: str) -> str:
    """An output checker spec (sandbox.checkers): tokens (the default), exact, float,
    float:TOL or float:ABS:REL with finite, non-negative tolerances, then optionally
    ",nocase" (letters in any case) and ",spaces" (whitespace must match exactly)."""
    value = body.get(name, "tokens")
    usage = (
        f"'{name}' must be tokens, exact, float, float:TOL or float:ABS:REL,"
        " optionally followed by ,nocase and then ,spaces"
    )
    match = _CHECKER.fullmatch(value) if isinstance(value, str) and len(value) <= 100 else None
    if match is None or (match[2] and match[1] != "float"):
        raise BadRequest(usage, "invalid_checker")
    try:
        tolerances = [float(part) for part in match[2].split(":")[1:]]
    except ValueError:
        raise BadRequest(usage, "invalid_checker") from None
    if not all(0 <= tolerance < math.inf for tolerance in tolerances):
        raise BadRequest(f"'{name}': tolerances are finite and not negative", "invalid_checker")
    return str(value)


def is_id(value: str) -> bool:
    """ASCII digits that fit a PostgreSQL bigint id (at most 18 of them)."""
    return value.isascii() and value.isdecimal() and len(value) <= 18


def path_id(value: str, what: str) -> int:
    if not is_id(value):
        raise BadRequest(f"{what} id must be a positive integer", "invalid_id")
    return int(value)


def query_int(params: dict[str, str] | None, name: str, *, default: int, low: int, high: int) -> int:
    raw = (params or {}).get(name)
    if raw is None:
        return default
    if not is_id(raw) or not low <= int(raw) <= high:
        raise BadRequest(f"query parameter '{name}' must be an integer from {low} to {high}", "invalid_query")
    return int(raw)
