"""codearena.similarity: winnowed fingerprints of normalized tokens (no I/O)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from codearena import similarity
from codearena.similarity import Span
from tests.unit.similarity_samples import SAMPLES


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_a_disguised_copy_scores_high_and_an_independent_solution_low(language: str) -> None:
    original, copy, independent = SAMPLES[language]
    prints = [similarity.fingerprint(source, language) for source in (original, copy, independent)]
    scores = {(p.a, p.b): p.similarity for p in similarity.pairs(prints)}
    assert scores[0, 1] > 0.8
    assert scores.get((0, 2), 0.0) < 0.4
    assert scores.get((1, 2), 0.0) < 0.4


def test_renaming_reformatting_and_comments_change_no_fingerprint() -> None:
    plain = "def f(a, b):\n    total = a + b * 2\n    return total - 1\n"
    disguised = "# sums\ndef   g( x,y ) :\n    s = x + y * 3   # weighted\n\n\n    return s - 7\n"
    assert (
        similarity.fingerprint(plain, "python").spans.keys()
        == similarity.fingerprint(disguised, "python").spans.keys()
    )


def test_reordered_independent_statements_still_match() -> None:
    first = "a = int(input())\nb = [x * x for x in range(a) if x % 3]\nc = sum(b) + max(b) - min(b)\n"
    second = "c = sum(b) + max(b) - min(b)\na = int(input())\nb = [x * x for x in range(a) if x % 3]\n"
    prints = [similarity.fingerprint(source, "python") for source in (first, second)]
    assert similarity.pairs(prints)[0].similarity >= 0.5


def test_a_pair_with_the_same_owner_is_not_reported() -> None:
    program = "for i in range(10):\n    print(i * i + 1, i - 2, sorted([i, 3, 2]))\n"
    prints = [similarity.fingerprint(program, "python")] * 3
    found = similarity.pairs(prints, owners=["ann", "ann", "bob"])
    assert [(p.a, p.b) for p in found] == [(0, 2), (1, 2)]
    assert all(p.similarity == 1.0 for p in found)


def test_fragments_give_the_matched_lines_of_each_program() -> None:
    body = "for i in range(n):\n    total += values[i] * weights[i] - offsets[i]\n    count += 1\n"
    a = "n = 3\n" + body
    b = "import sys\n\n\nm = 5\nprint(m)\n" + body
    fa, fb = similarity.fingerprint(a, "python"), similarity.fingerprint(b, "python")
    found = similarity.fragments(fa, fb)
    assert len(found) == 1
    assert 2 <= found[0].a.first and found[0].a.last <= 4
    assert found[0].b.first - found[0].a.first == 4
    assert similarity.excerpt(b, Span(6, 6)) == "for i in range(n):"


def test_a_program_shorter_than_a_k_gram_has_no_fingerprint() -> None:
    assert len(similarity.fingerprint("x = 1\n", "python")) == 0
    assert similarity.pairs([similarity.fingerprint("x = 1\n", "python")] * 2) == []


def test_winnowing_keeps_one_hash_in_every_window() -> None:
    hashes = [5, 3, 9, 3, 7, 1, 8, 8, 2]
    chosen = similarity._winnow(hashes, 4)
    assert chosen == {3, 5}  # the rightmost 3 in the first windows, then the 1
    for start in range(len(hashes) - 3):
        assert chosen & set(range(start, start + 4))


def test_fingerprints_are_the_same_in_every_process() -> None:
    # str hashes are salted per process; fingerprints must not be, to be kept and compared later
    source = "import sys\nfor line in sys.stdin:\n    a, b = map(int, line.split())\n    print(a * b + 1)\n"
    program = (
        "import json; from codearena import similarity;"
        f"print(json.dumps(sorted(similarity.fingerprint({source!r}, 'python').spans)))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(seen) == 1 and sorted(similarity.fingerprint(source, "python").spans) == json.loads(seen.pop())


def test_fingerprints_read_back_from_json_as_they_were() -> None:
    made = similarity.fingerprint(SAMPLES["cpp"][0], "cpp")
    assert len(made) > 0 and similarity.Fingerprints.from_json(made.to_json()) == made
