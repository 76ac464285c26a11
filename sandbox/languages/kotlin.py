"""Kotlin on the JVM. The program is one file, main.kt, whose top-level `fun main` is the
class MainKt; the standard library is on the run's class path. The compiler's own JVM gets
the flags javac gets (java.py); the program's JVM the flags a Java program gets."""

from sandbox.languages.base import Language
from sandbox.languages.java import JAVA, JVM_COMPILE_LIMITS, JVM_COMPILER_FLAGS, jvm_run_argv

STDLIB = "/usr/share/java/kotlin-stdlib.jar"

KOTLIN = Language(
    name="kotlin",
    title="Kotlin (JVM)",
    extensions=("kt",),
    source_name="main.kt",
    compile_argv=(
        "/usr/bin/kotlinc",
        *(f"-J{flag}" for flag in JVM_COMPILER_FLAGS),
        "-nowarn",
        "-d",
        ".",
        "main.kt",
    ),
    run_argv=jvm_run_argv(f"{STDLIB}:/box", "MainKt"),
    requires=("/usr/bin/kotlinc", "/usr/bin/java"),
    self_test='fun main() {\n    println("hello")\n}\n',
    compile_limits=JVM_COMPILE_LIMITS,
    extra_ro_binds=JAVA.extra_ro_binds,
    runtime_threads=JAVA.runtime_threads,
)
