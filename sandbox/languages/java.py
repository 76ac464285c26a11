from sandbox.languages.base import Language

# The class must be `Main`. The JVM cannot see the memory cgroup (/sys is not mounted) and
# would size its heap from the host's RAM, so -Xmx comes from the limit. SerialGC keeps the
# thread count low (the pids cgroup counts threads) and its pauses out of other cores.
JAVA = Language(
    name="java",
    title="Java",
    extensions=("java",),
    source_name="Main.java",
    compile_argv=(
        "/usr/bin/javac",
        "-J-Xmx512m",
        "-J-XX:+UseSerialGC",
        "-J-XX:TieredStopAtLevel=1",
        "-encoding",
        "UTF-8",
        "Main.java",
    ),
    run_argv=(
        "/usr/bin/java",
        "-Xmx{memory_mb}m",
        "-Xss64m",
        "-XX:+UseSerialGC",
        "-XX:-UsePerfData",
        "-Xlog:disable",  # the JVM's own warnings go to stdout by default: to stderr instead
        "-Xlog:all=warning:stderr",
        "-cp",
        "/box",
        "Main",
    ),
    requires=("/usr/bin/javac", "/usr/bin/java"),
    self_test="public class Main {\n    public static void main(String[] args) {\n"
    '        System.out.println("hello");\n    }\n}\n',
    extra_ro_binds=("/etc/java-17-openjdk",),
    runtime_threads=32,
)
