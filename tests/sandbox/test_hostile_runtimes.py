"""The hostile programs of test_hostile.py, for the runtimes the nineteen later languages
brought: one representative per runtime family and attack (processes, memory, output, time,
file system, network), since languages that share a runtime share its behaviour under
limits (Scala's JVM is Kotlin's, PyPy's process model CPython's, the native compilers' binaries
are C's). What each must show is what the C, Python or Java program of the same attack shows."""

from __future__ import annotations

import pytest

from sandbox import Box, Limits, Status
from tests.sandbox.conftest import run_program
from tests.sandbox.test_hostile import (
    ASLEEP,
    BOMB,
    CPU_BOUND,
    FLOOD,
    Hostile,
    _describe,
    contained_at_most,
    denied,
)

SMALL_MEMORY = Limits(time_limit_ms=5000, memory_limit_kb=96 * 1024, wall_time_limit_ms=15_000)
WRITES = "/box/x", "/usr/x", "/etc/x", "/x"  # each refused; /tmp is the run's own

CASES = [
    # --- processes and threads --------------------------------------------------------------
    Hostile(  # (Ruby's fork retries when the process limit refuses it: Perl's does not)
        "perl-fork-bomb",
        "perl",
        """my $n = 0;
while (1) {
    my $pid = fork;
    if (!defined $pid) { print "contained $n\\n"; exit 0; }
    if ($pid == 0) { sleep 100; exit 0; }
    $n++;
}
""",
        Status.OK,
        contained_at_most(BOMB.processes),
        limits=BOMB,
    ),
    Hostile(
        "kotlin-thread-bomb",
        "kotlin",
        """fun main() {
    var n = 0
    try {
        while (true) {
            val t = Thread { Thread.sleep(100000) }
            t.isDaemon = true
            t.start()
            n++
        }
    } catch (e: Throwable) {
        println("contained " + n)
        System.exit(0)
    }
}
""",
        Status.OK,
        contained_at_most(BOMB.processes + 32),
        limits=BOMB,
    ),
    Hostile(
        "csharp-thread-bomb",
        "csharp",
        """using System;
using System.Threading;
class P {
    static void Main() {
        int n = 0;
        try {
            while (true) {
                var t = new Thread(() => Thread.Sleep(100000));
                t.IsBackground = true;
                t.Start();
                n++;
            }
        } catch (Exception) {
            Console.WriteLine("contained " + n);
            Environment.Exit(0);
        }
    }
}
""",
        Status.OK,
        contained_at_most(BOMB.processes + 8),
        limits=BOMB,
    ),
    # --- memory -----------------------------------------------------------------------------
    Hostile(
        "elixir-memory-bomb",
        "elixir",
        "Stream.iterate([], fn acc -> [:binary.copy(<<1>>, 1_000_000) | acc] end) |> Stream.run()\n",
        Status.MLE,
        limits=SMALL_MEMORY,
    ),
    Hostile(
        "haskell-memory-bomb",
        "haskell",
        "import qualified Data.Map.Strict as M\n"
        "main :: IO ()\nmain = print (M.size (M.fromList [(i, i) | i <- [1 :: Int ..]]))\n",
        Status.MLE,
        limits=SMALL_MEMORY,
    ),
    Hostile(
        "commonlisp-memory-bomb",
        "commonlisp",
        "(let ((chunks nil)) (loop (push (make-array 1000000 :element-type '(unsigned-byte 8)"
        " :initial-element 1) chunks)))\n",
        Status.MLE,
        limits=SMALL_MEMORY,
    ),
    Hostile(
        "r-memory-bomb",
        "r",
        "chunks <- list()\nrepeat chunks[[length(chunks) + 1]] <- runif(1e6)\n",
        Status.MLE,
        limits=SMALL_MEMORY,
    ),
    Hostile(
        "fortran-memory-bomb",
        "fortran",
        """program bomb
  implicit none
  type chunk
    integer(1), allocatable :: bytes(:)
  end type chunk
  type(chunk) :: chunks(100000)
  integer :: i
  do i = 1, size(chunks)
    allocate(chunks(i)%bytes(1000000))
    chunks(i)%bytes = 1
  end do
  print *, chunks(size(chunks))%bytes(1)
end program bomb
""",
        Status.MLE,
        limits=SMALL_MEMORY,
    ),
    # --- output -----------------------------------------------------------------------------
    Hostile("perl-stdout-flood", "perl", 'print "spam\\n" while 1;\n', Status.OLE, limits=FLOOD),
    Hostile(
        "php-stdout-flood",
        "php",
        '<?php\nwhile (true) echo str_repeat("x", 4096);\n',
        Status.OLE,
        limits=FLOOD,
    ),
    # --- time -------------------------------------------------------------------------------
    Hostile(
        "pascal-busy-loop",
        "pascal",
        "var n: longint;\nbegin\n  while true do inc(n);\nend.\n",
        Status.TLE,
        limits=CPU_BOUND,
    ),
    Hostile("prolog-busy-loop", "prolog", "loop :- loop.\nmain :- loop.\n", Status.TLE, limits=CPU_BOUND),
    Hostile(
        "elixir-busy-loop",
        "elixir",
        "defmodule L do\n  def loop(n), do: loop(n + 1)\nend\nL.loop(0)\n",
        Status.TLE,
        limits=CPU_BOUND,
    ),
    Hostile("lua-sleeps", "lua", 'os.execute("sleep 100")\n', Status.TLE, limits=ASLEEP),
    # --- file system ------------------------------------------------------------------------
    Hostile(
        "php-writes-outside-tmp",
        "php",
        "<?php\nforeach (['" + "', '".join(WRITES) + "'] as $path)\n"
        '    echo @file_put_contents($path, \'pwned\') === false ? "denied\\n" : "WROTE $path\\n";\n'
        "echo file_put_contents('/tmp/x', 'mine') === 4 ? \"tmp\\n\" : \"no tmp\\n\";\n",
        Status.OK,
        denied(len(WRITES)) + b"tmp\n",
    ),
    Hostile(
        "bash-writes-outside-tmp",
        "bash",
        "for path in " + " ".join(WRITES) + "; do\n"
        '  if (echo pwned > "$path") 2>/dev/null; then echo "WROTE $path"; else echo denied; fi\n'
        "done\n",
        Status.OK,
        denied(len(WRITES)),
    ),
    # --- network ----------------------------------------------------------------------------
    Hostile(
        "ruby-tcp-and-udp-to-host-services",
        "ruby",
        """require "socket"
[5432, 6379].each do |port|
  begin
    TCPSocket.new("127.0.0.1", port).write("PING\\r\\n")
    puts "CONNECTED"
  rescue SystemCallError
    puts "denied"
  end
end
begin
  UDPSocket.new.send("x", 0, "127.0.0.1", 6379)
  puts "SENT"
rescue SystemCallError
  puts "denied"
end
""",
        Status.OK,
        denied(3),
    ),
    Hostile(
        "elixir-epmd-and-distribution",
        "elixir",
        """tcp = :gen_tcp.connect(~c"127.0.0.1", 4369, [])
IO.puts(if match?({:ok, _}, tcp), do: "CONNECTED", else: "denied")
node = Node.start(:"probe@127.0.0.1")
IO.puts(if match?({:ok, _}, node), do: "DISTRIBUTED", else: "denied")
""",
        Status.OK,
        # (Logger also reports, on stdout, the cookie it could not write to the read-only /box.)
        lambda stdout: (
            [line for line in stdout.splitlines() if line in (b"denied", b"CONNECTED", b"DISTRIBUTED")]
            == [b"denied"] * 2
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_program_per_runtime(box: Box, case: Hostile) -> None:
    result = run_program(box, case.language, case.source, case.limits)
    assert result.status is case.status, _describe(result)
    if isinstance(case.stdout, bytes):
        assert result.stdout == case.stdout, _describe(result)
    elif case.stdout is not None:
        assert case.stdout(result.stdout), _describe(result)
