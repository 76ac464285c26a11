"""The docker box's memory verdict (sandbox.docker.box.oom_killed): docker's own flag, or a
SIGKILL nobody of ours sent with the peak at the limit (the flag can miss the kernel's kill)."""

from __future__ import annotations

from signal import SIGKILL, SIGSEGV

from sandbox.docker.box import oom_killed

LIMIT = 64 * 1024 * 1024
AT_LIMIT = 65_276 * 1024  # a C memory bomb's peak, SIGKILLed, with OOMKilled false


def test_dockers_flag_is_enough() -> None:
    assert oom_killed({"OOMKilled": True}, SIGKILL, None, 0, LIMIT)


def test_a_kill_nobody_of_ours_sent_at_the_limit_is_the_kernels() -> None:
    assert oom_killed({"OOMKilled": False}, SIGKILL, None, AT_LIMIT, LIMIT)


def test_other_ends_are_not_the_memory_limit() -> None:
    assert not oom_killed({"OOMKilled": False}, SIGKILL, "cpu", AT_LIMIT, LIMIT)  # our watchdog
    assert not oom_killed({"OOMKilled": False}, SIGKILL, "wall", AT_LIMIT, LIMIT)
    assert not oom_killed({"OOMKilled": False}, SIGKILL, None, LIMIT // 2, LIMIT)  # the CPU backstop
    assert not oom_killed({"OOMKilled": False}, SIGSEGV, None, AT_LIMIT, LIMIT)
    assert not oom_killed({}, None, None, AT_LIMIT, LIMIT)  # exited by itself near the limit
