from dataclasses import replace

from sandbox.languages.base import COMPILE_LIMITS, Language

# "Compiling" is a parse. R reads its site configuration from /etc/R (/usr/lib/R/etc links
# there); no heap cap of its own: the memory cgroup decides (MLE). R refuses to start with
# fewer than about 170 open files allowed (it sizes its table of loaded libraries from them).
# Its start costs 130–140 ms of CPU (hello world in the box): runs get 1.5 times the problem's
# time limits.
OPEN_FILES = 256
_PARSE = 'invisible(parse("main.R"))'

R = Language(
    name="r",
    title="R",
    extensions=("r",),
    source_name="main.R",
    compile_argv=("/usr/bin/Rscript", "--vanilla", "-e", _PARSE),
    run_argv=("/usr/bin/Rscript", "--vanilla", "main.R"),
    requires=("/usr/bin/Rscript",),
    self_test='cat("hello\\n")\n',
    extra_ro_binds=("/etc/R",),
    compile_limits=replace(COMPILE_LIMITS, open_files=OPEN_FILES),
    min_open_files=OPEN_FILES,
    time_factor=1.5,
)
