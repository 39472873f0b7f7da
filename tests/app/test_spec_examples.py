"""Every example in the OpenAPI document validates against the schema it illustrates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest

from tests.paths import REPO

SPEC: dict[str, Any] = json.loads((REPO / "openapi.json").read_text(encoding="utf-8"))


def _examples(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(location, schema, example) for media types and parameters (`schema` beside `example`
    or `examples`) and for schemas carrying `examples`."""
    if isinstance(node, dict):
        schema = node.get("schema")
        if isinstance(schema, dict):
            if "example" in node:
                yield where, schema, node["example"]
            for name, example in (node.get("examples") or {}).items():
                yield f"{where}.examples.{name}", schema, example["value"]
        if isinstance(node.get("examples"), list) and (
            "type" in node or "$ref" in node or "properties" in node or "anyOf" in node
        ):
            for index, example in enumerate(node["examples"]):
                yield f"{where}.examples[{index}]", node, example
        for key, value in node.items():
            if key not in ("example", "examples"):
                yield from _examples(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _examples(value, f"{where}[{index}]")


CASES = list(_examples(SPEC, "#"))


def test_the_spec_has_examples_to_check() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize(("where", "schema", "example"), CASES, ids=[c[0] for c in CASES])
def test_example_validates_against_its_schema(
    where: str, schema: dict[str, Any], example: Any
) -> None:
    # The example's schema inside the whole document, so `$ref`s to components resolve.
    root = {**schema, "components": SPEC["components"]}
    errors = [e.message for e in jsonschema_rs.validator_for(root).iter_errors(example)]
    assert errors == [], f"{where}: {errors}"


def _composed(schema: dict[str, Any], depth: int = 0) -> Any:
    """The example Swagger UI shows when a schema has none of its own: built from each
    property's example, or its enum's first value."""
    if "examples" in schema:
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if "$ref" in schema:
        return _composed(SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]], depth)
    if "anyOf" in schema:
        return _composed(next(s for s in schema["anyOf"] if s.get("type") != "null"), depth)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {n: _composed(s, depth + 1) for n, s in schema.get("properties", {}).items()}
    if kind == "array":
        return [_composed(schema.get("items", {}), depth + 1)]
    return {"string": "string", "integer": 0, "number": 0.0, "boolean": True}.get(kind)


NODE_KINDS = {"condition", "cause", "symptom", "diagnostic", "treatment", "prevention"}


def _ids_and_kinds(value: Any) -> Iterator[tuple[str, str]]:
    """(id, kind) of every node shown, wherever it is nested."""
    if isinstance(value, dict):
        if isinstance(value.get("id"), str) and value.get("kind") in NODE_KINDS:
            yield value["id"], value["kind"]
        for item in value.values():
            yield from _ids_and_kinds(item)
    elif isinstance(value, list):
        for item in value:
            yield from _ids_and_kinds(item)


SCHEMAS = sorted(SPEC["components"]["schemas"])


@pytest.mark.parametrize("name", SCHEMAS)
def test_the_example_shown_for_each_schema_is_valid_and_consistent(name: str) -> None:
    schema = SPEC["components"]["schemas"][name]
    example = _composed(schema)
    root = {**schema, "components": SPEC["components"]}
    errors = [e.message for e in jsonschema_rs.validator_for(root).iter_errors(example)]
    assert errors == [], f"{name}: {errors}"
    for ident, kind in _ids_and_kinds(example):
        assert ident.startswith(f"{kind}:"), f"{name}: {ident!r} shown with kind {kind!r}"


def test_each_error_response_shows_its_own_status() -> None:
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                media = response.get("content", {}).get("application/problem+json")
                if media is None:
                    continue
                example = media.get("example") or _composed(media["schema"])
                assert example["status"] == int(status), f"{method} {path} {status}"
