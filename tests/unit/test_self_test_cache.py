"""The judge host's self-test runs once per toolchain set, then comes from its cache."""

from __future__ import annotations

from pathlib import Path

from judge_host.languages import fingerprint, working_languages


class CountingSandbox:
    """Stands behind the sandbox's self_test interface."""

    def __init__(self, results: dict[str, str | None]) -> None:
        self.results = results
        self.calls = 0

    def self_test(self) -> dict[str, str | None]:
        self.calls += 1
        return dict(self.results)


def test_results_are_cached_until_the_toolchains_change(tmp_path: Path) -> None:
    sandbox = CountingSandbox({"python": None, "c": None, "java": "exit 1: no JVM"})
    cache = tmp_path / "self-test.json"
    offered, refused = working_languages(sandbox, cache)  # type: ignore[arg-type]
    assert offered == ["c", "python"]
    assert refused["java"] == "exit 1: no JVM"
    assert refused["rust"] == "toolchain not installed"
    assert working_languages(sandbox, cache)[0] == offered  # type: ignore[arg-type]
    assert sandbox.calls == 1
    cache.write_text(cache.read_text().replace(fingerprint(), "an older toolchain"))
    working_languages(sandbox, cache)  # type: ignore[arg-type]
    assert sandbox.calls == 2
