"""Common Lisp (SBCL). Compiling is `compile-file` to main.fasl, which does not run the
program's top-level forms; a warning (not a style warning) fails it, as SBCL's failure-p
says. The run loads the fasl with 4 GiB of address space reserved for the heap (1 GiB by
default): SBCL collects every 53 MB allocated whatever the heap's size, so the memory
cgroup, not a full heap, stops a program that needs more than its limit (MLE, not RTE)."""

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
        "4GB",
        "--control-stack-size",
        "64MB",
        "--script",
        "main.fasl",
    ),
    requires=("/usr/bin/sbcl",),
    self_test='(write-line "hello")\n',
)
