"""Common Lisp (SBCL). Compiling is `compile-file` to main.fasl, which does not run the
program's top-level forms; a warning (not a style warning) fails it, as SBCL's failure-p
says. The run loads the fasl with a heap sized from the memory limit, so the collector works
before the heap outgrows the limit."""

from sandbox.languages.base import Language

_COMPILE = (
    '(multiple-value-bind (fasl warnings failure) (compile-file "main.lisp")'
    " (declare (ignore fasl warnings)) (sb-ext:exit :code (if failure 1 0)))"
)

COMMON_LISP = Language(
    name="commonlisp",
    title="Common Lisp (SBCL)",
    extensions=("lisp", "lsp", "cl"),
    source_name="main.lisp",
    compile_argv=(
        "/usr/bin/sbcl",
        "--dynamic-space-size",
        "512MB",
        "--non-interactive",
        "--no-sysinit",
        "--no-userinit",
        "--eval",
        _COMPILE,
    ),
    run_argv=(
        "/usr/bin/sbcl",
        "--dynamic-space-size",
        "{memory_mb}MB",
        "--control-stack-size",
        "64MB",
        "--script",
        "main.fasl",
    ),
    requires=("/usr/bin/sbcl",),
    self_test='(write-line "hello")\n',
)
