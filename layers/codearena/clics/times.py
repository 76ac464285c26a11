"""Times as the CLICS specification writes them: ABSTIME (ISO 8601 with milliseconds and an
offset) and RELTIME (`[-]h:mm:ss.uuu`, hours unbounded), both read and written exactly to the
millisecond."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from codearena.errors import BadRequest

_RELTIME = re.compile(r"^(-)?([0-9]+):([0-5][0-9]):([0-5][0-9])(?:\.([0-9]{1,3}))?$")


def abstime(moment: datetime) -> str:
    """2017-11-26T10:15:00.000+00:00 (UTC; milliseconds rounded down)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+00:00"


def reltime(span: timedelta) -> str:
    """5:00:00.000, -18:12:55.723 (milliseconds toward zero, as contest times are truncated)."""
    millis = abs(span // timedelta(microseconds=1)) // 1000
    sign = "-" if span < timedelta(0) and millis else ""
    seconds, ms = divmod(millis, 1000)
    minutes, s = divmod(seconds, 60)
    hours, m = divmod(minutes, 60)
    return f"{sign}{hours}:{m:02d}:{s:02d}.{ms:03d}"


def parse_abstime(text: object, what: str) -> datetime:
    if not isinstance(text, str):
        raise BadRequest(f"{what} must be a time such as 2017-11-26T10:15:00.000+00:00", "invalid_time")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{what}: {text!r} is not a time", "invalid_time") from None
    if moment.tzinfo is None:
        raise BadRequest(f"{what}: {text!r} has no offset from UTC", "invalid_time")
    return moment


def parse_reltime(text: object, what: str) -> timedelta:
    found = _RELTIME.match(text) if isinstance(text, str) else None
    if found is None:
        raise BadRequest(f"{what} must be a duration such as 5:00:00.000, not {text!r}", "invalid_time")
    sign, hours, minutes, seconds, fraction = found.groups()
    span = timedelta(
        hours=int(hours),
        minutes=int(minutes),
        seconds=int(seconds),
        milliseconds=int((fraction or "0").ljust(3, "0")),
    )
    return -span if sign else span
