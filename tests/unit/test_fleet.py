"""judge_host.fleet without I/O: its settings and the scale-in protection rule."""

from __future__ import annotations

from typing import Any, cast

import pytest

from codearena.config import ConfigError
from judge_host.fleet import FleetSettings, ScaleInGuard


class RecordingInstance:
    """Stands in for fleet.Instance: records each protection call; the first `refusals` fail."""

    def __init__(self, refusals: int = 0) -> None:
        self.calls: list[bool] = []
        self.refusals = refusals

    def protect(self, protected: bool) -> bool:
        self.calls.append(protected)
        if self.refusals:
            self.refusals -= 1
            return False
        return True


def guard_of(instance: RecordingInstance, idle_seconds: float = 1.0) -> ScaleInGuard:
    return ScaleInGuard(cast(Any, instance), idle_seconds)


def test_fleet_membership_is_off_without_a_group_name() -> None:
    assert FleetSettings.from_env({}) is None
    assert FleetSettings.from_env({"CODEARENA_ASG_NAME": "  "}) is None


def test_fleet_settings_come_from_the_environment_with_the_templates_defaults() -> None:
    assert FleetSettings.from_env({"CODEARENA_ASG_NAME": "judges"}) == FleetSettings("judges")
    settings = FleetSettings.from_env(
        {
            "CODEARENA_ASG_NAME": "judges",
            "CODEARENA_LAUNCH_HOOK": "up",
            "CODEARENA_TERMINATE_HOOK": "down",
            "CODEARENA_IMDS_ENDPOINT": "http://127.0.0.1:9",
            "CODEARENA_FLEET_POLL_SECONDS": "0.5",
            "CODEARENA_FLEET_HEARTBEAT_SECONDS": "30",
            "CODEARENA_FLEET_IDLE_SECONDS": "2",
        }
    )
    assert settings == FleetSettings("judges", "up", "down", "http://127.0.0.1:9", 0.5, 30.0, 2.0)


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan", "1e9"])
def test_a_bad_fleet_timing_is_refused_by_name(value: str) -> None:
    with pytest.raises(ConfigError, match="CODEARENA_FLEET_POLL_SECONDS"):
        FleetSettings.from_env({"CODEARENA_ASG_NAME": "judges", "CODEARENA_FLEET_POLL_SECONDS": value})


def test_protection_follows_the_work_with_one_call_per_change() -> None:
    instance = RecordingInstance()
    guard = guard_of(instance, idle_seconds=1.0)
    # (busy, seconds): idle at start, a job, a short gap between jobs, then idle for good.
    for busy, now in [(False, 0.0), (False, 0.5), (True, 2.0), (False, 2.5), (True, 2.8), (False, 3.0)]:
        guard.update(busy, now)
    assert instance.calls == [False, True]
    assert guard.update(False, 3.7) == pytest.approx(0.1)  # idle time left: no call yet
    assert instance.calls == [False, True]
    assert guard.update(False, 3.9) == pytest.approx(1.0)
    guard.update(False, 9.0)
    assert instance.calls == [False, True, False]


def test_a_refused_protection_call_is_made_again_at_the_next_look() -> None:
    instance = RecordingInstance(refusals=1)
    guard = guard_of(instance)
    guard.update(True, 0.0)
    guard.update(True, 0.1)
    guard.update(True, 0.2)
    assert instance.calls == [True, True]


def test_a_stopping_host_releases_only_a_protection_it_holds() -> None:
    instance = RecordingInstance()
    guard = guard_of(instance)
    guard.update(False, 0.0)
    guard.release()
    assert instance.calls == [False]
    guard.update(True, 1.0)
    guard.release()
    assert instance.calls == [False, True, False]
