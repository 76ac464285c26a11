"""The languages the sandbox can compile and run, one declarative entry per file."""

from sandbox.languages.base import COMPILE_LIMITS, MAX_SOURCE_BYTES, Language
from sandbox.languages.c import C
from sandbox.languages.cpp import CPP
from sandbox.languages.go import GO
from sandbox.languages.java import JAVA
from sandbox.languages.javascript import JAVASCRIPT
from sandbox.languages.python import PYTHON
from sandbox.languages.rust import RUST

LANGUAGES: dict[str, Language] = {
    language.name: language for language in (PYTHON, C, CPP, JAVA, JAVASCRIPT, GO, RUST)
}


def language_named(name: str) -> Language:
    """The language called `name`; ValueError naming the known ones if there is none."""
    try:
        return LANGUAGES[name]
    except KeyError:
        raise ValueError(f"unknown language {name!r}; known: {sorted(LANGUAGES)}") from None


__all__ = ["COMPILE_LIMITS", "LANGUAGES", "MAX_SOURCE_BYTES", "Language", "language_named"]
