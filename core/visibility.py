"""Which catalogue items a user must not see: a registry that core owns and an app on top fills.

media and search cannot import `reading` (imports flow one way), yet their pages, searches and
APIs must hide the libraries a reader may not see ("a book in a library a reader can't see does
not exist for them"). `reading` registers its rule at start-up (ReadingConfig.ready, from
reading.visibility, the one place that decides); with no rule registered nothing is hidden.

A rule takes the user and `item_ref`, the column of the filtered rows that holds a media item's
id ("pk" for MediaItem rows, "item_id" for rows pointing at an item), and returns a Q matching
the rows to hide, or None when it hides nothing from that user (admins: nothing is added to
their queries). A rule must build its Q from subqueries only (no rows read while building it):
the Q is kept per user and reused."""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

HiddenItemsRule = Callable[[Any, str], "Q | None"]
_RULES: list[HiddenItemsRule] = []
M = TypeVar("M", bound=Model)


_BUILT: dict[tuple, Q | None] = {}  # the Q per user and item_ref: building one costs ~1 ms
_BUILT_MAX = 1024


def register_hidden_items_rule(rule: HiddenItemsRule) -> HiddenItemsRule:
    if rule not in _RULES:
        _RULES.append(rule)
        _BUILT.clear()
    return rule


def _who(user) -> tuple:
    """What a rule may read of the user: a rule's Q holds no rows (only subqueries), so the same
    user with the same flags gets the same Q however their libraries change."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ("anonymous",)
    return (user.pk, user.is_active, user.is_staff, user.is_superuser)


def hidden_items(user, item_ref: str = "pk") -> Q | None:
    """Rows (whose `item_ref` is an item id) this user must not see, or None: nothing hidden."""
    key = (*_who(user), item_ref)
    if key not in _BUILT:
        found = [q for rule in _RULES if (q := rule(user, item_ref)) is not None]
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.clear()
        _BUILT[key] = reduce(or_, found) if found else None
    return _BUILT[key]


def without_hidden(rows: QuerySet[M], user, item_ref: str = "pk") -> QuerySet[M]:
    """`rows` less the ones pointing at an item hidden from `user` (unchanged when none is)."""
    hidden = hidden_items(user, item_ref)
    return rows if hidden is None else rows.exclude(hidden)


# Libraries (scan folders) themselves: the scanning pages list folders, their runs and their
# problem files (paths that name books). A rule takes the user and returns the ids of the scan
# folders they may see (a queryset of ids or a list), or None for "all of them".
VisibleFoldersRule = Callable[[Any], Any]
_FOLDER_RULES: list[VisibleFoldersRule] = []


def register_visible_folders_rule(rule: VisibleFoldersRule) -> VisibleFoldersRule:
    if rule not in _FOLDER_RULES:
        _FOLDER_RULES.append(rule)
    return rule


def in_visible_folders(rows: QuerySet[M], user, folder_ref: str = "pk") -> QuerySet[M]:
    """`rows` less the ones whose scan folder (`folder_ref` holds its id) is hidden from `user`."""
    for rule in _FOLDER_RULES:
        ids = rule(user)
        if ids is not None:
            rows = rows.filter(**{f"{folder_ref}__in": ids})
    return rows
