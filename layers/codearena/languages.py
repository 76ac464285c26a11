"""The languages a submission may name, in the order they are offered, with their titles and
file extensions.

A generated copy of the sandbox's registry (sandbox/languages/, the one list), which the core
may not import and its Lambda layer does not ship: languages.json beside this module is written by
`python -m sandbox.languages > layers/codearena/languages.json`, and
tests/unit/test_language_catalog.py fails while it differs from the registry. The web app reads
it from `GET /languages`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CATALOG_FILE = Path(__file__).with_name("languages.json")


@dataclass(frozen=True)
class LanguageInfo:
    """`extensions`: of the files a contestant may upload, without the dot."""

    name: str
    title: str
    extensions: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "extensions": list(self.extensions)}


def _load(path: Path) -> tuple[LanguageInfo, ...]:
    entries = json.loads(path.read_text())
    return tuple(LanguageInfo(e["name"], e["title"], tuple(e["extensions"])) for e in entries)


CATALOG = _load(CATALOG_FILE)
# The languages the schema accepts; a judge host announces which of them it can run.
LANGUAGES = tuple(language.name for language in CATALOG)
