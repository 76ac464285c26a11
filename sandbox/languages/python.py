from sandbox.languages.base import Language

# "Compiling" is a syntax check, so a SyntaxError is a compile error, not a runtime error. It
# reports as `python -m py_compile` does, but skips `site` and writes no .pyc (the run never
# reads one for its main script): a third of the CPU time.
SYNTAX_CHECK = """import sys
try:
    compile(open(sys.argv[1], "rb").read(), sys.argv[1], "exec")
except Exception as exc:
    import traceback
    sys.stderr.write("".join(traceback.format_exception_only(type(exc), exc)))
    sys.exit(1)
"""
PYTHON = Language(
    name="python",
    title="Python 3",
    extensions=("py",),
    source_name="main.py",
    compile_argv=("/usr/bin/python3", "-I", "-S", "-c", SYNTAX_CHECK, "main.py"),
    run_argv=("/usr/bin/python3", "main.py"),
    requires=("/usr/bin/python3",),
    self_test='print("hello")\n',
)
