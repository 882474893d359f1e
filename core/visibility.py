"""Which catalogue items a user must not see: a registry that core owns and an app on top fills.

media and search cannot import `reading` (imports flow one way), yet their pages, searches and
APIs must hide the libraries a reader may not see ("a book in a library a reader can't see does
not exist for them"). `reading` registers its rule at start-up (ReadingConfig.ready, from
reading.visibility, the one place that decides); with no rule registered nothing is hidden.

A rule takes the user and `item_ref`, the column of the filtered rows that holds a media item's
id ("pk" for MediaItem rows, "item_id" for rows pointing at an item), and returns a Q matching
the rows to hide, or None when it hides nothing from that user (admins: nothing is added to
their queries)."""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

HiddenItemsRule = Callable[[Any, str], "Q | None"]
_RULES: list[HiddenItemsRule] = []
M = TypeVar("M", bound=Model)


def register_hidden_items_rule(rule: HiddenItemsRule) -> HiddenItemsRule:
    if rule not in _RULES:
        _RULES.append(rule)
    return rule


def hidden_items(user, item_ref: str = "pk") -> Q | None:
    """Rows (whose `item_ref` is an item id) this user must not see, or None: nothing hidden."""
    found = [q for rule in _RULES if (q := rule(user, item_ref)) is not None]
    return reduce(or_, found) if found else None


def without_hidden(rows: QuerySet[M], user, item_ref: str = "pk") -> QuerySet[M]:
    """`rows` less the ones pointing at an item hidden from `user` (unchanged when none is)."""
    hidden = hidden_items(user, item_ref)
    return rows if hidden is None else rows.exclude(hidden)
