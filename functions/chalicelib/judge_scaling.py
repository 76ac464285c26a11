"""The `judge_scaling` function, every minute: the queue's metrics to CloudWatch and each
coming contest's warm-up as scheduled actions on the judges' group (codearena.scaling.tick)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import boto3

from codearena import scaling
from codearena.core import Core

_core: Core | None = None  # one per execution environment, as the API keeps its own


def handler(event: Any, context: Any) -> dict[str, Any]:
    global _core
    if _core is None:
        _core = Core.from_env()
    fleet = scaling.FleetScaling.from_env(os.environ)
    done = scaling.tick(
        _core, boto3.client("cloudwatch"), boto3.client("autoscaling"), fleet, datetime.now(UTC)
    )
    return {"depth": done.stats.depth, "put": done.put, "deleted": done.deleted}
