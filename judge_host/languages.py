"""Which languages this judge host offers: each toolchain's self-test, run at start.

Results are cached on the host, keyed by the toolchains' files (path, size, mtime), so a
restarted host does not compile 26 hello-worlds again until a toolchain changes.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from sandbox import LANGUAGES, Backend

log = logging.getLogger("codearena.judge")
CACHE = Path(os.environ.get("CODEARENA_SELF_TEST_CACHE", "/var/cache/codearena/self-test.json"))


def fingerprint() -> str:
    """Identifies the installed toolchains: any upgrade or removal changes it."""
    parts = []
    for name, language in sorted(LANGUAGES.items()):
        for path in language.requires:
            try:
                stat = os.stat(path)
                parts.append(f"{name}:{path}:{stat.st_size}:{stat.st_mtime_ns}")
            except OSError:
                parts.append(f"{name}:{path}:missing")
    return "|".join(parts)


def working_languages(sandbox: Backend, cache: Path = CACHE) -> tuple[list[str], dict[str, str]]:
    """(languages whose self-test passed, {language: why it failed or is missing})."""
    key = fingerprint()
    results = _cached(cache, key)
    if results is None:
        results = sandbox.self_test()
        _store(cache, key, results)
    failed = {name: reason for name, reason in results.items() if reason is not None}
    missing = {name: "toolchain not installed" for name in LANGUAGES if name not in results}
    for name, reason in {**failed, **missing}.items():
        log.warning("language %s is not offered: %s", name, reason)
    return sorted(name for name, reason in results.items() if reason is None), {**failed, **missing}


def _cached(cache: Path, key: str) -> dict[str, str | None] | None:
    try:
        stored = json.loads(cache.read_text())
    except (OSError, ValueError):
        return None
    return dict(stored["results"]) if stored.get("fingerprint") == key else None


def _store(cache: Path, key: str, results: dict[str, str | None]) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"fingerprint": key, "results": results}))
        temporary.replace(cache)
    except OSError:
        log.warning("could not cache the self-test results in %s", cache, exc_info=True)
