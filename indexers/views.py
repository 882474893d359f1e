from __future__ import annotations

from django.shortcuts import render

KINDS = (
    ("release", "Release title"),
    ("ebook", "Ebook file name"),
    ("comic", "Comic file name"),
    ("audiobook", "Audiobook file name"),
    ("author", "Author line"),
)


def parse_page(request):
    """The "test parsing" page: type a release title, file name or author line, see what the
    parser of that kind makes of it (the page calls GET /api/parse/?kind=)."""
    kind = request.GET.get("kind", "release")
    context = {
        "title": request.GET.get("title", "")[:1000],
        "kind": kind if kind in dict(KINDS) else "release",
        "kinds": KINDS,
    }
    return render(request, "indexers/parse.html", context)
