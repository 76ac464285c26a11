from sandbox.languages.base import Language

# GHC's non-threaded runtime: one thread, and no heap cap of its own, so the memory cgroup
# decides (MLE). Interface and object files stay in the box; the package database is in
# /var/lib/ghc (/usr/lib/ghc/package.conf.d links there).
HASKELL = Language(
    name="haskell",
    title="Haskell (GHC)",
    extensions=("hs",),
    source_name="main.hs",
    compile_argv=("/usr/bin/ghc", "-O2", "-v0", "-o", "main", "main.hs"),
    run_argv=("/box/main",),
    requires=("/usr/bin/ghc",),
    self_test='main :: IO ()\nmain = putStrLn "hello"\n',
    extra_ro_binds=("/var/lib/ghc",),
)
