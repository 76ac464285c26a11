"""tests/clics_schemas.py decides as jsonschema's own Draft 2020-12 validator does."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.clics_schemas import FastValidator, load

UNIQUE = {"type": "array", "uniqueItems": True}
ANY_OF = {"anyOf": [{"type": "integer"}, {"type": "object", "required": ["id"]}, {"type": "string"}]}

ARRAYS = [
    [],
    [1, 2, 3],
    [1, 1.0],
    [1, Decimal("1.000")],
    [True, 1],
    [False, 0, None],
    [True, True],
    [{"a": 1, "b": [1, 2]}, {"b": [1, 2], "a": 1}],
    [{"a": 1, "b": [1, 2]}, {"b": [2, 1], "a": 1}],
    [{"a": 1}, {"a": 1.0}],
    [{"a": True}, {"a": 1}],
    [[1, [2]], [1, [2.0]]],
    ["x", "y", "x"],
    [{"id": str(n)} for n in range(500)] + [{"id": "7"}],
    [{"id": str(n)} for n in range(500)],
]


@pytest.mark.parametrize("items", ARRAYS)
def test_unique_items_decide_as_jsonschemas(items: list[Any]) -> None:
    expected = Draft202012Validator(UNIQUE).is_valid(items)
    assert FastValidator(UNIQUE).is_valid(items) == expected


@pytest.mark.parametrize("instance", [3, "x", {"id": 1}, {"name": 1}, 2.5, None, [1]])
def test_any_of_decides_and_reports_as_jsonschemas(instance: Any) -> None:
    def report(validator: Any) -> list[tuple[str, int]]:
        return [(error.message, len(error.context)) for error in validator.iter_errors(instance)]

    assert report(FastValidator(ANY_OF)) == report(Draft202012Validator(ANY_OF))


def test_the_specifications_schemas_decide_as_jsonschemas() -> None:
    """Event-feed lines of NWERC 2017, as they are and broken, against the CLICS schemas."""
    import json
    from decimal import Decimal

    from referencing import Registry, Resource

    from tests.integration.test_clics_import import NWERC, SCHEMAS

    fast = load(SCHEMAS)
    loaded = {path.name: json.loads(path.read_text(), parse_float=Decimal) for path in SCHEMAS.glob("*.json")}
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in loaded.values()
    )
    lines = (NWERC / "event-feed.ndjson").read_text().splitlines()[::100]
    for text in lines:
        line = json.loads(text, parse_float=Decimal)
        broken = {**line, "type": "nope", "data": {**line["data"], "id": 5} if line["data"] else 5}
        for instance, name in (
            (line, "event-feed.json"),
            (broken, "event-feed.json"),
            (line["data"], "state.json"),
        ):
            stock = Draft202012Validator(loaded[name], registry=registry)
            assert [e.message for e in fast[name].iter_errors(instance)] == [
                e.message for e in stock.iter_errors(instance)
            ]
