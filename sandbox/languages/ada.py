"""Ada (GNAT). GNAT wants the file named after its unit: the main procedure's name is found
in the source (the first library-level `procedure Name is`), and the file is name.adb."""

import re

from sandbox.languages.base import Entry, Language

_NOISE = re.compile(r'--[^\n]*|"(?:""|[^"\n])*"')
_MAIN = re.compile(r"^\s*procedure\s+([A-Za-z][\w]*)\s+is\b", re.MULTILINE | re.IGNORECASE)


def ada_entry(source: bytes) -> Entry:
    """`name.adb` for the main procedure `Name` (main.adb when none is found)."""
    found = _MAIN.search(_NOISE.sub(" ", source.decode(errors="replace")))
    name = found[1].lower() if found else "main"
    return Entry(f"{name}.adb", name)


ADA = Language(
    name="ada",
    title="Ada (GNAT)",
    extensions=("adb",),
    source_name="main.adb",
    compile_argv=("/usr/bin/gnatmake", "-q", "-O2", "-gnatp", "{source_name}", "-o", "main"),
    run_argv=("/box/main",),
    requires=("/usr/bin/gnatmake",),
    self_test='with Ada.Text_IO;\nprocedure Main is\nbegin\n   Ada.Text_IO.Put_Line ("hello");\nend Main;\n',
    entry=ada_entry,
)
