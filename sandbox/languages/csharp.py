from sandbox.languages.base import Language

# Mono: mcs compiles to main.exe, mono runs it. Mono reads its configuration from /etc/mono;
# max-heap-size makes its collector work before the heap outgrows the memory limit.
CSHARP = Language(
    name="csharp",
    title="C# (Mono)",
    extensions=("cs",),
    source_name="main.cs",
    compile_argv=("/usr/bin/mcs", "-optimize+", "-nowarn:0168,0219", "-out:main.exe", "main.cs"),
    run_argv=("/usr/bin/mono", "--gc=sgen", "/box/main.exe"),
    requires=("/usr/bin/mcs", "/usr/bin/mono"),
    self_test="class Program {\n    static void Main() {\n"
    '        System.Console.WriteLine("hello");\n    }\n}\n',
    extra_ro_binds=("/etc/mono",),
    compile_env={"MONO_GC_PARAMS": "max-heap-size=512m"},
    run_env={"MONO_GC_PARAMS": "max-heap-size={memory_mb}m", "MONO_SHARED_DIR": "/tmp"},
    runtime_threads=8,
)
