"""The catalogue's HTTP edge: authenticate (reading.opds.auth), parse the page and filters, build a
feed (feeds.py) and render it as OPDS 1.2 or 2.0. Files, comic pages and covers are the reading
and media views, reached here with the app's credentials once visibility allows them."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404

from media import views as media_views
from media.models import Author, Series
from reading import views as reading_views
from reading.models import Shelf
from reading.opds import atom, catalog, feeds, opds2
from reading.opds.auth import opds_view
from reading.visibility import visible_item

ATOM_TYPE = "application/atom+xml;profile=opds-catalog;charset=utf-8"
OPDS2_TYPE = "application/opds+json"
MAX_PAGE = 100_000


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), MAX_PAGE))
    except ValueError:
        return 1


def _respond(feed, version: int) -> HttpResponse:
    if version == 1:
        response = HttpResponse(atom.render(feed), content_type=ATOM_TYPE)
    else:
        body = json.dumps(opds2.render(feed), ensure_ascii=False, separators=(",", ":"))
        response = HttpResponse(body, content_type=OPDS2_TYPE)
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Authorization, Cookie, X-Api-Key"
    return response


def feed_view(build):
    """A GET-only feed view: `build(request, urls, page_number, **kwargs)` returns the feed."""

    @opds_view
    def view(request, version: int, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        urls = feeds.Urls(request, version)
        return _respond(build(request, urls, _page_number(request), **kwargs), version)

    view.__name__ = build.__name__
    return view


@feed_view
def root(request, urls, number):
    return feeds.root(urls, request.user)


@feed_view
def recent(request, urls, number):
    return feeds.recent(urls, request.user, number)


@feed_view
def books(request, urls, number):
    filters = catalog.Filters(**{key: request.GET.get(key, "")[:16] for key in ("kind", "language", "format")})
    return feeds.books(urls, request.user, filters, number)


@feed_view
def authors(request, urls, number):
    return feeds.authors(urls, request.user, number)


def _readable(request, model, pk: int, link: str):
    """The author or series, if the user can read at least one of its books (else a 404, so a
    hidden library's author is not even confirmed to exist)."""
    found = get_object_or_404(model, pk=pk)
    if not catalog.readable_items(request.user).filter(**{link: found}).exists():
        raise Http404(f"No such {model._meta.verbose_name}")
    return found


@feed_view
def author(request, urls, number, author_id: int):
    return feeds.author(urls, request.user, _readable(request, Author, author_id, "contributions__author"), number)


@feed_view
def series_list(request, urls, number):
    return feeds.series_list(urls, request.user, number)


@feed_view
def series(request, urls, number, series_id: int):
    return feeds.series(urls, request.user, _readable(request, Series, series_id, "series"), number)


@feed_view
def shelves(request, urls, number):
    return feeds.shelves(urls, request.user)


@feed_view
def shelf(request, urls, number, shelf_id: int):
    found = get_object_or_404(Shelf, pk=shelf_id, user=request.user)
    return feeds.shelf(urls, request.user, found, number)


@feed_view
def continue_reading(request, urls, number):
    return feeds.continue_reading(urls, request.user, number)


@feed_view
def search(request, urls, number):
    return feeds.search(urls, request.user, request.GET.get("q", "")[:1000], number)


@opds_view
def opensearch(request):
    template = feeds.Urls(request, 1).search_template()
    return HttpResponse(atom.opensearch_description(template), content_type="application/opensearchdescription+xml")


@opds_view
def download(request, file_id: int):
    return reading_views.download(request, file_id)


@opds_view
def pse_page(request, file_id: int, number: int):
    """OPDS-PSE numbers pages from 0; the reading app's comic pages from 1."""
    return reading_views.comic_page(request, file_id, number + 1)


def _visible_item_or_404(request, item_id: int) -> None:
    if visible_item(request.user, item_id) is None:
        raise Http404("No such book")


@opds_view
def cover(request, item_id: int):
    _visible_item_or_404(request, item_id)
    return media_views.cover(request, item_id)


@opds_view
def cover_thumb(request, item_id: int):
    _visible_item_or_404(request, item_id)
    return media_views.cover_thumb(request, item_id)
