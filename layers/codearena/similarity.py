"""Source similarity for plagiarism detection (issue 18): MOSS's winnowing over normalized tokens.

A program is tokenized by pygments' lexer for its language; comments, whitespace and
preprocessor lines are dropped (reformatting and comments change nothing), every identifier
becomes `V`, every number `N` and every string `S` (renaming and changed constants change
nothing). The k-grams of that token stream are hashed and winnowed — the smallest hash of every
window of `WINDOW` consecutive k-grams is kept — which gives a few fingerprints per program, each
with the lines it covers. Reordered statements and inserted dead code only break the k-grams
that straddle them; the rest are found again in any order.

Pairs come from an inverted index fingerprint → programs, so the work grows with the shared
fingerprints, not with all pairs; a fingerprint in very many programs (a template, the usual
input reading) says nothing and is ignored. A pair's similarity is the share of the smaller
program's fingerprints found in the other, 0..1.

Pure: no database, no I/O; pygments is imported when a program is first tokenized.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from typing import Any

K = 10  # tokens per k-gram: shorter matches are noise (MOSS's noise threshold)
WINDOW = 4  # k-grams per winnowing window: any match of K + WINDOW - 1 tokens is found
VERSION = f"k{K}w{WINDOW}"  # names what kept fingerprints were made with
COMMON_FLOOR = 10  # a fingerprint in more programs than max(this, half of them) is ignored


@dataclass(frozen=True, order=True)
class Span:
    """Lines `first`..`last` (1-based, inclusive) of a program."""

    first: int
    last: int


@dataclass(frozen=True)
class Fingerprints:
    """A program's winnowed fingerprints: hash → the spans of lines it was taken from."""

    spans: dict[int, tuple[Span, ...]]

    def __len__(self) -> int:
        return len(self.spans)

    def to_json(self) -> str:
        """The fingerprints as JSON, to be kept (a program's hashes are the same in every
        process) and read back by `from_json`."""
        return json.dumps(
            [[digest, [[s.first, s.last] for s in spans]] for digest, spans in self.spans.items()]
        )

    @classmethod
    def from_json(cls, text: str) -> Fingerprints:
        return cls({digest: tuple(Span(a, b) for a, b in spans) for digest, spans in json.loads(text)})


@dataclass(frozen=True)
class Fragment:
    """Lines of `a` matched with lines of `b`."""

    a: Span
    b: Span


@dataclass(frozen=True)
class Pair:
    """Two programs by index, `a < b`, and their similarity 0..1."""

    similarity: float
    a: int
    b: int


def tokens(source: str, language: str) -> list[tuple[str, int]]:
    """The normalized tokens of `source` with the line each starts on."""
    out: list[tuple[str, int]] = []
    line = 1
    for kind, text in _lexer(language).get_tokens(source):
        start = line
        line += text.count("\n")
        token = _normalized(kind, text)
        # a string's pieces (quotes, escapes, content) make one token
        if token and not (token == "S" and out and out[-1][0] == "S"):
            out.append((token, _line_of(text, start)))
    return out


