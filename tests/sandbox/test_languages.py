"""Every language: each reports compile errors and gets its flags (each reads stdin and sums
in test_cli.py, through `codearena sandbox run`)."""

from __future__ import annotations

import json

import pytest

from codearena.languages import LANGUAGES as ACCEPTED_LANGUAGES
from sandbox import LANGUAGES, Box, Language, Limits, Sandbox, Status
from sandbox.languages import MAX_SOURCE_BYTES
from tests.languages import BROKEN, SUM
from tests.sandbox.conftest import LIMITS, compile_ok, run_program

RUNTIME_FLAGS = {
    "java": """public class Main {
    public static void main(String[] args) {
        System.out.println(Runtime.getRuntime().maxMemory() / (1024 * 1024));
    }
}
""",
    "javascript": "console.log(Math.round(require('v8').getHeapStatistics().heap_size_limit / 1048576));\n",
    "go": """package main

import (
\t"fmt"
\t"runtime"
\t"runtime/debug"
)

func main() { fmt.Println(runtime.GOMAXPROCS(0), debug.SetMemoryLimit(-1)/(1<<20)) }
""",
}


def test_the_languages_are_the_ones_the_platform_accepts() -> None:
    assert tuple(LANGUAGES) == ACCEPTED_LANGUAGES
    assert list(SUM) == list(BROKEN) == list(LANGUAGES)  # a new language needs both programs
    assert len(LANGUAGES) >= 25


def test_every_toolchain_is_installed_here() -> None:
    """make test installs every toolchain; a missing one would silently shrink the language list."""
    assert {name: LANGUAGES[name].missing() for name in LANGUAGES} == dict.fromkeys(LANGUAGES, ())
    assert Sandbox.available_languages() == list(LANGUAGES)


def test_a_missing_toolchain_is_not_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    ghost = Language("ghost", "main.g", None, ("/usr/bin/ghost",), ("/usr/bin/ghost",), "hello")
    assert not ghost.available() and ghost.missing() == ("/usr/bin/ghost",)
    monkeypatch.setitem(LANGUAGES, "ghost", ghost)
    assert "ghost" not in Sandbox.available_languages()  # so self_test() skips it too


# Every language's compile error and its message are checked end to end, judged
# (tests/e2e/test_languages_judged.py); here one language per way of failing: a compiler, a
# syntax check, a compiler on the JVM.
@pytest.mark.parametrize("language", ["cpp", "python", "java", "kotlin", "haskell", "elixir"])
def test_compile_error_carries_the_message(box: Box, language: str) -> None:
    source, message = BROKEN[language]
    result = box.compile(language, source)
    assert not result.ok and message in result.output, result.output
    with pytest.raises(RuntimeError, match="compile"):
        box.run(None, LIMITS)  # nothing to run after a compile error


def test_compiler_message_is_capped(box: Box) -> None:
    result = box.compile("cpp", "int main() {\n" + "undeclared_thing;\n" * 20000 + "}\n")
    assert not result.ok and "undeclared_thing" in result.output
    assert len(result.output.encode()) <= 64 * 1024


def test_source_limit_is_generous() -> None:
    assert MAX_SOURCE_BYTES >= 1024 * 1024  # the platform's own limit is 64 KiB


@pytest.mark.parametrize("memory_mb", [128, 512])
def test_managed_runtimes_take_their_heap_from_the_limit(box: Box, memory_mb: int) -> None:
    limits = Limits(time_limit_ms=2000, memory_limit_kb=memory_mb * 1024)
    java = int(run_program(box, "java", RUNTIME_FLAGS["java"], limits).stdout)
    assert memory_mb * 0.85 <= java <= memory_mb  # the JVM reports the heap minus a survivor space
    node = int(run_program(box, "javascript", RUNTIME_FLAGS["javascript"], limits).stdout)
    assert memory_mb <= node <= memory_mb + 64  # old space plus the young generation
    go = run_program(box, "go", RUNTIME_FLAGS["go"], limits).stdout.split()
    assert go == [b"1", str(memory_mb).encode()]


def test_jvm_threads_do_not_eat_the_programs_process_allowance(box: Box) -> None:
    """60 threads of its own fit in the default allowance of 64, on top of the JVM's ~13."""
    source = """public class Main {
    public static void main(String[] args) throws Exception {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(60);
        for (int i = 0; i < 60; i++) {
            Thread t = new Thread(() -> {
                started.countDown();
                try { Thread.sleep(60000); } catch (Exception e) { }
            });
            t.setDaemon(true);
            t.start();
        }
        started.await();
        System.out.println(Thread.activeCount() >= 60);
    }
}
"""
    result = run_program(box, "java", source)
    assert (result.status, result.stdout) == (Status.OK, b"true\n"), result.stderr[:500]


def test_go_builds_in_a_private_cache(box: Box) -> None:
    compile_ok(
        box,
        "go",
        'package main\n\nimport (\n\t"encoding/json"\n\t"os"\n)\n\n'
        "func main() { json.NewEncoder(os.Stdout).Encode(os.Environ()) }\n",
    )
    environment = json.loads(box.run(None, LIMITS).stdout)
    assert "GOMAXPROCS=1" in environment and not any(v.startswith("GOCACHE") for v in environment)
    assert sorted(path.name for path in box.spec.scratch.iterdir()) == ["main", "main.go"]
