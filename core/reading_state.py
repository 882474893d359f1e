"""Which books a user has read: a registry that core owns and `reading` fills (ReadingConfig.ready),
so the series pages of `search` can say "2 of 6 read" without importing `reading`.
With no rule registered nobody has read anything."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

ReadItemsRule = Callable[[Any, list[int]], "set[int]"]
_RULES: list[ReadItemsRule] = []


def register_read_items_rule(rule: ReadItemsRule) -> ReadItemsRule:
    if rule not in _RULES:
        _RULES.append(rule)
    return rule


def read_item_ids(user, item_ids: Iterable[int]) -> set[int]:
    """Of `item_ids`, the ones `user` has finished."""
    ids = list(item_ids)
    if not ids or user is None or not getattr(user, "is_authenticated", False):
        return set()
    found: set[int] = set()
    for rule in _RULES:
        found |= rule(user, ids)
    return found
