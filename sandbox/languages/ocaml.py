from sandbox.languages.base import Language

# Native code (ocamlopt), linked with gcc; the runtime's collector needs no cap of its own.
OCAML = Language(
    name="ocaml",
    title="OCaml",
    extensions=("ml",),
    source_name="main.ml",
    compile_argv=("/usr/bin/ocamlopt", "-O2", "-o", "main", "main.ml"),
    run_argv=("/box/main",),
    requires=("/usr/bin/ocamlopt",),
    self_test='let () = print_endline "hello"\n',
)
