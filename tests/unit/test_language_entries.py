"""What a language's entry does to a run's limits and where its source goes, without a sandbox."""

from __future__ import annotations

import math
from dataclasses import replace

from sandbox import Limits
from sandbox.languages import LANGUAGES
from sandbox.languages.ada import ada_entry

LIMITS = Limits(time_limit_ms=1000, memory_limit_kb=256 * 1024, output_limit_kb=1024, open_files=64)


def test_runtime_floors_raise_the_limits_they_name_and_nothing_else() -> None:
    elixir, r, c = (LANGUAGES[name].run_limits(LIMITS) for name in ("elixir", "r", "c"))
    assert c == LIMITS
    assert (elixir.output_limit_kb, elixir.processes, elixir.open_files) == (64 * 1024, 64 + 16, 64)
    assert (r.output_limit_kb, r.open_files) == (1024, 256)
    generous = Limits(time_limit_ms=1000, memory_limit_kb=256 * 1024, output_limit_kb=128 * 1024)
    assert LANGUAGES["elixir"].run_limits(generous).output_limit_kb == 128 * 1024


def test_heap_caps_follow_the_memory_limit() -> None:
    assert "-Xmx256m" in LANGUAGES["kotlin"].run_command(LIMITS)
    assert "-Xmx256m" in LANGUAGES["scala"].run_command(LIMITS)
    assert LANGUAGES["csharp"].run_environment(LIMITS)["MONO_GC_PARAMS"] == "max-heap-size=256m"
    assert LANGUAGES["pypy"].run_environment(LIMITS) == {"PYPY_GC_MAX": "256MB"}


def test_the_ada_source_is_named_after_its_main_procedure() -> None:
    source = (
        b"-- procedure Decoy is\nwith Ada.Text_IO;\nprocedure Solve_It is\nbegin\n null;\nend Solve_It;\n"
    )
    assert ada_entry(source) == ada_entry(source.replace(b"Solve_It", b"SOLVE_IT"))
    assert (ada_entry(source).source_name, ada_entry(b"null;").source_name) == ("solve_it.adb", "main.adb")
    argv = LANGUAGES["ada"].compile_command(ada_entry(source))
    assert argv is not None and "solve_it.adb" in argv


def test_a_time_factor_multiplies_the_cpu_and_wall_limits_and_is_offered() -> None:
    walled = replace(LIMITS, wall_time_limit_ms=1500)
    slow = [language for language in LANGUAGES.values() if language.time_factor != 1]
    assert {language.name for language in slow} >= {"elixir"}
    for language in slow:
        scaled = language.run_limits(walled)
        assert scaled.time_limit_ms == math.ceil(1000 * language.time_factor) > 1000, language.name
        assert scaled.wall_time_limit_ms == math.ceil(1500 * language.time_factor), language.name
        assert language.describe()["time_factor"] == language.time_factor
    assert LANGUAGES["c"].run_limits(walled) == walled
    assert LANGUAGES["c"].describe()["time_factor"] == 1
