"""The languages and the source size limit have one source each; every copy that must stay
static (the core's languages.json, the schema's CHECKs) is checked against it here."""

from __future__ import annotations

import re
from pathlib import Path

from codearena import languages
from codearena.config import MAX_SOURCE_BYTES
from codearena_cli.system_packages import GROUPS
from sandbox.docker.images import DEFAULT_RECIPE, TOOLCHAINS
from sandbox.languages import LANGUAGES, catalog_json

SCHEMA = Path(__file__).resolve().parents[2] / "sql" / "schema.sql"


def test_the_cores_copy_is_the_sandbox_registry() -> None:
    written = languages.CATALOG_FILE.read_text()
    assert written == catalog_json(), "run: python -m sandbox.languages > layers/codearena/languages.json"
    assert languages.LANGUAGES == tuple(LANGUAGES)
    assert [language.as_json() for language in languages.CATALOG] == [
        language.describe() for language in LANGUAGES.values()
    ]


def test_every_language_has_a_title_and_an_extension_of_its_own() -> None:
    extensions = [extension for language in languages.CATALOG for extension in language.extensions]
    assert all(language.title and language.extensions for language in languages.CATALOG)
    assert len(extensions) == len(set(extensions))


def test_the_schema_accepts_exactly_the_registry() -> None:
    """A new language needs a migration widening submissions.language's CHECK."""
    check = re.search(r"CHECK \(\s*language IN \(([^)]*)\)", SCHEMA.read_text())
    assert check is not None
    assert tuple(re.findall(r"'([^']+)'", check.group(1))) == languages.LANGUAGES


def test_the_schema_keeps_sources_to_the_intake_limit() -> None:
    check = re.search(r"octet_length\(source\) BETWEEN 1 AND (\d+)", SCHEMA.read_text())
    assert check is not None and int(check.group(1)) == MAX_SOURCE_BYTES


def test_the_judge_image_carries_every_toolchain_of_the_one_list() -> None:
    """The docker backend's image (sandbox/docker/images.py repeats the list: the sandbox may
    not import the CLI) holds the same toolchains as a judge host with the namespace backend."""
    wanted = {package.name for package in GROUPS["languages"]}
    assert set(TOOLCHAINS) == wanted
    assert wanted <= set(DEFAULT_RECIPE.packages)
