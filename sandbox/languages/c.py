from sandbox.languages.base import Language

C = Language(
    name="c",
    title="C",
    extensions=("c",),
    source_name="main.c",
    compile_argv=("/usr/bin/gcc", "-O2", "-std=gnu17", "-o", "main", "main.c", "-lm"),
    run_argv=("/box/main",),
    requires=("/usr/bin/gcc",),
    self_test='#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n',
)
