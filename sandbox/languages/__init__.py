"""The languages the sandbox can compile and run, one declarative entry per file.

The one list of languages: the core (which may not import the sandbox, and whose Lambda layer
ships without it) keeps a generated copy of `catalog()` in layers/codearena/languages.json
(`python -m sandbox.languages > layers/codearena/languages.json`); the web app reads it from
`GET /languages`.
"""

import json

from sandbox.languages.ada import ADA
from sandbox.languages.awk import AWK
from sandbox.languages.base import COMPILE_LIMITS, MAX_SOURCE_BYTES, Entry, Language
from sandbox.languages.bash import BASH
from sandbox.languages.c import C
from sandbox.languages.commonlisp import COMMON_LISP
from sandbox.languages.cpp import CPP
from sandbox.languages.csharp import CSHARP
from sandbox.languages.elixir import ELIXIR
from sandbox.languages.fortran import FORTRAN
from sandbox.languages.go import GO
from sandbox.languages.haskell import HASKELL
from sandbox.languages.java import JAVA
from sandbox.languages.javascript import JAVASCRIPT
from sandbox.languages.kotlin import KOTLIN
from sandbox.languages.lua import LUA
from sandbox.languages.ocaml import OCAML
from sandbox.languages.pascal import PASCAL
from sandbox.languages.perl import PERL
from sandbox.languages.php import PHP
from sandbox.languages.prolog import PROLOG
from sandbox.languages.pypy import PYPY
from sandbox.languages.python import PYTHON
from sandbox.languages.r import R
from sandbox.languages.ruby import RUBY
from sandbox.languages.rust import RUST
from sandbox.languages.scala import SCALA

LANGUAGES: dict[str, Language] = {
    language.name: language
    for language in (
        PYTHON,
        C,
        CPP,
        JAVA,
        JAVASCRIPT,
        GO,
        RUST,
        PYPY,
        KOTLIN,
        CSHARP,
        RUBY,
        PHP,
        HASKELL,
        PASCAL,
        OCAML,
        LUA,
        PERL,
        SCALA,
        FORTRAN,
        ADA,
        COMMON_LISP,
        ELIXIR,
        R,
        PROLOG,
        AWK,
        BASH,
    )
}


def catalog() -> list[dict[str, str | list[str] | float]]:
    """Every language, in the order they are offered: name, title, file extensions, time factor."""
    return [language.describe() for language in LANGUAGES.values()]


def catalog_json() -> str:
    """`catalog()` as the core's copy, layers/codearena/languages.json, holds it."""
    return json.dumps(catalog(), indent=2) + "\n"


def language_named(name: str) -> Language:
    """The language called `name`; ValueError naming the known ones if there is none."""
    try:
        return LANGUAGES[name]
    except KeyError:
        raise ValueError(f"unknown language {name!r}; known: {sorted(LANGUAGES)}") from None


__all__ = [
    "COMPILE_LIMITS",
    "Entry",
    "LANGUAGES",
    "MAX_SOURCE_BYTES",
    "Language",
    "catalog",
    "catalog_json",
    "language_named",
]
