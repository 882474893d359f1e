from __future__ import annotations

from django.shortcuts import render


def parse_page(request):
    """The "test parsing" page: type a release title, see what the parser makes of it."""
    return render(request, "indexers/parse.html", {"title": request.GET.get("title", "")[:1000]})
