"""Judging a hostile output costs the judge a few chunks of memory (issue 11, finding 3).

The checker once read a contestant's whole output into the judge: `print('10 ' * (21 << 20))`
took the judge daemon from 50 MB to 1.3 GB (bytes.split() of 63 MiB). Now every built-in
checker streams it with early exit, and nothing else reads more than a head of it.
"""

from __future__ import annotations

import pytest

from codearena.models import Verdict
from codearena.scoring import Icpc
from judge_host.judging import CaseData, Task, judge
from sandbox import Box
from tests.sandbox.conftest import peak_rss_kb, reset_peak_rss_kb

GROWTH_LIMIT_KB = 16 * 1024  # it grows by about 0-3 MiB; the old checkers by 60 MiB to 1.3 GiB
HOSTILE = {
    # 22 million tokens, just under the 64 MiB output limit.
    "many_tokens": "print('10 ' * (21 << 20))\n",
    # One 60 MiB token, and as much again on stderr.
    "one_token": "import sys\nsys.stdout.write('1' * (60 << 20))\nsys.stderr.write('x' * (60 << 20))\n",
}

KEPT = {"many_tokens": ("10 " * 2000)[:4096], "one_token": "1" * 4096}  # what the jury sees of each


def hostile_task(source: str, checker: str) -> Task:
    test = CaseData(id=1, ordinal=1, input=b"", answer=b"10\n", group="", points=0)
    return Task(
        submission_id=1,
        language="python",
        source=source,
        time_limit_ms=5000,
        memory_limit_kb=512 * 1024,
        points=1,
        rule=Icpc(),
        tests=[test],
        checker=checker,
    )


@pytest.mark.parametrize("checker", ["tokens", "float", "exact"])
@pytest.mark.parametrize("program", sorted(HOSTILE))
def test_hostile_output_is_wa_in_bounded_judge_memory(box: Box, program: str, checker: str) -> None:
    task = hostile_task(HOSTILE[program], checker)
    before_kb = reset_peak_rss_kb()
    judgement = judge(box, task, "test-host")
    grown_kb = peak_rss_kb() - before_kb
    assert judgement.verdict is Verdict.WA, judgement
    assert box.spec.io.joinpath("stdout").stat().st_size >= 60 << 20  # it printed it all
    kept = judgement.tests[0]  # for the jury: the first 4 KiB only
    assert (kept.output, kept.output_truncated) == (KEPT[program], True)
    assert grown_kb < GROWTH_LIMIT_KB, f"judging grew the judge by {grown_kb} KiB"
