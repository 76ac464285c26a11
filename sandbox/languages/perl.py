from sandbox.languages.base import Language

# "Compiling" is perl -c (BEGIN blocks run then, inside the compile's box like any compiler).
PERL = Language(
    name="perl",
    title="Perl",
    extensions=("pl", "pm"),
    source_name="main.pl",
    compile_argv=("/usr/bin/perl", "-c", "main.pl"),
    run_argv=("/usr/bin/perl", "main.pl"),
    requires=("/usr/bin/perl",),
    self_test='print "hello\\n";\n',
)
