"""The `migrate` function: brings the database to the current schema, once per deploy."""

from __future__ import annotations

from typing import Any

from codearena.config import Settings
from codearena.db import migrate


def handler(event: dict[str, Any], context: Any) -> dict[str, list[str]]:
    """Apply what the database lacks; {"applied": [...]} names it (empty when current).

    It connects to the database instance, not RDS Proxy: the migration lock is a session
    advisory lock, which would pin a proxy connection (and outlive a proxy failover).
    """
    return {"applied": migrate(Settings.from_env().migration_database_url)}
