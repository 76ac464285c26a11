from sandbox.languages.base import Language

# "Compiling" is bash -n, a parse. The commands a script starts count against its process limit.
BASH = Language(
    name="bash",
    title="Bash",
    extensions=("sh", "bash"),
    source_name="main.sh",
    compile_argv=("/usr/bin/bash", "-n", "main.sh"),
    run_argv=("/usr/bin/bash", "main.sh"),
    requires=("/usr/bin/bash",),
    self_test="echo hello\n",
)
