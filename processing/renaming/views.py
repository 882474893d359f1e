"""Pages of the renamer; the work happens through /api/rename (static/js/rename*.js). The history
page embeds its first page of batches so it draws without waiting for the API."""

from __future__ import annotations

import re

from django.shortcuts import render

from core.api.auth import is_admin
from core.api.envelope import Page, PageParams, as_sent
from core.visibility import without_hidden
from media.models import MediaItem, MediaKind
from processing.renaming.api import BatchOut, batch_page
from processing.renaming.models import ConflictPolicy
from processing.renaming.services import template_choices

HISTORY_SHOWN = 25  # batches per page of static/js/rename_history.js


def _context(request, **extra) -> dict:
    return {
        "can_manage": is_admin(request.user),
        "kinds": MediaKind.choices,
        "policies": ConflictPolicy.choices,
        "templates": template_choices(),
        **extra,
    }


MAX_PREFILLED = 500


def _chosen_items(raw: str, viewer) -> list[MediaItem]:
    """The books of `?items=1,2,3` (from the library's selection), in that order; unknown ids and
    books `viewer` may not see dropped."""
    ids = [int(p) for p in re.split(r"[\s,]+", raw) if p.isdigit()][:MAX_PREFILLED]
    found = without_hidden(MediaItem.objects.only("id", "title"), viewer).in_bulk(ids)
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def rename_books(request):
    chosen = _chosen_items(request.GET.get("items", ""), request.user)
    item_ids = ",".join(str(item.pk) for item in chosen)
    return render(request, "renaming/rename_books.html", _context(request, chosen_items=chosen, item_ids=item_ids))


def rename_templates(request):
    return render(request, "renaming/templates.html", _context(request))


def rename_history(request):
    first = as_sent(request, Page[BatchOut], batch_page(PageParams(page=1, page_size=HISTORY_SHOWN)))
    return render(request, "renaming/history.html", _context(request, first_screen=first))
