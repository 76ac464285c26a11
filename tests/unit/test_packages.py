"""Reading problem packages (codearena.packages) without a sandbox or a database: the test
packages in tests/packages/, and what is refused with which error."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from codearena.models import Verdict
from codearena.packages import PackageError, package_files_of, read_package, zip_files
from codearena.packages.flags import checker_spec

PACKAGES = Path(__file__).parents[1] / "packages"


def read(name: str):  # type: ignore[no-untyped-def]
    return read_package(package_files_of(PACKAGES / name), name)


def test_nested_groups_become_subtasks_worth_their_testdata_scores() -> None:
    package = read("groups")
    assert package.scoring and package.points == 65
    assert [(t.name, t.group, t.points, t.sample) for t in package.tests] == [
        ("sample/1", "sample", 0, True),
        ("secret/group1/01", "secret/group1", 30, False),
        ("secret/group1/02", "secret/group1", 0, False),
        ("secret/group2/large/1", "secret/group2", 35, False),
        ("secret/group2/small/1", "secret/group2", 0, False),
    ]
    assert package.title == "Sum of a list" and package.memory_limit_kb == 256 * 1024
    assert package.time_limit_ms is None  # derived from the accepted submissions when judged


def test_every_expected_verdict_folder_is_read() -> None:
    expected = {s.path.split("/")[1]: s.expected for s in read("groups").submissions}
    assert expected["accepted"] == {Verdict.AC}
    assert expected["wrong_answer"] == {Verdict.WA}
    assert expected["time_limit_exceeded"] == {Verdict.TLE}
    assert expected["run_time_error"] == {Verdict.RTE, Verdict.MLE}
    assert Verdict.AC not in expected["partially_accepted"]


@pytest.mark.parametrize(
    ("name", "checker"),
    [
        ("anycase", "tokens,nocase"),
        ("exactcase", "tokens,spaces"),
        ("floats", "float:0.0001:0.0001,nocase"),
        ("custom", "validator"),
    ],
)
def test_validator_flags_choose_the_checker(name: str, checker: str) -> None:
    assert read(name).checker == checker


def test_a_custom_validator_keeps_its_language_and_flags() -> None:
    package = read("custom")
    assert package.validator_language == "cpp" and package.validator_flags == ("at_least", "1")
    assert "output_validators/pair/pair.h" in package.files


def test_the_2023_07_time_limit_is_taken() -> None:
    assert read("sleeper").time_limit_ms == 1000


@pytest.mark.parametrize(
    ("flags", "spec"),
    [
        ([], "tokens,nocase"),
        (["case_sensitive"], "tokens"),
        (["float_absolute_tolerance", "1e-3"], "float:0.001:0.0,nocase"),
        (["float_relative_tolerance", "0.5", "case_sensitive"], "float:0.0:0.5"),
    ],
)
def test_flags_to_checker_specs(flags: list[str], spec: str) -> None:
    assert checker_spec(flags) == spec


@pytest.mark.parametrize("flags", [["case_insensitive"], ["float_tolerance"], ["float_tolerance", "-1"]])
def test_unknown_or_bad_flags_are_refused(flags: list[str]) -> None:
    with pytest.raises(PackageError):
        checker_spec(flags)


@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        ("missing_answer", "missing_answer", "data/secret/1.in"),
        ("bad_yaml", "invalid_problem_yaml", "not valid YAML"),
        ("bad_field", "invalid_problem_yaml", "limits.memory"),
        ("submitanswer", "unsupported_problem_type", "submit-answer problems are not supported yet"),
        ("multipass", "invalid_problem_yaml", "validation_passes must be 2 to 10"),
    ],
)
def test_broken_packages_are_refused_with_the_reason(name: str, code: str, words: str) -> None:
    with pytest.raises(PackageError) as refused:
        read(f"broken/{name}")
    assert refused.value.code == code and words in refused.value.message
    assert refused.value.status == 400


def test_a_zip_with_a_top_directory_reads_like_the_directory() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content in package_files_of(PACKAGES / "floats").items():
            archive.writestr(f"floats/{path}", content)
    assert read_package(zip_files(buffer.getvalue())) == read("floats")


@pytest.mark.parametrize("name", ["../evil", "/etc/passwd"])
def test_unsafe_zip_paths_are_refused(name: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("problem.yaml", "name: x\n")
        archive.writestr(name, "x")
    with pytest.raises(PackageError, match="unsafe path"):
        zip_files(buffer.getvalue())


def test_not_a_zip_is_refused() -> None:
    with pytest.raises(PackageError) as refused:
        zip_files(b"PK not really")
    assert refused.value.code == "invalid_zip"


def test_an_interactive_package_is_read_with_its_interactor() -> None:
    package = read("guess")
    assert (package.checker, package.validator_language) == ("interactive", "python")
    assert "output_validators/interactor/interactor.py" in package.files


def test_a_multi_pass_package_is_read_with_its_passes() -> None:
    package = read("multipass")
    assert (package.checker, package.validator_language) == ("multi-pass:2", "python")


@pytest.mark.parametrize(
    ("problem_yaml", "checker"),
    [
        ("validation: custom multi-pass\n", "multi-pass:2"),  # legacy: the format's default passes
        ("validation: custom multi-pass\nlimits:\n  validation_passes: 3\n", "multi-pass:3"),
        ("validation: custom interactive multi-pass\n", "interactive,multi-pass:2"),
        (
            "problem_format_version: 2023-07-draft\nname: P\nuuid: 7c1e5b0a-3f44-4d8e-9a61-2e0f5c8d9b17\n"
            "type: [multi-pass, interactive]\nlimits:\n  validation_passes: 4\n",
            "interactive,multi-pass:4",
        ),
    ],
)
def test_multi_pass_problems_in_both_format_versions(problem_yaml: str, checker: str) -> None:
    files = package_files_of(PACKAGES / "multipass") | {"problem.yaml": problem_yaml.encode()}
    assert read_package(files, "multipass").checker == checker


def test_a_multi_pass_package_without_its_own_validator_is_refused() -> None:
    files = {p: c for p, c in package_files_of(PACKAGES / "multipass").items() if not p.startswith("output_")}
    with pytest.raises(PackageError) as refused:
        read_package(files, "multipass")
    assert (
        refused.value.code == "invalid_validator"
        and "needs its own output validator" in refused.value.message
    )
