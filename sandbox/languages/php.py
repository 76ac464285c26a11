from sandbox.languages.base import Language

# "Compiling" is a lint (syntax check). No PHP memory_limit: the memory cgroup decides (MLE).
PHP = Language(
    name="php",
    title="PHP",
    extensions=("php",),
    source_name="main.php",
    compile_argv=("/usr/bin/php", "-l", "main.php"),
    run_argv=("/usr/bin/php", "-d", "memory_limit=-1", "-d", "display_errors=stderr", "main.php"),
    requires=("/usr/bin/php",),
    self_test='<?php\necho "hello\\n";\n',
    extra_ro_binds=("/etc/php",),
)
