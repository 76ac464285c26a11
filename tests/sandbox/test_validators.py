"""Custom checkers: Kattis output validators, compiled and run in a box of their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import Box, Limits, Sandbox, Status, ValidatorError, validate
from tests.sandbox.conftest import compile_ok, run_program

# Accepts the sum of the input's numbers, computed from the input file it is given.
SUM_VALIDATOR = """import sys
input_path, answer_path, feedback_dir = sys.argv[1:4]
wanted = sum(map(int, open(input_path).read().split()))
assert open(answer_path).read().split() == [str(wanted)], "the judge answer disagrees"
team = sys.stdin.read().split()
if team == [str(wanted)]:
    sys.exit(42)
with open(feedback_dir + "judgemessage.txt", "w") as feedback:
    feedback.write(f"wanted {wanted}, got {team[:3]}")
sys.exit(43)
"""
# Accepts any permutation of 1..n (n is the input), the classic reason for a custom checker.
PERMUTATION_VALIDATOR = r"""#include <algorithm>
#include <fstream>
#include <iostream>
#include <vector>
int main(int argc, char **argv) {
    if (argc < 4) return 1;
    std::ifstream input(argv[1]);
    long n;
    input >> n;
    std::vector<long> seen;
    long x;
    while (std::cin >> x) seen.push_back(x);
    std::sort(seen.begin(), seen.end());
    for (long i = 0; i < n; i++)
        if ((long)seen.size() != n || seen[i] != i + 1) return 43;
    return 42;
}
"""
SUM = "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"
QUICK = Limits(time_limit_ms=500, memory_limit_kb=128 * 1024, wall_time_limit_ms=1500)


@pytest.fixture
def checker(sandbox: Sandbox) -> Iterator[Box]:
    """The second box of the session, for the validator (the `box` fixture holds the first)."""
    with sandbox.box() as taken:
        yield taken


def test_python_validator_accepts_and_rejects_with_feedback(box: Box, checker: Box) -> None:
    compile_ok(checker, "python", SUM_VALIDATOR)
    compile_ok(box, "python", SUM)
    accepted = validate(checker, b"1 2 3\n", b"6\n", box.run(b"1 2 3\n", QUICK).stdout_path)
    assert accepted.accepted and accepted.feedback == ""
    rejected = validate(checker, b"1 2 4\n", b"7\n", box.run(b"1 2 3\n", QUICK).stdout_path)
    assert not rejected.accepted and rejected.feedback == "wanted 7, got ['6']"


def test_cpp_validator_accepts_any_permutation(box: Box, checker: Box, tmp_path: Path) -> None:
    compile_ok(checker, "cpp", PERMUTATION_VALIDATOR)
    (tmp_path / "in").write_bytes(b"4\n")
    (tmp_path / "ans").write_bytes(b"1 2 3 4\n")
    for printed, accepted in ((b"4 2 3 1", True), (b"1 2 3", False), (b"1 2 3 5", False)):
        result = run_program(box, "python", f"print({printed.decode()!r})", QUICK)
        verdict = validate(checker, tmp_path / "in", tmp_path / "ans", result.stdout_path)
        assert verdict.accepted is accepted, printed


@pytest.mark.parametrize(
    "source",
    [
        "import sys\nsys.exit(1)\n",  # neither 42 nor 43
        "import sys\nsys.exit(0)\n",
        "while True:\n    pass\n",  # stopped by its time limit
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
    ],
    ids=["exit-1", "exit-0", "loops", "killed"],
)
def test_broken_validator_is_a_validator_error(box: Box, checker: Box, source: str) -> None:
    compile_ok(checker, "python", source)
    result = run_program(box, "python", "print(6)", QUICK)
    with pytest.raises(ValidatorError, match="output validator gave"):
        validate(checker, b"1 2 3\n", b"6\n", result.stdout_path, QUICK)


def test_validator_files_are_read_only_but_feedback_is_writable(box: Box, checker: Box) -> None:
    compile_ok(
        checker,
        "python",
        """import sys
for path in (sys.argv[2], "/box/main.py", "/box/input"):
    try:
        open(path, "w").write("tampered")
        print("TAMPERED", path, file=sys.stderr)
        sys.exit(1)
    except OSError:
        pass
open(sys.argv[3] + "judgemessage.txt", "w").write("feedback works")
sys.exit(42 if sys.stdin.read().split() == open(sys.argv[2]).read().split() else 43)
""",
    )
    result = run_program(box, "python", "print(6)", QUICK)
    for _ in range(2):  # the second round sees the same, untouched files
        verdict = validate(checker, b"1 2 3\n", b"6\n", result.stdout_path)
        assert verdict.accepted and verdict.feedback == "feedback works"


# --- hostile contestants and validators --------------------------------------------------------------
def test_printing_42_does_not_fool_the_validator(box: Box, checker: Box) -> None:
    compile_ok(checker, "python", SUM_VALIDATOR)
    result = run_program(
        box,
        "python",
        "import os\nprint(42)\nfor p in ('/box/feedback/judgemessage.txt', '/box/answer'):\n"
        "    try:\n        open(p, 'w').write('42')\n    except OSError:\n        pass\n",
        QUICK,
    )
    assert (result.status, result.stdout) == (Status.OK, b"42\n")
    verdict = validate(checker, b"3 4\n", b"7\n", result.stdout_path)
    assert not verdict.accepted and verdict.feedback == "wanted 7, got ['42']"


def test_exiting_42_is_a_runtime_error_not_an_answer(box: Box) -> None:
    result = run_program(box, "c", '#include <stdio.h>\nint main(void) { puts("7"); return 42; }\n', QUICK)
    # The status comes first: a judge validates only runs that ended OK.
    assert (result.status, result.exit_code) == (Status.RTE, 42)


def test_validator_feedback_link_is_not_followed(box: Box, checker: Box) -> None:
    compile_ok(
        checker,
        "python",
        "import os, sys\nos.symlink('/etc/shadow', sys.argv[3] + 'judgemessage.txt')\nsys.exit(43)\n",
    )
    result = run_program(box, "python", "print(6)", QUICK)
    verdict = validate(checker, b"6\n", b"6\n", result.stdout_path)
    assert not verdict.accepted and verdict.feedback == ""
    compile_ok(
        checker, "python", "import os, sys\nos.mkfifo(sys.argv[3] + 'judgemessage.txt')\nsys.exit(43)\n"
    )
    assert validate(checker, b"6\n", b"6\n", result.stdout_path).feedback == ""  # and no hang
