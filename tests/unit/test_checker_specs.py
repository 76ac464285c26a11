"""The API's check of a problem's checker spec and the sandbox's reading of it agree: a spec
the API stores is one the judge can use, and one it refuses the judge would refuse too."""

from __future__ import annotations

import pytest

from codearena import validation as v
from codearena.errors import BadRequest
from sandbox.checkers import checker_from_spec

GOOD = ["tokens", "exact", "float", "float:1e-6", "float:0", "float:0.5:1e-9", "float:1E+3:.5"]
BAD = [
    "diff",
    "Tokens",
    "exact:1",
    "float:-1",
    "float:1:2:3",
    "float:inf",
    "float:nan",
    "float:1e999",
]


@pytest.mark.parametrize("spec", GOOD)
def test_specs_the_api_stores_are_specs_the_judge_reads(spec: str) -> None:
    assert v.checker({"checker": spec}, "checker") == spec
    checker_from_spec(spec)  # raises ValueError if the judge could not use it


@pytest.mark.parametrize("spec", BAD)
def test_specs_the_api_refuses_are_refused_by_the_judge(spec: str) -> None:
    with pytest.raises(BadRequest):
        v.checker({"checker": spec}, "checker")
    with pytest.raises(ValueError):
        checker_from_spec(spec)


def test_no_checker_means_tokens() -> None:
    assert v.checker({}, "checker") == "tokens"