@cache
def _lexer(language: str) -> Any:
    """pygments' lexer for one of our language names (they are its aliases), plain text for
    a language it does not know; made once per language (lexers keep no state between runs)."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return get_lexer_by_name("text")


def _normalized(kind: Any, text: str) -> str:
    """What a token of pygments type `kind` counts as: "" for nothing."""
    if not text.strip():
        return ""
    category = _category(kind)
    return text.strip() if category is None else category


@cache
def _category(kind: Any) -> str | None:
    """ "" for a token type that counts as nothing, `V`, `N` or `S` for one that stands for its
    kind, None for one that counts as its text (keywords, operators, builtins)."""
    from pygments.token import Comment, Name, Number, String, Text, Whitespace, is_token_subtype

    def of(parent: Any) -> bool:
        return bool(is_token_subtype(kind, parent))

    if any(of(t) for t in (Comment, Whitespace, Text, String.Doc)):
        return ""
    if of(Name) and not of(Name.Builtin):
        return "V"
    if of(Number):
        return "N"
    return "S" if of(String) else None


def _line_of(text: str, start: int) -> int:
    return start + len(text) - len(text.lstrip("\n")) if text.startswith("\n") else start


@cache
def _token_id(token: str) -> int:
    """A token's number, the same in every process (str hashes are salted per process; the
    hash of a tuple of ints is not), so that fingerprints can be kept and compared later."""
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=7).digest(), "big")


def fingerprint(source: str, language: str, k: int = K, window: int = WINDOW) -> Fingerprints:
    """The winnowed fingerprints of a program; a program shorter than `k` tokens has none."""
    stream = tokens(source, language)
    ids = [_token_id(token) for token, _ in stream]
    grams = [
        (hash(tuple(ids[i : i + k])), Span(stream[i][1], stream[i + k - 1][1]))
        for i in range(len(stream) - k + 1)
    ]
    spans: dict[int, list[Span]] = defaultdict(list)
    for position in sorted(_winnow([h for h, _ in grams], window)):
        digest, span = grams[position]
        spans[digest].append(span)
    return Fingerprints({digest: tuple(found) for digest, found in spans.items()})


def _winnow(hashes: Sequence[int], window: int) -> set[int]:
    """Positions of the rightmost smallest hash of every window (all of them when fewer)."""
    if len(hashes) <= window:
        return {len(hashes) - 1 - hashes[::-1].index(min(hashes))} if hashes else set()
    chosen: set[int] = set()
    for start in range(len(hashes) - window + 1):
        part = hashes[start : start + window]
        chosen.add(start + window - 1 - part[::-1].index(min(part)))
    return chosen


def pairs(
    prints: Sequence[Fingerprints],
    owners: Sequence[Hashable] | None = None,
    min_similarity: float = 0.0,
) -> list[Pair]:
    """Pairs of programs sharing fingerprints, most similar first. Programs with the same owner
    (`owners[i]`, e.g. a participant) are not paired; pairs below `min_similarity` are left out."""
    shared: Counter[tuple[int, int]] = Counter()
    for holders in _index(prints).values():
        shared.update(combinations(holders, 2))  # counted in C: the cost is the matches
    found = []
    for (a, b), count in shared.items():
        score = count / min(len(prints[a]), len(prints[b]))
        if score >= min_similarity and (owners is None or owners[a] != owners[b]):
            found.append(Pair(round(score, 4), a, b))
    return sorted(found, key=lambda p: (-p.similarity, p.a, p.b))


def _index(prints: Sequence[Fingerprints]) -> dict[int, list[int]]:
    index: dict[int, list[int]] = defaultdict(list)
    for number, program in enumerate(prints):
        for digest in program.spans:
            index[digest].append(number)
    common = max(COMMON_FLOOR, len(prints) // 2)
    return {digest: holders for digest, holders in index.items() if 1 < len(holders) <= common}


def fragments(a: Fingerprints, b: Fingerprints) -> list[Fragment]:
    """The matched line ranges of two programs, in `a`'s order, overlapping matches merged."""
    digests = a.spans.keys() & b.spans.keys()
    matches = sorted((span_a, b.spans[d][0]) for d in digests for span_a in a.spans[d][:1])
    merged: list[Fragment] = []
    for span_a, span_b in matches:
        last = merged[-1] if merged else None
        if last is not None and _touches(last.a, span_a) and _touches(last.b, span_b):
            merged[-1] = Fragment(_join(last.a, span_a), _join(last.b, span_b))
        else:
            merged.append(Fragment(span_a, span_b))
    return merged


def _touches(x: Span, y: Span) -> bool:
    return y.first <= x.last + 1 and x.first <= y.last + 1


def _join(x: Span, y: Span) -> Span:
    return Span(min(x.first, y.first), max(x.last, y.last))


def excerpt(source: str, span: Span) -> str:
    """The text of lines `span` of `source`."""
    return "\n".join(source.splitlines()[span.first - 1 : span.last])


def fragment_json(fragment: Fragment, source_a: str, source_b: str) -> dict[str, Any]:
    """A fragment as the jury sees it: both line ranges and their text."""
    return {
        side: {"first_line": span.first, "last_line": span.last, "text": excerpt(source, span)}
        for side, span, source in (("a", fragment.a, source_a), ("b", fragment.b, source_b))
    }
