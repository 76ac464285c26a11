"""Java's main class is found in the source (issue 14 point 5): no need to call it Main."""

from __future__ import annotations

import pytest

from sandbox.languages import Entry
from sandbox.languages.java import JAVA, java_entry


@pytest.mark.parametrize(
    ("source", "entry"),
    [
        ("public class hello { public static void main(String[] a) {} }", Entry("hello.java", "hello")),
        ("class Sol { public static void main(String[] a) {} }", Entry("Main.java", "Sol")),
        (
            "package contest.a;\nclass Helper {}\nclass Run { static class In {}\n"
            "  public static void main(String[] a) {} }",
            Entry("Main.java", "contest.a.Run"),
        ),
        (
            '// public class Fake\nimport java.util.*;\npublic final class Q { String s = "public class Z";'
            " public static void main(String[] a) {} }",
            Entry("Q.java", "Q"),
        ),
        ("interface Nothing {}", Entry("Main.java", "Main")),  # javac or the JVM says what is wrong
    ],
)
def test_entry_found_in_the_source(source: str, entry: Entry) -> None:
    assert java_entry(source.encode()) == entry


def test_the_commands_name_the_file_and_the_class() -> None:
    from sandbox.model import Limits

    entry = Entry("Q.java", "p.Q")
    assert JAVA.compile_command(entry)[-3:] == ("-d", ".", "Q.java")  # type: ignore[index]
    assert JAVA.run_command(Limits(1000, 65536), (), entry)[-1] == "p.Q"
