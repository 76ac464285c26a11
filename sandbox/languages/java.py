"""Java. The class to start is found in the source, so contestants need not call it `Main`:
- with a public top-level class (or interface, enum, record), the file is named after it, as
  javac requires, and it is the one started;
- without one, the first top-level class declaring `static void main` is started (the file is
  then Main.java, which javac accepts for non-public classes);
- a `package p.q;` line is kept: classes are compiled into /box/p/q and started as `p.q.Name`.
Comments, strings and character literals are ignored while looking.
"""

import re
from dataclasses import replace

from sandbox.languages.base import COMPILE_LIMITS, Entry, Language

_NOISE = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.DOTALL)
_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)\s*;", re.MULTILINE)
_MODIFIERS = r"(?:(?:public|final|abstract|strictfp|sealed|non-sealed|static)\s+)*"
_PUBLIC_TYPE = re.compile(
    r"\bpublic\s+" + _MODIFIERS + r"(?:class|interface|enum|record)\s+([A-Za-z_$][\w$]*)"
)
_TYPE = re.compile(_MODIFIERS + r"\b(?:class|interface|enum|record)\s+([A-Za-z_$][\w$]*)")
_MAIN = re.compile(r"\bstatic\s+(?:final\s+)?void\s+main\s*\(")


def java_entry(source: bytes) -> Entry:
    """The file to write `source` to and the class to start (see the module docstring)."""
    code = _NOISE.sub(" ", source.decode(errors="replace"))
    package = _PACKAGE.search(code)
    prefix = re.sub(r"\s+", "", package[1]) + "." if package else ""
    public = _top_level(code, _PUBLIC_TYPE)
    if public:
        return Entry(f"{public[0]}.java", prefix + public[0])
    return Entry("Main.java", prefix + (_class_with_main(code) or "Main"))


def _top_level(code: str, pattern: re.Pattern[str]) -> list[str]:
    """Names declared by `pattern` at brace depth 0."""
    return [m[1] for m in pattern.finditer(code) if _depth(code, m.start()) == 0]


def _class_with_main(code: str) -> str | None:
    """The top-level type whose body holds the first `static void main(`."""
    main = _MAIN.search(code)
    if main is None:
        return None
    owner = None
    for found in _TYPE.finditer(code, 0, main.start()):
        if _depth(code, found.start()) == 0:
            owner = found[1]
    return owner


def _depth(code: str, position: int) -> int:
    return code.count("{", 0, position) - code.count("}", 0, position)


# The JVM cannot see the memory cgroup (/sys is not mounted) and would size its heap from the
# host's RAM, so -Xmx comes from the limit. SerialGC keeps the thread count low (the pids
# cgroup counts threads) and its pauses out of other cores. Kotlin and Scala share these.
JVM_COMPILER_FLAGS = ("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
# Kotlin's and Scala's compilers take about 2 s of CPU time for a small program, but their
# JVMs load thousands of classes from disk: more wall time, for a busy host.
JVM_COMPILE_LIMITS = replace(COMPILE_LIMITS, wall_time_limit_ms=60_000)


def jvm_run_argv(class_path: str, main: str) -> tuple[str, ...]:
    """The argv that starts class `main` from `class_path` under a run's limits."""
    return (
        "/usr/bin/java",
        "-Xmx{memory_mb}m",
        "-Xss64m",
        "-XX:+UseSerialGC",
        "-XX:-UsePerfData",
        "-Xlog:disable",  # the JVM's own warnings go to stdout by default: to stderr instead
        "-Xlog:all=warning:stderr",
        "-cp",
        class_path,
        main,
    )


JAVA = Language(
    name="java",
    title="Java",
    extensions=("java",),
    source_name="Main.java",
    compile_argv=(
        "/usr/bin/javac",
        *(f"-J{flag}" for flag in JVM_COMPILER_FLAGS),
        "-encoding",
        "UTF-8",
        "-d",
        ".",
        "{source_name}",
    ),
    run_argv=jvm_run_argv("/box", "{main}"),
    requires=("/usr/bin/javac", "/usr/bin/java"),
    self_test="public class Main {\n    public static void main(String[] args) {\n"
    '        System.out.println("hello");\n    }\n}\n',
    extra_ro_binds=("/etc/java-17-openjdk",),
    runtime_threads=32,
    entry=java_entry,
)
