"""The jury's line diff of a program's output against the answer (codearena.jury.output_diff)."""

from __future__ import annotations

from codearena.jury import output_diff


def kinds(diff: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(line["kind"], line["text"]) for line in diff]


def test_equal_lines_have_no_diff() -> None:
    assert output_diff("3\n", "3") == []  # a missing last newline is not a line of difference
    assert output_diff("", "") == []


def test_a_changed_line_shows_both_sides_with_context() -> None:
    answer = "".join(f"{n}\n" for n in range(1, 11))
    output = answer.replace("6\n", "7\n", 1)
    assert kinds(output_diff(answer, output)) == [
        ("hunk", "@@ answer 3–9, output 3–9 @@"),
        ("same", "3"),
        ("same", "4"),
        ("same", "5"),
        ("answer", "6"),
        ("output", "7"),
        ("same", "7"),
        ("same", "8"),
        ("same", "9"),
    ]


def test_far_apart_changes_are_separate_hunks_and_missing_output_is_shown() -> None:
    answer = "".join(f"{n}\n" for n in range(1, 21))
    output = "0\n" + "".join(f"{n}\n" for n in range(2, 21))
    assert [line["text"] for line in output_diff(answer, output) if line["kind"] == "hunk"] == [
        "@@ answer 1–4, output 1–4 @@"
    ]
    two = output_diff(answer, output.replace("20\n", ""))
    assert [line["text"] for line in two if line["kind"] == "hunk"] == [
        "@@ answer 1–4, output 1–4 @@",
        "@@ answer 17–20, output 17–19 @@",
    ]
    assert kinds(output_diff("12\n", "")) == [
        ("hunk", "@@ answer 1, output no lines after 0 @@"),
        ("answer", "12"),
    ]
