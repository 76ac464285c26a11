from sandbox.languages.base import Language

FORTRAN = Language(
    name="fortran",
    title="Fortran (gfortran)",
    extensions=("f90", "f95", "f03", "f08"),
    source_name="main.f90",
    compile_argv=("/usr/bin/gfortran", "-O2", "-o", "main", "main.f90"),
    run_argv=("/box/main",),
    requires=("/usr/bin/gfortran",),
    self_test="program main\n  print '(a)', 'hello'\nend program main\n",
)
