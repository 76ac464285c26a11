"""Redis key names: no prefix unless CODEARENA_REDIS_PREFIX sets one (tests set their own)."""

from __future__ import annotations

import os
import subprocess
import sys

PRINT = "from codearena import keys; print(keys.PREFIX + '|' + keys.QUEUE + '|' + keys.board(3, 'public'))"


def names(prefix: str | None) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if name != "CODEARENA_REDIS_PREFIX"}
    if prefix is not None:
        env["CODEARENA_REDIS_PREFIX"] = prefix
    return subprocess.run([sys.executable, "-c", PRINT], env=env, capture_output=True, text=True, timeout=60)


def test_names_have_no_prefix_by_default() -> None:
    assert names(None).stdout.strip() == "|queue:submissions|lb:3:public:order"


def test_a_prefix_starts_every_name() -> None:
    assert names("run-1:").stdout.strip() == "run-1:|run-1:queue:submissions|run-1:lb:3:public:order"


def test_a_prefix_with_pattern_characters_is_refused() -> None:
    for bad in ("run*", "a?", "[x]", "a b", "x" * 65):
        answer = names(bad)
        assert answer.returncode != 0 and "CODEARENA_REDIS_PREFIX" in answer.stderr, bad
