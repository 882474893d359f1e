"""Pages of the metadata app: metadata search, review queue, item provenance, series, authors."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from core.api.auth import is_admin
from media.models import Author, ContributorRole, MediaItem, MediaKind, Series
from search.models import ReviewItem, ReviewStatus
from search.selectors import item_metadata, provider_rows
from search.services.catalogue import series_overview
from search.services.providers import status_text

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def metadata_search(request):
    providers = [{"row": r, "status": status_text(r)} for r in provider_rows()]
    return render(request, "search/search.html", {"providers": providers, "kinds": MediaKind.choices})


def review_queue(request):
    reviews = ReviewItem.objects.select_related("item").filter(status=ReviewStatus.PENDING)
    return render(
        request, "search/review.html", {"page": _page(request, reviews), "can_manage": is_admin(request.user)}
    )


def item_detail(request, item_id: int):
    item = get_object_or_404(MediaItem.objects.select_related("series"), pk=item_id)
    return render(
        request, "search/item.html", {"item": item, "meta": item_metadata(item), "can_manage": is_admin(request.user)}
    )


def series_list(request):
    series = Series.objects.annotate(known=Count("items")).order_by("title")
    return render(request, "search/series_list.html", {"page": _page(request, series)})


def series_detail(request, series_id: int):
    return render(request, "search/series_detail.html", series_overview(get_object_or_404(Series, pk=series_id)))


def author_list(request):
    authors = Author.objects.annotate(books=Count("contributions")).prefetch_related("aliases").order_by("sort_name")
    return render(request, "search/author_list.html", {"page": _page(request, authors)})


def author_detail(request, author_id: int):
    author = get_object_or_404(Author.objects.prefetch_related("aliases"), pk=author_id)
    items = MediaItem.objects.filter(contributions__author=author).select_related("series").distinct()
    roles = dict(author.contributions.values_list("item_id", "role"))
    return render(
        request,
        "search/author_detail.html",
        {
            "author": author,
            "items": items.order_by("series__title", "series_index", "sort_title"),
            "roles": roles,
            "author_role": ContributorRole.AUTHOR,
            "can_manage": is_admin(request.user),
        },
    )
