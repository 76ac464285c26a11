from sandbox.languages.base import Language

# The build cache lives in the compile's private /tmp (fresh every time: nothing one
# submission builds can reach another). GOMAXPROCS=1 keeps the build and the program to
# one thread of Go code, so their CPU time is comparable with the other languages';
# GOMEMLIMIT makes the collector work harder near the memory limit.
GO = Language(
    name="go",
    title="Go",
    extensions=("go",),
    source_name="main.go",
    compile_argv=("/usr/bin/go", "build", "-o", "main", "main.go"),
    run_argv=("/box/main",),
    requires=("/usr/bin/go",),
    self_test='package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello")\n}\n',
    compile_env={
        "GOCACHE": "/tmp/gocache",
        "GOPATH": "/tmp/gopath",
        "GOTMPDIR": "/tmp",
        "GO111MODULE": "off",
        "GOMAXPROCS": "1",
        "CGO_ENABLED": "0",
    },
    run_env={"GOMAXPROCS": "1", "GOMEMLIMIT": "{memory_mb}MiB"},
    runtime_threads=16,
)
