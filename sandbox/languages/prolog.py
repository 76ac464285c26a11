"""Prolog (SWI-Prolog). The program defines `main/0`; compiling loads it into a saved state
(main) with `--on-error=status`, so a syntax error fails the compile (a warning, such as a
singleton variable, does not); the run starts the
saved state, which calls main and halts."""

from sandbox.languages.base import Language

PROLOG = Language(
    name="prolog",
    title="Prolog (SWI-Prolog)",
    extensions=("pro", "prolog"),
    source_name="main.pl",
    compile_argv=(
        "/usr/bin/swipl",
        "--on-error=status",
        "-q",
        "--goal=main",
        "--stand_alone=false",
        "-o",
        "main",
        "-c",
        "main.pl",
    ),
    run_argv=("/usr/bin/swipl", "-x", "/box/main", "--"),
    requires=("/usr/bin/swipl",),
    self_test="main :- write(hello), nl.\n",
)
