"""Bounded integer types for API input. Every id, size and count a client sends fits a signed
64-bit database column, so an absurd number is refused with 422 before it reaches a query."""

from __future__ import annotations

from typing import Annotated, ClassVar

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, Strict, model_validator

MAX_BIGINT = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_BIGINT)]
"""A primary key: 1 .. 2**63-1."""

Size = Annotated[int, Field(ge=0, le=MAX_BIGINT)]
"""A size in bytes or a count: 0 .. 2**63-1."""

def _json_integer(value: object) -> object:
    if isinstance(value, bool | str):
        raise ValueError("must be a whole number, not true/false or text")
    return value


def whole(ge: int, le: int) -> object:
    """A whole number from `ge` to `le` in a JSON body as JSON Schema means it: 5 or 5.0, not
    true or "5" (the bounds come first so the schema states them)."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_json_integer)]

Flag = Annotated[bool, Strict()]
"""A yes/no in a JSON body: true or false, not 0, 1 or "yes"."""


def _true(value: bool) -> bool:
    if value is not True:
        raise ValueError("must be true")
    return value


Confirmed = Annotated[bool, Strict(), AfterValidator(_true), Field(json_schema_extra={"const": True})]
"""A confirmation a destructive action needs: the schema says it must be `true`."""


def _given(value: object) -> bool:
    return bool(value.strip()) if isinstance(value, str) else value not in (None, False, [])


def _document_one_of(schema: dict, model: type) -> None:
    schema["anyOf"] = [{"required": [name], "properties": {name: rule}} for name, rule in model.ONE_OF.items()]


class OneOfSchema(Schema):
    """A body that needs at least one of several fields: `ONE_OF` maps each field to the JSON
    schema its value must then match (not null, not blank); the OpenAPI document states the rule
    as `anyOf` and the model enforces the same (a 422 names the fields)."""

    ONE_OF: ClassVar[dict[str, dict]] = {}
    model_config = {"json_schema_extra": _document_one_of}

    @model_validator(mode="after")
    def _one_given(self):
        if not any(_given(getattr(self, name)) for name in self.ONE_OF):
            raise ValueError(f"give at least one of: {', '.join(self.ONE_OF)}")
        return self


GIVEN_ID = {"type": "integer", "minimum": 1, "maximum": MAX_BIGINT}
GIVEN_TEXT = {"type": "string", "pattern": r"\S"}
