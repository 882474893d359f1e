"""Acquisition pages. Wanted, queue and blacklist embed their first screen (the answers of the
page script's first requests, built by the same functions as the API) so they draw in one round
trip; static/js/downloads-*.js then poll /api/downloads/ as before."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from core.api.auth import is_admin
from core.api.envelope import Page, PageParams, as_sent
from downloaders import services
from downloaders.api import active_attempts, blacklist_entries, finished_attempts, wanted_items
from downloaders.schemas import AttemptOut, BlacklistOut, WantedOut
from media.models import MediaItem

# Page sizes the page scripts ask the API for.
WANTED_SHOWN = 50
HISTORY_SHOWN = 50
BLACKLIST_SHOWN = 200


def _context(request, **extra) -> dict:
    return {"can_manage": is_admin(request.user), **extra}


def wanted_page(request):
    first = as_sent(request, Page[WantedOut], wanted_items(PageParams(page=1, page_size=WANTED_SHOWN)))
    return render(request, "downloaders/wanted.html", _context(request, first_screen=first))


def search_page(request, media_id: int):
    item = get_object_or_404(MediaItem, pk=media_id)
    return render(request, "downloaders/search.html", _context(request, item=item))


def queue_page(request):
    first = {
        "queue": as_sent(request, list[AttemptOut], active_attempts()),
        "history": as_sent(request, Page[AttemptOut], finished_attempts(PageParams(page=1, page_size=HISTORY_SHOWN))),
    }
    problems = services.failing_clients()  # the client's own state, set by its test and the monitor
    return render(request, "downloaders/queue.html", _context(request, first_screen=first, client_problems=problems))


def blacklist_page(request):
    entries = blacklist_entries(PageParams(page=1, page_size=BLACKLIST_SHOWN), active=True)
    first = as_sent(request, Page[BlacklistOut], entries)
    return render(request, "downloaders/blacklist.html", _context(request, first_screen=first))
