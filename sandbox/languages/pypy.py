from sandbox.languages.base import Language
from sandbox.languages.python import SYNTAX_CHECK

# As CPython: "compiling" is the same syntax check. PYPY_GC_MAX makes the collector work
# before the heap would outgrow the memory limit.
PYPY = Language(
    name="pypy",
    title="PyPy 3",
    extensions=("pypy",),
    source_name="main.py",
    compile_argv=("/usr/bin/pypy3", "-I", "-S", "-c", SYNTAX_CHECK, "main.py"),
    run_argv=("/usr/bin/pypy3", "main.py"),
    requires=("/usr/bin/pypy3",),
    self_test='print("hello")\n',
    run_env={"PYPY_GC_MAX": "{memory_mb}MB"},
)
