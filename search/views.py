"""Pages of the metadata app: metadata search, review queue, the one item detail page
(/library/<id>/: files, provenance, edits, locks, history, refresh, downloads, delete), and the
series and author pages (gaps, completion, aliases, rename/merge)."""

from __future__ import annotations

from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from core.api.auth import is_admin
from core.lists import django_pager, sort_headers
from core.reading_state import read_item_ids
from core.text import fold
from core.visibility import hidden_items, without_hidden
from media import covers as media_covers
from media import memory
from media.models import ContributorRole, MediaItem, MediaKind, MediaStatus
from media.selectors import items_for_listing
from search.book_page import book_page
from search.models import ReviewItem, ReviewStatus
from search.selectors import author_rows, provider_rows, series_rows
from search.services.catalogue import series_completions, series_credits, series_overview
from search.services.covers import local_candidate_file
from search.services.providers import status_text
from search.services.runs import recent_runs
from search.services.scan_provenance import record_pending
from search.services.series import cover_source
from search.services.series import history as series_history

PAGE_SIZE = 50
OWNED = (MediaStatus.IN_LIBRARY, MediaStatus.POST_PROCESSED_SUCCESS)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def metadata_search(request):
    providers = [{"row": r, "status": status_text(r)} for r in provider_rows()]
    return render(request, "search/search.html", {"providers": providers, "kinds": MediaKind.choices})


def review_queue(request):
    reviews = ReviewItem.objects.select_related("item").filter(status=ReviewStatus.PENDING)
    reviews = without_hidden(reviews, request.user, "item_id")
    return render(request, "search/review.html", {"page": _page(request, reviews), "runs": recent_runs(5),
                                                  "can_manage": is_admin(request.user)})


def book_detail(request, item_id: int):
    hidden = hidden_items(request.user)  # a hidden library's book does not exist for this reader: 404
    items = MediaItem.objects.select_related("series")
    item = get_object_or_404(items if hidden is None else items.exclude(hidden), pk=item_id)
    record_pending([item.pk])  # what a scan read, should its job not have run yet
    memory.note_opened(request.user, item.pk)  # ranked a little higher in this user's searches
    context = book_page(item, request.user, can_edit=is_admin(request.user), editing=request.GET.get("edit") == "1")
    return render(request, "search/book_detail.html", context)


@require_GET
def cover_candidate(request, item_id: int, candidate_id: str):
    """A stored cover the item has had (only ids listed for this item: never a path)."""
    item = get_object_or_404(without_hidden(MediaItem.objects.all(), request.user), pk=item_id)
    path = local_candidate_file(item, candidate_id)
    if path is None:
        raise Http404("No such cover")
    return FileResponse(path.open("rb"), content_type=media_covers.content_type(path))


def item_redirect(request, item_id: int):
    return redirect("book-detail", item_id=item_id, permanent=True)


SERIES_SORTS = {"title": ("title", "id"), "kind": ("kind", "title", "id"), "books": ("known", "title", "id")}
AUTHOR_SORTS = {"name": ("sort_name", "id"), "books": ("books", "sort_name", "id")}


def _list_sort(request, sorts: dict, default: str) -> tuple[str, bool, list[str]]:
    key = request.GET.get("sort") if request.GET.get("sort") in sorts else default
    descending = request.GET.get("order") == "desc"
    return key, descending, [("-" if descending else "") + f for f in sorts[key][:1]] + list(sorts[key][1:])


def series_list(request):
    """Series with their cover, search, sortable columns and the series page's own gap count."""
    q = request.GET.get("q", "").strip()[:200]
    series = series_rows(request.user)
    if q:
        series = series.filter(Q(normalized__contains=fold(q)) | Q(title__icontains=q))
    key, descending, order = _list_sort(request, SERIES_SORTS, "title")
    page = _page(request, series.order_by(*order))
    completions = series_completions([s.pk for s in page], hidden=hidden_items(request.user))
    credits = series_credits([s.pk for s in page], hidden=hidden_items(request.user))
    rows = [{"series": s, "completion": completions[s.pk], "credits": credits[s.pk]} for s in page]
    headers = sort_headers(request.GET, [("", ""), ("Series", "title"), ("Kind", "kind"), ("In the library", "books")],
                           current=key, descending=descending, defaults_desc=("books",))
    return render(request, "search/series_list.html", {
        "page": page, "rows": rows, "q": q, "headers": headers,
        "pager": django_pager(request.GET, page, noun="series", one="series")})


