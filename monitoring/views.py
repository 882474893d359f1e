"""Pages: followed authors and series (with the review queue and the settings), an author's works
and a series' books with their gaps ("want all missing"), and the release calendar. Forms post
to the services the JSON API calls; only admins may post (core/permissions.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.api.auth import is_admin
from core.errors import OmniError
from core.jobs import submit_job
from indexers.models import FormatProfile
from media.models import Author, MediaKind, Series
from monitoring import services
from monitoring.calendar import month_view, releases
from monitoring.models import (
    BookState,
    MonitoredAuthor,
    MonitoredBook,
    MonitoredSeries,
    MonitoringSettings,
    MonitorMode,
)

MODELS = {"authors": MonitoredAuthor, "series": MonitoredSeries}
MONTH = re.compile(r"(\d{4})-(\d{2})")


def _common(request) -> dict:
    can_manage = is_admin(request.user)
    return {"can_manage": can_manage, "modes": MonitorMode.choices, "kinds": MediaKind.choices,
            "profiles": list(FormatProfile.objects.all()) if can_manage else []}


def overview(request):
    return render(request, "monitoring/overview.html", {
        **_common(request),
        "authors": MonitoredAuthor.objects.select_related("author")[:500],
        "series_list": MonitoredSeries.objects.select_related("series")[:500],
        "review": MonitoredBook.objects.filter(state=BookState.REVIEW)[:100],
        "recent": MonitoredBook.objects.filter(state=BookState.ADDED).select_related("item")[:50],
        "settings": MonitoringSettings.load(),
    })


def author_page(request, author_id: int):
    author = get_object_or_404(Author, pk=author_id)
    monitors = list(MonitoredAuthor.objects.filter(author=author))
    return render(request, "monitoring/author.html", {
        **_common(request), "author": author,
        "monitors": [{"monitor": m, "gaps": services.gaps(m)} for m in monitors]})


def series_page(request, series_id: int):
    series = get_object_or_404(Series, pk=series_id)
    monitors = list(MonitoredSeries.objects.filter(series=series))
    return render(request, "monitoring/series.html", {
        **_common(request), "series": series,
        "monitors": [{"monitor": m, "gaps": services.gaps(m)} for m in monitors]})


def _back(request, fallback: str = "monitoring"):
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else fallback)


def _run(request, fn, done):
    try:
        result = fn()
    except OmniError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, done(result) if callable(done) else done.format(result=result))
    return result


def _saved(monitor) -> str:
    profile = monitor.profile.name if monitor.profile else "the default profile"
    return f"Saved: {monitor.get_mode_display().lower()}, {profile}."


def _optional_id(value: str) -> int | None:
    return int(value) if value.isdigit() and 0 < int(value) < 2**63 else None


@require_POST
def follow(request):
    data = request.POST
    if data.get("what") == "series":
        _run(request, lambda: services.follow_series(
            series_id=_optional_id(data.get("series_id", "")), title=data.get("title", "")[:255],
            comicvine_volume=data.get("comicvine_volume", "").strip(), kind=data.get("kind", "comic"),
            mode=data.get("mode", "missing"), profile_id=_optional_id(data.get("profile", "")), user=request.user),
             "Following {result.title}.")
    else:
        _run(request, lambda: services.follow_author(
            author_id=_optional_id(data.get("author_id", "")), name=data.get("name", "")[:255],
            kind=data.get("kind", "ebook"), mode=data.get("mode", "all"),
            profile_id=_optional_id(data.get("profile", "")), user=request.user),
             "Following {result.name}.")
    return _back(request)


@require_POST
def change(request, what: str, monitor_id: int):
    model = MODELS.get(what)
    if model is None:
        messages.error(request, "Unknown kind of monitor")
    elif request.POST.get("action") == "unfollow":
        _run(request, lambda: services.unfollow(model, monitor_id), "Unfollowed; the books it added stay wanted.")
    else:
        data = request.POST
        _run(request, lambda: services.change(model, monitor_id, mode=data.get("mode", ""),
                                              set_profile="profile" in data,
                                              profile_id=_optional_id(data.get("profile", ""))), _saved)
    return _back(request)


@require_POST
def want_missing(request, what: str, monitor_id: int):
    model = MODELS.get(what)
    if model is None:
        messages.error(request, "Unknown kind of monitor")
    else:
        _run(request, lambda: services.want_missing(model, monitor_id), "{result[added]} book(s) added as wanted.")
    return _back(request)


@require_POST
def check_now(request):
    """Every monitor, or the one named (`what` authors/series and `monitor_id`) from its page."""
    what, monitor_id = request.POST.get("what", ""), _optional_id(request.POST.get("monitor_id", ""))
    params = {f"{'author' if what == 'authors' else 'series'}_id": monitor_id} \
        if what in MODELS and monitor_id else {}
    _run(request, lambda: submit_job("monitoring.check", params=params, user=request.user),
         "Checking (job #{result.pk}); see Activity, then reload this page.")
    return _back(request)


@require_POST
def resolve(request, book_id: int):
    _run(request, lambda: services.resolve_review(book_id, request.POST.get("action", ""),
                                                  item_id=_optional_id(request.POST.get("item_id", ""))),
         lambda book: f"Done: {book.get_state_display()}.")
    return _back(request)


@require_POST
def settings_save(request):
    languages = [c.strip() for c in request.POST.get("languages", "").split(",") if c.strip()]
    _run(request, lambda: services.save_settings(languages=languages, kinds=request.POST.getlist("kinds")),
         "Monitoring settings saved.")
    return _back(request)


def calendar_page(request):
    today = datetime.now(UTC).date()
    match = MONTH.fullmatch(request.GET.get("month", ""))
    year, month = (int(match.group(1)), int(match.group(2))) if match else (today.year, today.month)
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        year, month = today.year, today.month
    list_view = request.GET.get("view") == "list"
    context = {"view": "list" if list_view else "month", "today": today}
    if list_view:
        context["rows"] = releases(today - timedelta(days=30), today + timedelta(days=365), request.user)
    else:
        context["month"] = month_view(year, month, request.user)
    return render(request, "monitoring/calendar.html", context)
