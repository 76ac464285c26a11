"""How well CodeArena's plagiarism detection separates copies from independent solutions, against
copydetect (PyPI) and Dolos (npm), on a labelled set, and how long each takes for 1,000 programs.

The labelled set (bench/similarity_set/PROBLEM/AUTHOR.EXT) holds, for three problems, three
independent correct solutions in each of Python, C++ and Java: same problem, same algorithm,
different authors — the hard negatives. From every one of them this bench makes plagiarized
copies, one per obfuscation a contestant uses (renamed identifiers, reformatting, added comments,
reordered independent statements and definitions, inserted dead code) and one with all of them,
by token and line transformations seeded for repeatability (the copies are not compiled).

Every pair of programs in the same language is scored by each tool; a pair is positive when both
come from the same original. For each tool it prints the ROC AUC, the precision at the top k
pairs (k = the number of positive pairs), the highest score a hard negative got, and the time to
score 1,000 programs of one language (copies made as above, each with a random mix of
obfuscations), all in the same run. Goal (issue 18): CodeArena's AUC ≥ each peer's and ≥ 0.95,
1,000 programs in ≤ 10 s.

Dolos runs from bench/dolos (`make bench-dolos` installs it from its lock file, with Debian's
Node); where it is not installed the bench says so and measures the others.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SET = ROOT / "bench" / "similarity_set"
DOLOS = ROOT / "bench" / "dolos"
LANGUAGES = {".py": "python", ".cpp": "cpp", ".java": "java"}
EXTENSIONS = {language: extension for extension, language in LANGUAGES.items()}
TOOLS = ("codearena", "copydetect", "dolos")
GOAL_AUC = 0.95
GOAL_SECONDS = 10.0

# Names a copier leaves alone: the library's, and what the language needs as it is.
KEEP = {
    "python": {"sys", "stdin", "stdout", "buffer", "deque", "bisect", "bisect_left", "collections", "main"},
    "cpp": {
        "std", "cin", "cout", "endl", "vector", "string", "queue", "deque", "pair", "set", "scanf",
        "printf", "main", "lower_bound", "swap", "iota", "for_each", "istream_iterator", "ios",
        "ios_base", "sync_with_stdio", "size_t", "make_pair", "tie", "istream",
    },
    "java": {
        "String", "System", "Scanner", "Integer", "Long", "Arrays", "ArrayDeque", "LinkedList", "List",
        "ArrayList", "TreeSet", "BufferedReader", "InputStreamReader", "StringTokenizer", "IOException",
        "DataInputStream", "StreamTokenizer", "Math", "main", "Main", "args", "java", "util", "io",
    },
}  # fmt: skip
WORDS = ("value", "item", "count", "node", "total", "cur", "acc", "buf", "mark", "step", "pos", "tmp")
PHRASES = (
    "read the input",
    "go over every element",
    "update the answer",
    "stay inside the bounds",
    "edge case",
    "main loop",
    "helper",
    "remember what we have seen",
    "TODO tidy up",
    "the important part",
)
COMMENT = {"python": "#", "cpp": "//", "java": "//"}
CONTROL = re.compile(
    r"^(if|for|while|else|elif|return|break|continue|def|class|case|do|try|catch|throw|switch)\b"
)


@dataclass(frozen=True)
class Program:
    name: str  # grid/ana.py~rename
    family: str  # the original it was made from: grid/ana.py
    problem: str
    language: str
    source: str


# --- the copies -----------------------------------------------------------------------------


def _lex(source: str, language: str) -> list[tuple[Any, str]]:
    from pygments.lexers import get_lexer_by_name

    lexer = get_lexer_by_name(language, stripnl=False, ensurenl=True)
    return list(lexer.get_tokens(source))


def rename(source: str, language: str, rng: random.Random) -> str:
    """Every identifier the program defines gets another name, the same one everywhere."""
    from pygments.token import Name

    names: dict[str, str] = {}
    out, previous = [], ""
    for kind, text in _lex(source, language):
        renamable = kind in Name and kind not in Name.Builtin and kind not in Name.Namespace
        if renamable and previous not in {".", "::"} and text.isidentifier() and text not in KEEP[language]:
            text = names.setdefault(text, f"{rng.choice(WORDS)}{len(names)}")
        out.append(text)
        previous = text.strip() or previous
    return "".join(out)


def reformat(source: str, language: str, rng: random.Random) -> str:
    """Other indentation and spacing, no blank lines; C++ and Java get their braces on own lines."""
    from pygments.token import String

    out: list[str] = []
    depth = 0
    for line in source.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith(("#", "import ")):
            pieces = [(kind, text) for kind, text in _lex(stripped, language) if text.strip()]
            stripped = "".join(
                ("" if i == 0 or (kind in String and pieces[i - 1][0] in String) else " ") + text
                for i, (kind, text) in enumerate(pieces)
            )
        if language == "python":
            indent = len(line) - len(line.lstrip())
            out.append(" " * (indent // 4 * 2 + indent % 4) + stripped)
            continue
        depth -= stripped.startswith("}")
        if stripped.endswith("{") and stripped != "{":
            out += ["\t" * depth + stripped[:-1].rstrip(), "\t" * depth + "{"]
        else:
            out.append("\t" * depth + stripped)
        depth += stripped.count("{") - stripped.count("}") + stripped.startswith("}")
    return "\n".join(out) + "\n"


def comments(source: str, language: str, rng: random.Random) -> str:
    """Comment lines and trailing comments sprinkled over the program."""
    mark, out = COMMENT[language], []
    for line in source.splitlines():
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if stripped and rng.random() < 0.3:
            out.append(f"{indent}{mark} {rng.choice(PHRASES)}")
        if stripped and not stripped.startswith(("#", "//")) and rng.random() < 0.15:
            line = f"{line}  {mark} {rng.choice(PHRASES)}"
        out.append(line)
    return "\n".join(out) + "\n"


def reorder(source: str, language: str, rng: random.Random) -> str:
    """Imports shuffled, adjacent definitions swapped, adjacent independent statements swapped."""
    lines = source.splitlines()
    lines = _shuffle_runs(lines, lambda line: line.startswith(("import ", "from ", "#include")), rng)
    blocks = _blocks(lines, language)
    for first, second in zip(blocks, blocks[1:], strict=False):
        if first[1] <= second[0] and rng.random() < 0.7 and _blank_between(lines, first[1], second[0]):
            a, b = lines[first[0] : first[1]], lines[second[0] : second[1]]
            lines[first[0] : second[1]] = b + lines[first[1] : second[0]] + a
            break  # one swap: the block positions after it have moved
    for i in range(len(lines) - 1):
        if _independent(lines[i], lines[i + 1]) and rng.random() < 0.6:
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
    return "\n".join(lines) + "\n"


def _shuffle_runs(lines: list[str], member: Callable[[str], bool], rng: random.Random) -> list[str]:
    out, run = [], []
    for line in [*lines, "\0"]:
        if member(line):
            run.append(line)
            continue
        rng.shuffle(run)
        out += run
        run = []
        out.append(line)
    return out[:-1]


def _blocks(lines: list[str], language: str) -> list[tuple[int, int]]:
    """Top-level definitions (Python `def`/`class` at column 0; C++/Java functions and methods:
    a signature line ending in `{` up to the `}` at its indentation), as [start, end) ranges."""
    found = []
    for start, line in enumerate(lines):
        stripped, indent = line.strip(), len(line) - len(line.lstrip())
        if language == "python":
            if indent == 0 and stripped.startswith(("def ", "class ")):
                end = start + 1
                while end < len(lines) and (not lines[end].strip() or lines[end][:1] in " \t"):
                    end += 1
                while not lines[end - 1].strip():
                    end -= 1
                found.append((start, end))
        elif stripped.endswith("{") and "(" in stripped and not CONTROL.match(stripped):
            closing = " " * indent + "}"
            end = next((j + 1 for j in range(start + 1, len(lines)) if lines[j].rstrip() == closing), None)
            if end is not None:
                found.append((start, end))
    return found


def _blank_between(lines: list[str], end: int, start: int) -> bool:
    return all(not line.strip() for line in lines[end:start])


def _independent(a: str, b: str) -> bool:
    """Two simple statements at the same indentation that share no name."""

    def simple(line: str) -> bool:
        s = line.strip()
        return (
            bool(s) and not CONTROL.match(s) and not s.endswith((":", "{", ",", "(")) and s[0] not in "}{#/@)"
        )

    if not (simple(a) and simple(b)) or len(a) - len(a.lstrip()) != len(b) - len(b.lstrip()):
        return False
    if (
        a.strip().startswith(("import", "from", "using"))
        or not a.strip().endswith((";", ")"))
        and "=" not in a
    ):
        return False
    common = {
        "int",
        "long",
        "auto",
        "var",
        "final",
        "static",
        "const",
        "std",
        "new",
        "double",
        "char",
        "bool",
    }
    names = [set(re.findall(r"[A-Za-z_]\w*", line)) - common for line in (a, b)]
    return not names[0] & names[1]


def deadcode(source: str, language: str, rng: random.Random) -> str:
    """Statements that change nothing, inserted inside function bodies."""
    out: list[str] = []
    previous = ""
    for number, line in enumerate(source.splitlines()):
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if indent and stripped and _can_precede(previous, stripped, language) and rng.random() < 0.25:
            name = f"spare{number}"
            if language == "python":
                out += rng.choice(
                    (
                        [f"{indent}{name} = {number} * 7"],
                        [f"{indent}if {number} < 0:", f"{indent}    {name} = 0"],
                    )
                )
            else:
                out.append(
                    rng.choice(
                        (f"{indent}int {name} = {number} * 7;", f"{indent}long {name} = {number}L + 1;")
                    )
                )
        out.append(line)
        previous = stripped or previous
    return "\n".join(out) + "\n"


def _can_precede(previous: str, line: str, language: str) -> bool:
    if line.startswith(("else", "elif", "except", "finally", "catch", "case", "default", "while", ")", "]")):
        return False
    if language == "python":
        return not previous.endswith((",", "(", "[", "\\")) and previous != ""
    ends_statement = previous.endswith((";", "{", "}"))
    jumps = re.match(r"(return|break|continue|throw)\b", previous)  # Java: unreachable code
    return ends_statement and not jumps


def everything(source: str, language: str, rng: random.Random) -> str:
    for step in (rename, reorder, deadcode, comments, reformat):
        source = step(source, language, rng)
    return source


OBFUSCATIONS: dict[str, Callable[[str, str, random.Random], str]] = {
    "rename": rename,
    "reformat": reformat,
    "comments": comments,
    "reorder": reorder,
    "deadcode": deadcode,
    "all": everything,
}


def originals() -> list[Program]:
    found = []
    for path in sorted(SET.glob("*/*")):
        if path.suffix in LANGUAGES:
            name = path.relative_to(SET).as_posix()
            found.append(Program(name, name, path.parent.name, LANGUAGES[path.suffix], path.read_text()))
    return found


def labelled_set(seed: int) -> list[Program]:
    """Each original and one copy of it per obfuscation."""
    programs = []
    for original in originals():
        programs.append(original)
        for name, obfuscate in OBFUSCATIONS.items():
            rng = random.Random(f"{seed}:{original.name}:{name}")
            copy = obfuscate(original.source, original.language, rng)
            programs.append(
                Program(f"{original.name}~{name}", original.family, original.problem, original.language, copy)
            )
    return programs


def timing_set(size: int, language: str, seed: int) -> list[Program]:
    """`size` programs of one language: copies of its originals, each with 1–3 obfuscations."""
    pool = [p for p in originals() if p.language == language]
    programs = []
    for number in range(size):
        original = pool[number % len(pool)]
        rng = random.Random(f"{seed}:timing:{number}")
        source = rename(original.source, language, rng)
        for step in rng.sample([reformat, comments, reorder, deadcode], rng.randint(1, 3)):
            source = step(source, language, rng)
        programs.append(
            Program(f"{number}{EXTENSIONS[language]}", original.family, original.problem, language, source)
        )
    return programs


# --- the tools: each scores every pair of a list of programs of one language -------------------

Scores = dict[tuple[int, int], float]


def codearena_scores(programs: Sequence[Program]) -> Scores:
    from codearena import similarity

    prints = [similarity.fingerprint(p.source, p.language) for p in programs]
    return {(pair.a, pair.b): pair.similarity for pair in similarity.pairs(prints)}


def copydetect_scores(programs: Sequence[Program]) -> Scores:
    """copydetect's fingerprints with its own defaults (noise 25, guarantee 30 tokens); a pair
    scores the larger of its two overlaps, as its report sorts them."""
    import copydetect

    with tempfile.TemporaryDirectory() as folder:
        paths = _write(programs, Path(folder))
        prints = [copydetect.CodeFingerprint(str(path), 25, 6) for path in paths]
        scores = {}
        for a, b in combinations(range(len(prints)), 2):
            _, (left, right), _ = copydetect.compare_files(prints[a], prints[b])
            scores[a, b] = float(max(left, right))
    return scores


def dolos_scores(programs: Sequence[Program]) -> Scores:
    with tempfile.TemporaryDirectory() as folder:
        paths = _write(programs, Path(folder))
        index = {str(path): number for number, path in enumerate(paths)}
        done = subprocess.run(
            ["node", str(DOLOS / "score.mjs"), programs[0].language, *index],
            capture_output=True,
            text=True,
            check=True,
        )
    scores = {}
    for pair in json.loads(done.stdout):
        a, b = sorted((index[pair["a"]], index[pair["b"]]))
        scores[a, b] = float(pair["similarity"])
    return scores


def _write(programs: Sequence[Program], folder: Path) -> list[Path]:
    paths = []
    for number, program in enumerate(programs):
        path = folder / f"p{number}{EXTENSIONS[program.language]}"
        path.write_text(program.source)
        paths.append(path)
    return paths


SCORERS: dict[str, Callable[[Sequence[Program]], Scores]] = {
    "codearena": codearena_scores,
    "copydetect": copydetect_scores,
    "dolos": dolos_scores,
}


def dolos_missing() -> str | None:
    if not (DOLOS / "node_modules" / "@dodona" / "dolos-lib").is_dir():
        return "Dolos is not installed: `make bench-dolos` installs it (npm, a few minutes)"
    return None


# --- the measures ---------------------------------------------------------------------------


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """ROC AUC: the chance that a positive pair scores above a negative one (ties count half)."""
    ranked = sorted([(s, 1) for s in positives] + [(s, 0) for s in negatives])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average = (i + 1 + j) / 2  # ranks i+1..j share their mean
        rank_sum += average * sum(label for _, label in ranked[i:j])
        i = j
    n_pos, n_neg = len(positives), len(negatives)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def evaluate(tool: str, programs: list[Program]) -> dict[str, Any]:
    labelled: list[tuple[float, bool, bool]] = []  # score, positive, hard negative
    for language in sorted({p.language for p in programs}):
        group = [p for p in programs if p.language == language]
        scores = SCORERS[tool](group)
        for a, b in combinations(range(len(group)), 2):
            same = group[a].family == group[b].family
            hard = not same and group[a].problem == group[b].problem
            labelled.append((scores.get((a, b), 0.0), same, hard))
    positives = [s for s, positive, _ in labelled if positive]
    negatives = [s for s, positive, _ in labelled if not positive]
    k = len(positives)
    top = sorted(labelled, key=lambda item: -item[0])[:k]
    hard = [s for s, _, is_hard in labelled if is_hard]
    return {
        "auc": round(auc(positives, negatives), 4),
        "precision_at_k": round(sum(positive for _, positive, _ in top) / k, 4),
        "k": k,
        "positive_min": round(min(positives), 4),
        "positive_median": round(sorted(positives)[k // 2], 4),
        "hard_negative_max": round(max(hard), 4),
        "hard_negative_median": round(sorted(hard)[len(hard) // 2], 4),
    }


def time_tool(tool: str, programs: list[Program]) -> float:
    started = time.perf_counter()
    SCORERS[tool](programs)
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated: " + ", ".join(TOOLS))
    parser.add_argument("--timing-size", type=int, default=1000, help="programs in the timing run")
    parser.add_argument("--timing-language", default="cpp", choices=sorted(EXTENSIONS))
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    programs = labelled_set(args.seed)
    timing = timing_set(args.timing_size, args.timing_language, args.seed)
    families = len({p.family for p in programs})
    print(f"labelled set: {len(programs)} programs, {families} originals, {len(OBFUSCATIONS)} copies of each")
    results: dict[str, Any] = {}
    for tool in tools:
        missing = dolos_missing() if tool == "dolos" else None
        if missing:
            print(f"{tool:>10}: {missing}")
            results[tool] = missing
            continue
        figures = evaluate(tool, programs)
        figures["timing_seconds"] = round(time_tool(tool, timing), 3)
        results[tool] = figures
        print(
            f"{tool:>10}: AUC {figures['auc']:.4f}  P@{figures['k']} {figures['precision_at_k']:.4f}"
            f"  copies ≥ {figures['positive_min']:.2f} (median {figures['positive_median']:.2f})"
            f"  hard negatives ≤ {figures['hard_negative_max']:.2f}"
            f" (median {figures['hard_negative_median']:.2f})"
            f"  {args.timing_size} {args.timing_language} programs in {figures['timing_seconds']:.2f} s"
        )
    ours = results.get("codearena")
    peers = [r["auc"] for t, r in results.items() if t != "codearena" and isinstance(r, dict)]
    goal = None
    if isinstance(ours, dict):
        goal = ours["auc"] >= max([GOAL_AUC, *peers]) and (
            args.timing_size < 1000 or ours["timing_seconds"] <= GOAL_SECONDS
        )
        verdict = "met" if goal else "missed"
        print(f"goal (AUC ≥ {GOAL_AUC} and ≥ each peer's, 1,000 programs ≤ {GOAL_SECONDS:.0f} s): {verdict}")
    print(
        json.dumps(
            {"programs": len(programs), "timing_size": args.timing_size, "tools": results, "goal_met": goal}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
