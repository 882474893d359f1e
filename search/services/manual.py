"""Checks of a value a person types for a field, before it becomes the 'manual' candidate:
a clear InvalidInput instead of a value the catalogue cannot hold."""

from __future__ import annotations

from typing import Any

from core import isbn as isbn_tools
from core.errors import InvalidInput
from search.models import MetadataField

# fields a person can edit on the item page (identifiers and cover have their own tools)
EDITABLE_FIELDS = tuple(f for f in MetadataField.values if f not in ("identifiers", "cover"))
LIST_FIELDS = frozenset({"authors", "narrators", "subjects", "genres"})
TEXT_LIMITS = {"title": 500, "subtitle": 500, "publisher": 255, "published": 32, "language": 8,
               "issue_number": 16, "volume": 16, "description": 100_000}
NUMBERS = {"year": (1, 9999), "page_count": (1, 100_000), "duration_seconds": (1, 10_000_000)}


def _number(field: str, value: Any) -> int:
    low, high = NUMBERS[field]
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(f"{field} must be a whole number") from None
    if not low <= number <= high:
        raise InvalidInput(f"{field} must be between {low} and {high}")
    return number


def _names(field: str, value: Any) -> list[str]:
    if isinstance(value, str):
        # people: "Le Guin, Ursula K." is one name; the normaliser splits "A and B" / "A; B"
        value = [value] if field in ("authors", "narrators") else value.replace(";", ",").split(",")
    if not isinstance(value, list | tuple):
        raise InvalidInput(f"{field} must be a list of names")
    names = list(dict.fromkeys(" ".join(str(v).split()) for v in value if str(v).strip()))
    if any(len(n) > 255 for n in names):
        raise InvalidInput(f"A name in {field} is longer than 255 characters")
    return names


def _series(value: Any) -> dict[str, Any]:
    """{"name", "index"} and, when given, "chrono": the publication and the chronological
    (in-universe) position; both may be decimal or negative (0.5, -1)."""
    if isinstance(value, str):
        value = {"name": value, "index": None}
    if not isinstance(value, dict) or not str(value.get("name") or "").strip():
        raise InvalidInput("series needs a name", hint='e.g. {"name": "Dune", "index": 2, "chrono": 2}')
    cleaned: dict[str, Any] = {"name": str(value["name"]).strip()[:255], "index": _position(value.get("index"))}
    if "chrono" in value:
        cleaned["chrono"] = _position(value.get("chrono"))
    return cleaned


def _position(index: Any) -> float | None:
    if index in (None, ""):
        return None
    try:
        number = float(str(index).strip())
    except ValueError:
        raise InvalidInput("The number in the series must be a number such as 2, 2.5 or -1") from None
    if not -1_000_000 < number < 1_000_000:
        raise InvalidInput("The number in the series is out of range")
    return number


def clean_manual_value(field: str, value: Any) -> Any:
    """The value to store for `field`, or InvalidInput with a clear message."""
    if field not in EDITABLE_FIELDS:
        raise InvalidInput(f"{field} cannot be edited by hand", hint=f"Editable: {', '.join(EDITABLE_FIELDS)}")
    if field in LIST_FIELDS:
        return _names(field, value)
    if field == "series":
        return _series(value)
    if field in NUMBERS:
        return _number(field, value)
    if field == "isbn13":
        converted = isbn_tools.to_isbn13(str(value or ""))
        if not converted:
            raise InvalidInput(f"{value!r} is not a valid ISBN-10 or ISBN-13")
        return converted
    text = "" if value is None else str(value).strip()
    if len(text) > TEXT_LIMITS[field]:
        raise InvalidInput(f"{field} is longer than {TEXT_LIMITS[field]} characters")
    return text