def series_detail(request, series_id: int):
    hidden = hidden_items(request.user)
    series = get_object_or_404(series_rows(request.user), pk=series_id)
    context = series_overview(series, hidden=hidden)
    items = without_hidden(items_for_listing(), request.user).filter(series_id=series_id)
    chrono = request.GET.get("order") == "chronological"  # else publication order
    position = "series_chrono_index" if chrono else "series_index"
    items = items.order_by(F(position).asc(nulls_last=True), "series_index", "sort_title")[:500]
    if chrono:
        rows = [(i.series_chrono_index if i.series_chrono_index is not None else Decimal("1e9"), 0, i,
                 _position_text(i.series_chrono_index)) for i in items]
    else:  # a book at each position it holds (an omnibus 1-3, or 2 and 5), and the gaps
        placed, books = context["placements"], {i.pk: i for i in [*items, *context["others"]]}
        rows = [(p.start if p.start is not None else Decimal("1e9"), 0, books[pk], p.text)
                for pk, found in placed.items() if pk in books for p in found]
        rows += [(Decimal(gap), 1, None, str(gap)) for gap in context["gaps"]]
    context["rows"] = [{"index": index, "item": item, "position": text}
                       for index, _, item, text in sorted(rows, key=lambda r: r[:2])]
    context["chronological"] = chrono
    context["has_cover"] = bool(series.cover_path) or any(i.cover_path for i in [*context["items"], *context["others"]])
    context["cover_books"] = [i for i in [*context["items"], *context["others"]] if i.cover_path]
    context["cover_source"] = cover_source(series)
    everyone = {i.pk for i in [*context["items"], *context["others"]]}
    context["read"] = len(read_item_ids(request.user, everyone))
    context["history"] = series_history(series_id) if is_admin(request.user) else []
    context["can_manage"] = is_admin(request.user)
    return render(request, "search/series_detail.html", context)


def series_cover(request, series_id: int):
    """The series' cover: the uploaded one, else its chosen book's, else a mosaic of up to four of
    its books' covers."""
    series = get_object_or_404(series_rows(request.user), pk=series_id)
    books = without_hidden(MediaItem.objects.exclude(cover_path=""), request.user)
    chosen = series.cover_path or books.filter(pk=series.cover_item_id).values_list("cover_path", flat=True).first()
    path = media_covers.thumbnail(chosen) if chosen else None
    if path is None:
        paths = list(books.filter(series_id=series_id).order_by(F("series_index").asc(nulls_last=True), "sort_title")
                     .values_list("cover_path", flat=True)[:media_covers.MOSAIC_TILES])
        path = media_covers.mosaic(paths)
    if path is None:
        raise Http404("No cover")
    response = FileResponse(path.open("rb"), content_type=media_covers.content_type(path))
    response["Cache-Control"] = "private, no-cache"
    return response


def _position_text(index: Decimal | None) -> str:
    """'2', '2.5', '-1' (a Decimal(8, 2) is '2.50')."""
    return "" if index is None else f"{index.normalize():f}"


def author_list(request):
    """Authors with their initials (or a cover of one of their books), search and sortable columns."""
    q = request.GET.get("q", "").strip()[:200]
    authors = author_rows(request.user).prefetch_related("aliases")
    if q:
        key_q = fold(q)
        authors = authors.filter(Q(normalized__contains=key_q) | Q(name__icontains=q)
                                 | Q(aliases__normalized__contains=key_q)).distinct()
    key, descending, order = _list_sort(request, AUTHOR_SORTS, "name")
    page = _page(request, authors.order_by(*order))
    covers = dict(
        without_hidden(MediaItem.objects.all(), request.user)
        .filter(contributions__author__in=list(page)).exclude(cover_path="")
        .order_by("contributions__author", "pk").values_list("contributions__author", "pk").distinct()
    ) if page else {}
    rows = [{"author": a, "cover_item_id": covers.get(a.pk), "initials": initials(a.name)} for a in page]
    headers = sort_headers(request.GET, [("", ""), ("Author", "name"), ("Also known as", ""), ("Books", "books")],
                           current=key, descending=descending, defaults_desc=("books",))
    return render(request, "search/author_list.html", {
        "page": page, "rows": rows, "q": q, "headers": headers,
        "pager": django_pager(request.GET, page, noun="authors")})


def initials(name: str) -> str:
    """'Ursula K. Le Guin' -> 'UG'; one letter for a single name."""
    words = [w for w in name.replace(".", " ").split() if w[:1].isalpha()]
    if not words:
        return "?"
    return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()


def author_detail(request, author_id: int):
    author = get_object_or_404(author_rows(request.user).prefetch_related("aliases"), pk=author_id)
    items = without_hidden(items_for_listing(), request.user).filter(contributions__author=author).distinct()
    roles = {}
    for item_id, role in author.contributions.values_list("item_id", "role"):
        roles.setdefault(item_id, []).append(role)
    items = list(items.order_by("series__title", "series_index", "sort_title")[:500])
    for item in items:
        item.author_roles = [r for r in roles.get(item.pk, []) if r != ContributorRole.AUTHOR]
    return render(
        request,
        "search/author_detail.html",
        {"author": author, "items": items, "can_manage": is_admin(request.user)},
    )
