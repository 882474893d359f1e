"""The OpenAPI document is a contract: one component per schema class, every integer a client
sends is bounded, every error status documented with the error envelope."""

from __future__ import annotations

import enum
import typing
from collections import defaultdict

import pytest
from pydantic import BaseModel

from core.api.types import MAX_BIGINT
from omnireadarr.api import api

pytestmark = pytest.mark.django_db


def _operations():
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            yield from path_view.operations


def _types_in(annotation) -> typing.Iterator[type]:
    if isinstance(annotation, type) and issubclass(annotation, (BaseModel, enum.Enum)):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _types_in(argument)


def _schema_classes() -> dict[str, set[type]]:
    """Every model and enum the document is generated from, by the name its component gets.
    (The roots are ninja's own per-operation wrappers, so only their fields are walked.)"""
    by_name: dict[str, set[type]] = defaultdict(set)
    pending = [field.annotation for op in _operations()
               for root in [*op.models, *(m for m in op.response_models.values() if isinstance(m, type))]
               for field in root.model_fields.values()]
    seen: set[type] = set()
    while pending:
        for cls in _types_in(pending.pop()):
            if cls in seen:
                continue
            seen.add(cls)
            by_name[cls.__name__].add(cls)
            if issubclass(cls, BaseModel):
                pending += [field.annotation for field in cls.model_fields.values()]
    return by_name


def test_no_two_schema_classes_share_a_component_name():
    classes = _schema_classes()
    assert len(classes) > 50
    shared = {name: sorted(f"{c.__module__}.{c.__qualname__}" for c in group)
              for name, group in classes.items() if len(group) > 1}
    assert not shared, f"one OpenAPI component would document several classes: {shared}"


def _document(admin_client) -> dict:
    response = admin_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _unbounded_integers(document: dict, schema: dict, where: str, seen: set) -> typing.Iterator[str]:
    schema = _resolve(document, schema)
    if id(schema) in seen:
        return
    seen.add(id(schema))
    if schema.get("type") == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is None or high is None or low < -MAX_BIGINT - 1 or high > MAX_BIGINT:
            yield where
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            yield from _unbounded_integers(document, option, where, seen)
    for name, prop in schema.get("properties", {}).items():
        yield from _unbounded_integers(document, prop, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        yield from _unbounded_integers(document, schema["items"], f"{where}[]", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _unbounded_integers(document, schema["additionalProperties"], f"{where}{{}}", seen)


def test_every_integer_a_client_sends_is_bounded_to_64_bits(admin_client):
    document = _document(admin_client)
    unbounded, checked = [], 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                checked += 1
                unbounded += _unbounded_integers(document, parameter["schema"], f"{label} {parameter['name']}", set())
            for content in operation.get("requestBody", {}).get("content", {}).values():
                checked += 1
                unbounded += _unbounded_integers(document, content["schema"], f"{label} body", set())
    assert checked > 100
    assert not unbounded, "integer inputs without 64-bit bounds:\n" + "\n".join(unbounded)


def test_every_operation_documents_its_errors_in_the_envelope(admin_client):
    document = _document(admin_client)
    assert "ErrorEnvelope" in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            expected = {"400", "403", "404", "409", "422"} | ({"401"} if operation.get("security") else set())
            assert expected <= documented, f"{method.upper()} {path} documents only {sorted(documented)}"
