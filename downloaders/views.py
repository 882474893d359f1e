"""Acquisition pages. Wanted, queue and blacklist embed their first screen (the answers of the
page script's first requests, built by the same functions as the API) so they draw in one round
trip; static/js/downloads-*.js then poll /api/downloads/ as before, asking for the page and sort
in the address. The wanted list and the history have page numbers and sortable headers
(core.lists, as the library, series and authors lists)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from pydantic import ValidationError

from core.api.auth import is_admin
from core.api.envelope import Page, PageParams, as_sent
from core.lists import pager, sort_headers
from core.visibility import without_hidden
from downloaders import services
from downloaders.api import (
    DESCENDING_FIRST,
    HistoryParams,
    WantedParams,
    active_attempts,
    blacklist_entries,
    finished_attempts,
    wanted_items,
)
from downloaders.schemas import AttemptOut, BlacklistOut, WantedOut
from media.models import MediaItem

# Page sizes the page scripts ask the API for.
WANTED_SHOWN = 50
HISTORY_SHOWN = 50
BLACKLIST_SHOWN = 200
WANTED_COLUMNS = [("Title", "title"), ("Status", "status"), ("Last search", "last_search"),
                  ("Next search", "next_search"), ("Best score", "score"), ("", "")]
HISTORY_COLUMNS = [("Item", "item"), ("Release", "release"), ("State", "state"), ("Finished", "finished"),
                   ("Details", "")]


def _context(request, **extra) -> dict:
    return {"can_manage": is_admin(request.user), **extra}


def list_params(request, schema: type[PageParams], page_size: int):
    """The page and sort asked for in the address; a value the API would refuse is left out."""
    data = {key: request.GET[key] for key in ("page", "sort", "order") if request.GET.get(key)}
    try:
        return schema.model_validate({**data, "page_size": page_size})
    except ValidationError:
        return schema.model_validate({"page_size": page_size})


def list_navigation(request, params, page: dict, columns: list, *, noun: str, one: str = "") -> dict:
    """Sortable headers and page numbers (with the total) of one list page."""
    descending = params.sort in DESCENDING_FIRST if params.order is None else params.order == "desc"
    return {
        "headers": sort_headers(request.GET, columns, current=params.sort, descending=descending,
                                defaults_desc=tuple(DESCENDING_FIRST)),
        "pager": pager(request.GET, page=page["page"], page_size=page["page_size"], total=page["total"],
                       has_next=page["has_next"], noun=noun, one=one),
    }


def wanted_page(request):
    params = list_params(request, WantedParams, WANTED_SHOWN)
    page = wanted_items(params, request.user)
    first = as_sent(request, Page[WantedOut], page)
    navigation = list_navigation(request, params, page, WANTED_COLUMNS, noun="wanted items")
    return render(request, "downloaders/wanted.html", _context(request, first_screen=first, **navigation))


def search_page(request, media_id: int):
    item = get_object_or_404(without_hidden(MediaItem.objects.all(), request.user), pk=media_id)
    return render(request, "downloaders/search.html", _context(request, item=item))


def queue_page(request):
    params = list_params(request, HistoryParams, HISTORY_SHOWN)
    done = finished_attempts(params, request.user)
    first = {
        "queue": as_sent(request, list[AttemptOut], active_attempts(request.user)),
        "history": as_sent(request, Page[AttemptOut], done),
    }
    problems = services.failing_clients()  # the client's own state, set by its test and the monitor
    navigation = list_navigation(request, params, done, HISTORY_COLUMNS, noun="finished downloads")
    return render(request, "downloaders/queue.html",
                  _context(request, first_screen=first, client_problems=problems, **navigation))


def blacklist_page(request):
    entries = blacklist_entries(PageParams(page=1, page_size=BLACKLIST_SHOWN), active=True, viewer=request.user)
    first = as_sent(request, Page[BlacklistOut], entries)
    return render(request, "downloaders/blacklist.html", _context(request, first_screen=first))
