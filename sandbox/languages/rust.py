from sandbox.languages.base import Language

# Debian's rustc in /usr (a rustup toolchain under /root is not visible in the box).
RUST = Language(
    name="rust",
    title="Rust",
    extensions=("rs",),
    source_name="main.rs",
    compile_argv=("/usr/bin/rustc", "-O", "--edition", "2021", "-o", "main", "main.rs"),
    run_argv=("/box/main",),
    requires=("/usr/bin/rustc", "/usr/bin/cc"),
    self_test='fn main() {\n    println!("hello");\n}\n',
)
