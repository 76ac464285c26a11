"""Exit codes and signals from what bubblewrap or docker-init report (128 + n for signal n)."""

from __future__ import annotations

import signal

import pytest

from sandbox.protocol import exit_or_signal, from_wait_status


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        (0, (0, None)),
        (1, (1, None)),
        (128, (128, None)),
        (128 + signal.SIGKILL, (None, signal.SIGKILL)),
        (128 + signal.SIGRTMAX, (None, signal.SIGRTMAX)),
        (128 + signal.SIGRTMAX + 1, (128 + signal.SIGRTMAX + 1, None)),
        (200, (200, None)),
        (255, (255, None)),
    ],
)
def test_exit_or_signal(reported: int, expected: tuple[int | None, int | None]) -> None:
    assert exit_or_signal(reported) == expected


def test_a_wait_status_is_exact() -> None:
    assert from_wait_status(200 << 8) == (200, None)
    assert from_wait_status(137 << 8) == (137, None)
    assert from_wait_status(signal.SIGSEGV) == (None, signal.SIGSEGV)
