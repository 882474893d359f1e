"""The book page's format profile panel (`{% load profile_tags %}{% upgrade_panel item %}`), so the
page can show it without the search app importing `indexers`. Admins only: readers never see
configuration."""

from __future__ import annotations

from django import template

from core.permissions import Role, role_of
from indexers import profiles
from indexers.models import FormatProfile

register = template.Library()


@register.inclusion_tag("indexers/_upgrade_panel.html", takes_context=True)
def upgrade_panel(context, item):
    user = context["request"].user
    if item is None or role_of(user) != Role.ADMIN:
        return {"item": None}
    state = profiles.item_state(item.pk)
    return {
        "item": item,
        "state": state,
        "choices": list(FormatProfile.objects.filter(kind=item.kind).order_by("-is_default", "name")),
        "csrf_token": context.get("csrf_token"),
    }
