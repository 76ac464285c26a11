"""Organizations (a team's affiliation on the roster, the CLICS `organizations`): create and list."""

from __future__ import annotations

import re
from typing import Any

import psycopg2.errors

from codearena import validation as v
from codearena.core import Core
from codearena.db import one_row
from codearena.errors import BadRequest, Conflict

_COLUMNS = "id, external_id, name, formal_name, country"
_EXTERNAL_ID = re.compile(r"[A-Za-z0-9_.-]{1,36}", re.ASCII)
_COUNTRY = re.compile(r"[A-Z]{3}", re.ASCII)


def create(core: Core, body: Any) -> dict[str, Any]:
    """A new organization: `name`, and optionally `formal_name`, `country` (ISO 3166-1
    alpha-3) and `external_id`; Conflict when the external id is taken."""
    fields = _fields(v.body_object(body))
    try:
        with core.db.transaction() as cur:
            cur.execute(
                "INSERT INTO organizations (name, formal_name, country, external_id)"
                f" VALUES (%(name)s, %(formal_name)s, %(country)s, %(external_id)s) RETURNING {_COLUMNS}",
                fields,
            )
            return dict(one_row(cur))
    except psycopg2.errors.UniqueViolation as exc:
        raise Conflict(f"an organization has the external id {fields['external_id']}", "duplicate") from exc


def listing(core: Core) -> dict[str, Any]:
    with core.db.transaction() as cur:
        cur.execute(f"SELECT {_COLUMNS} FROM organizations ORDER BY name, id")
        return {"organizations": [dict(row) for row in cur.fetchall()]}


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    fields = {
        "name": v.string(body, "name", max_len=200),
        "formal_name": v.string(body, "formal_name", max_len=300, required=False) or None,
        "country": v.string(body, "country", max_len=3, required=False) or None,
        "external_id": v.string(body, "external_id", max_len=36, required=False) or None,
    }
    if fields["country"] is not None and not _COUNTRY.fullmatch(fields["country"]):
        raise BadRequest("'country' must be an ISO 3166-1 alpha-3 code such as SWE", "invalid_field")
    if fields["external_id"] is not None and not _EXTERNAL_ID.fullmatch(fields["external_id"]):
        raise BadRequest("'external_id' may hold letters, digits, '_', '.' and '-'", "invalid_field")
    return fields
