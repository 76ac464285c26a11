"""Scala 2 on the JVM. The program declares `object Main` with a `main` method; the Scala
library is on the run's class path. The compiler runs on the JVM with javac's flags. Its
runtime starts in 150–180 ms of CPU (hello world in the box): runs get 1.5 times the
problem's time limits."""

from sandbox.languages.base import Language
from sandbox.languages.java import JAVA, JVM_COMPILE_LIMITS, JVM_COMPILER_FLAGS, jvm_run_argv

LIBRARY = "/usr/share/java/scala-library.jar"
COMPILER_CLASS_PATH = ":".join(
    f"/usr/share/java/{jar}.jar" for jar in ("scala-compiler", "scala-library", "scala-reflect")
)

SCALA = Language(
    name="scala",
    title="Scala 2",
    extensions=("scala",),
    source_name="main.scala",
    # The compiler's main class straight on the JVM: the `scalac` wrapper script would size
    # its JVM by the host and start a compile daemon-free but shell-heavy launcher.
    compile_argv=(
        "/usr/bin/java",
        *JVM_COMPILER_FLAGS,
        "-Xss16m",
        "-cp",
        COMPILER_CLASS_PATH,
        "-Dscala.usejavacp=true",
        "scala.tools.nsc.Main",
        "-nowarn",
        "-d",
        ".",
        "main.scala",
    ),
    run_argv=jvm_run_argv(f"{LIBRARY}:/box", "Main"),
    requires=("/usr/bin/scalac", "/usr/bin/java"),  # scalac: the package that brings the jars
    self_test='object Main {\n  def main(args: Array[String]): Unit = println("hello")\n}\n',
    compile_limits=JVM_COMPILE_LIMITS,
    extra_ro_binds=JAVA.extra_ro_binds,
    runtime_threads=JAVA.runtime_threads,
    time_factor=1.5,
)
