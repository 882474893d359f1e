"""Small pieces other apps' pages show without importing `reading`: the dashboard's "Continue
reading/listening" row and the book page's status and shelf controls (`{% load reading_tags %}`)."""

from __future__ import annotations

from django import template

from reading import progress, shelves
from reading.models import ReadingStatus
from reading.visibility import visible_item

register = template.Library()


@register.inclusion_tag("shelves/_continue.html", takes_context=True)
def continue_reading(context, limit: int = progress.CONTINUE_LIMIT):
    """One query: the user's books in progress they may still see, latest first."""
    user = context["request"].user
    return {"rows": progress.continue_reading(user, limit) if user.is_authenticated else []}


@register.inclusion_tag("shelves/_controls.html", takes_context=True)
def reading_controls(context, item_id: int):
    user = context["request"].user
    item = visible_item(user, item_id) if user.is_authenticated else None
    if item is None:
        return {"item": None}
    return {
        "item": item,
        "row": progress.progress_for(user, item),
        "statuses": ReadingStatus.choices,
        "shelves": [s for s in shelves.user_shelves(user) if not s.is_smart],
        "on_shelves": shelves.shelves_holding(user, item),
    }
