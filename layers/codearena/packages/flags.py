"""The format's `validator_flags` for its default output validator, as a checker spec
(sandbox.checkers): tokens compared case-insensitively unless `case_sensitive`, whitespace
free unless `space_change_sensitive`, numbers within a tolerance when one is given."""

from __future__ import annotations

import math
from collections.abc import Sequence

from codearena.packages.model import PackageError

_TOLERANCES = ("float_tolerance", "float_absolute_tolerance", "float_relative_tolerance")
_SWITCHES = ("case_sensitive", "space_change_sensitive")


def checker_spec(flags: Sequence[str]) -> str:
    """The checker spec of the default validator given `flags`; PackageError for a flag it
    does not know or a tolerance that is not a finite, non-negative number."""
    switches: set[str] = set()
    tolerances: dict[str, float] = {}
    words = iter(flags)
    for flag in words:
        if flag in _SWITCHES:
            switches.add(flag)
        elif flag in _TOLERANCES:
            tolerances[flag] = _tolerance(flag, next(words, ""))
        else:
            raise PackageError(f"validator_flags: unknown flag {flag!r} for the default validator")
    spec = _float_spec(tolerances) if tolerances else "tokens"
    if "case_sensitive" not in switches:
        spec += ",nocase"
    if "space_change_sensitive" in switches:
        spec += ",spaces"
    return spec


def _tolerance(flag: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise PackageError(f"validator_flags: {flag} needs a number, got {value!r}") from None
    if not 0 <= number < math.inf:
        raise PackageError(f"validator_flags: {flag} must be finite and not negative")
    return number


def _float_spec(tolerances: dict[str, float]) -> str:
    both = tolerances.get("float_tolerance")
    # A tolerance not given is off (0), unless float_tolerance gave both.
    absolute = tolerances.get("float_absolute_tolerance", both if both is not None else 0.0)
    relative = tolerances.get("float_relative_tolerance", both if both is not None else 0.0)
    return f"float:{absolute!r}:{relative!r}"
