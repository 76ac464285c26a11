from sandbox.languages.base import Language

# Node (CommonJS). "Compiling" is a syntax check, so a SyntaxError is a compile error. The
# old-space cap comes from the limit (V8 would otherwise size it from the host's RAM); the
# larger stack lets recursive solutions go deep (the stack rlimit is the memory limit).
JAVASCRIPT = Language(
    name="javascript",
    title="JavaScript (Node.js)",
    extensions=("js", "mjs"),
    source_name="main.js",
    compile_argv=("/usr/bin/node", "--check", "main.js"),
    run_argv=(
        "/usr/bin/node",
        "--max-old-space-size={memory_mb}",
        "--stack-size=65500",
        "main.js",
    ),
    requires=("/usr/bin/node",),
    self_test='console.log("hello");\n',
    runtime_threads=16,
)
