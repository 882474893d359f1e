from __future__ import annotations

from functools import cache
from typing import Any, Generic, TypeVar

from ninja import Schema
from pydantic import Field

T = TypeVar("T")


class Envelope(Schema, Generic[T]):
    """Every API response: `data` on success, `error` + `error_code` on failure; `warnings`:
    what a successful request could not honour (an unknown search field), said in words."""

    success: bool
    data: T | None = None
    error: str | None = None
    error_code: str | None = None
    warnings: list[str] = Field(default_factory=list)


class FieldError(Schema):
    field: str
    message: str


class ErrorEnvelope(Schema):
    success: bool = False
    data: Any = None
    error: str
    error_code: str
    hint: str | None = None
    details: Any = None


class Page(Schema, Generic[T]):
    """A page of a list. `has_next` is known without counting every match; `total` is
    given only where counting is cheap."""

    items: list[T]
    page: int
    page_size: int
    has_next: bool
    total: int | None = None


class PageParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=500)


def ok(data: Any = None, *, warnings: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    return {"success": True, "data": data, "error": None, "error_code": None, "warnings": list(warnings)}


def error_body(message: str, code: str, *, hint: str = "", details: Any = None) -> dict[str, Any]:
    return {
        "success": False,
        "data": None,
        "error": message,
        "error_code": code,
        "hint": hint or None,
        "details": details,
    }


def paginate(queryset, params: PageParams, *, count: bool = False) -> dict[str, Any]:
    """Fetch one page plus one row to know whether another page follows."""
    start = (params.page - 1) * params.page_size
    rows = list(queryset[start : start + params.page_size + 1])
    return {
        "items": rows[: params.page_size],
        "page": params.page,
        "page_size": params.page_size,
        "has_next": len(rows) > params.page_size,
        "total": queryset.count() if count else None,
    }


@cache
def _holder(schema: Any) -> type[Schema]:
    return type("EmbeddedData", (Schema,), {"__annotations__": {"data": schema}})


def as_sent(request, schema: Any, data: Any) -> Any:
    """`data` as an endpoint declared with `response=Envelope[schema]` sends it (same schema, same
    validation and dump as django-ninja), for a page to embed with `json_script` so its first
    screen needs no second request."""
    validated = _holder(schema).model_validate({"data": data}, context={"request": request, "response_status": 200})
    return validated.model_dump()["data"]
