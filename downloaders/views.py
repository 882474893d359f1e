from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from core.api.auth import is_admin
from media.models import MediaItem


def _context(request, **extra) -> dict:
    return {"can_manage": is_admin(request.user), **extra}


def wanted_page(request):
    return render(request, "downloaders/wanted.html", _context(request))


def search_page(request, media_id: int):
    item = get_object_or_404(MediaItem, pk=media_id)
    return render(request, "downloaders/search.html", _context(request, item=item))


def queue_page(request):
    return render(request, "downloaders/queue.html", _context(request))


def blacklist_page(request):
    return render(request, "downloaders/blacklist.html", _context(request))
