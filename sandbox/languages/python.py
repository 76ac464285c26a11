from sandbox.languages.base import Language

# "Compiling" is a syntax check, so a SyntaxError is a compile error, not a runtime error.
PYTHON = Language(
    name="python",
    title="Python 3",
    extensions=("py",),
    source_name="main.py",
    compile_argv=("/usr/bin/python3", "-m", "py_compile", "main.py"),
    run_argv=("/usr/bin/python3", "main.py"),
    requires=("/usr/bin/python3",),
    self_test='print("hello")\n',
)
