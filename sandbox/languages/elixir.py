"""Elixir on the Erlang VM, run as a script. Compiling checks the syntax only: compiling
modules would also run the script's top-level code, without its input. The VM gets one
scheduler of each kind (its threads count against the process limit, and other programs
share the cores) and no distribution, so no epmd and no network. Its JIT maps machine code
through memfd files of 8 MiB, which RLIMIT_FSIZE also limits: a run's file size limit is at
least 64 MiB (the output limit itself still decides OLE). The VM's start costs 330–370 ms of
CPU (hello world in the box): runs get twice the problem's time limits."""

from sandbox.languages.base import Language

_SYNTAX_CHECK = 'Code.string_to_quoted!(File.read!("main.exs"), file: "main.exs")'
_VM_FLAGS = "+S 1:1 +SDcpu 1:1 +SDio 1 +A 1 +sbwt none +sbwtdcpu none +sbwtdio none"

ELIXIR = Language(
    name="elixir",
    title="Elixir",
    extensions=("ex", "exs"),
    source_name="main.exs",
    compile_argv=("/usr/bin/elixir", "-e", _SYNTAX_CHECK),
    run_argv=("/usr/bin/elixir", "main.exs"),
    requires=("/usr/bin/elixir", "/usr/bin/erl"),
    self_test='IO.puts("hello")\n',
    compile_env={"ELIXIR_ERL_OPTIONS": _VM_FLAGS},
    run_env={"ELIXIR_ERL_OPTIONS": _VM_FLAGS},
    runtime_threads=16,
    time_factor=2.0,
    min_file_size_kb=64 * 1024,
)
