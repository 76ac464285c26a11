from sandbox.languages.base import Language

# Free Pascal reads /etc/fpc.cfg (a link through /etc/alternatives to the versioned file).
PASCAL = Language(
    name="pascal",
    title="Pascal (Free Pascal)",
    extensions=("pas", "pp"),
    source_name="main.pas",
    compile_argv=("/usr/bin/fpc", "-O2", "-XS", "-v0ew", "-omain", "main.pas"),
    run_argv=("/box/main",),
    requires=("/usr/bin/fpc",),
    self_test="program Main;\nbegin\n  writeln('hello');\nend.\n",
    extra_ro_binds=("/etc/fpc.cfg", "/etc/fpc-3.2.2.cfg"),
)
