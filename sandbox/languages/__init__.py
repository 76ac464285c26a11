"""The languages the sandbox can compile and run, one declarative entry per file."""

from sandbox.languages.base import COMPILE_LIMITS, Language
from sandbox.languages.c import C
from sandbox.languages.cpp import CPP
from sandbox.languages.python import PYTHON

LANGUAGES: dict[str, Language] = {language.name: language for language in (PYTHON, C, CPP)}

__all__ = ["COMPILE_LIMITS", "LANGUAGES", "Language"]
