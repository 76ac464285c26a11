from sandbox.languages.base import Language

# "Compiling" is gawk's pretty-printer, which parses the program without running it.
AWK = Language(
    name="awk",
    title="AWK (gawk)",
    extensions=("awk",),
    source_name="main.awk",
    compile_argv=("/usr/bin/gawk", "--pretty-print=/dev/null", "-f", "main.awk"),
    run_argv=("/usr/bin/gawk", "-f", "main.awk"),
    requires=("/usr/bin/gawk",),
    self_test='BEGIN { print "hello" }\n',
)
