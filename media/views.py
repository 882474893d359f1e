from __future__ import annotations

from django.shortcuts import render

from media.models import MediaKind
from media.selectors import ACQUISITION_STATUSES, items_for_listing

PAGE_SIZE = 50


def _page(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 100_000))
    except ValueError:
        return 1


def _paged(queryset, page: int) -> tuple[list, bool]:
    start = (page - 1) * PAGE_SIZE
    rows = list(queryset[start : start + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def library(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in MediaKind.values else None
    page = _page(request)
    items, has_next = _paged(items_for_listing(kind=kind).exclude(status__in=ACQUISITION_STATUSES), page)
    return render(request, "media/library.html", {
        "items": items, "page": page, "has_next": has_next, "kind": kind, "kinds": MediaKind.choices,
    })


def wanted(request):
    page = _page(request)
    items, has_next = _paged(items_for_listing(statuses=ACQUISITION_STATUSES).order_by("-added_at"), page)
    return render(request, "media/wanted.html", {"items": items, "page": page, "has_next": has_next})
