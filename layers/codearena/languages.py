"""The languages a submission may name, in the order they are offered, with their titles,
file extensions and time factors.

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
    """`extensions`: of the files a contestant may upload, without the dot; `time_factor`: what
    a problem's time limit is multiplied by for a run in this language."""

    name: str
    title: str
    extensions: tuple[str, ...]
    time_factor: float

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "extensions": list(self.extensions),
            "time_factor": self.time_factor,
        }


def _load(path: Path) -> tuple[LanguageInfo, ...]:
    entries = json.loads(path.read_text())
    return tuple(
        LanguageInfo(e["name"], e["title"], tuple(e["extensions"]), e["time_factor"]) for e in entries
    )


CATALOG = _load(CATALOG_FILE)
# The languages the schema accepts; a judge host announces which of them it can run.
LANGUAGES = tuple(language.name for language in CATALOG)
