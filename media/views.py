"""Library pages: dashboard, library (grid/table, search, filters), covers and wanted. (The
book detail, series and author pages show provenance and live in the metadata app.)
First content is rendered on the server in one round trip; the page scripts only enhance
(live search, polling)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from core.api.auth import is_admin
from core.api.jobs import first_jobs
from core.lists import pager, sort_headers
from core.visibility import without_hidden
from media import covers, memory
from media.api import LibraryQuery, search_page
from media.dashboard import COVER_JOB_KIND, SCAN_JOB_KIND, dashboard_context, live_counts
from media.models import MediaItem, MediaKind, MediaStatus
from media.search import SORT_CHOICES, SORT_LABELS, STATUS_FILTER_CHOICES
from media.search.filters import SORTS
from media.selectors import ACQUISITION_STATUSES, items_for_listing

PAGE_SIZE = 50
FORMATS = ("epub", "azw3", "mobi", "pdf", "cbz", "cbr", "m4b", "mp3")
LIST_FIELDS = ("format", "status")
COUNTS_PARAM = "counts"  # ?counts=1: the library page computes its filter counts (without JS)
COUNTS_API = "/api/v1/library/search"
RUNNING_JOBS_SHOWN = 10  # the dashboard polls /api/jobs/?active=true&page_size=10
SCANS_SHOWN = 5  # static/js/scan-progress.js polls the active scans, page_size=5
REQUESTS_SHOWN = 200  # readers' wanted requests listed for approval


def _page(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 100_000))
    except ValueError:
        return 1


def _paged(queryset, page: int) -> tuple[list, bool]:
    start = (page - 1) * PAGE_SIZE
    rows = list(queryset[start : start + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def _size_bytes(value: str) -> int | None:
    try:
        return int(float(value) * 1024 * 1024) if value else None
    except ValueError:
        return None


def library_query(params: QueryDict, *, page_size: int = PAGE_SIZE) -> tuple[LibraryQuery, list[str]]:
    """The library page's GET form as an API query; invalid values are dropped with a message."""
    data: dict[str, object] = {k: v for k, v in params.items() if v != "" and k not in LIST_FIELDS}
    for key in LIST_FIELDS:
        data[key] = [v for v in params.getlist(key) if v]
    data.pop("view", None)
    data.pop(COUNTS_PARAM, None)
    for key in ("size_min_mb", "size_max_mb"):
        if key in data:
            data[key.removesuffix("_mb")] = _size_bytes(str(data.pop(key)))
    if data.get("complete") == "yes":
        data["completeness_min"] = 100
    elif data.get("complete") == "no":
        data["completeness_max"] = 99
    data.pop("complete", None)
    data["page_size"] = page_size
    try:
        return LibraryQuery.model_validate(data), []
    except ValidationError as exc:
        bad = sorted({str(e["loc"][0]) for e in exc.errors()})
        for key in bad:
            data.pop(key, None)
        return LibraryQuery.model_validate(data), [f"Ignored an invalid value for {', '.join(bad)}."]


TABLE_COLUMNS = [
    ("", ""),
    ("Title", "title"),
    ("Authors", "author"),
    ("Series", "series"),
    ("Year", "year"),
    ("Formats", ""),
    ("Size", "size"),
]


PAGE_PARAMS = {
    "size_min": "size_min_mb",
    "size_max": "size_max_mb",
    "completeness_min": "complete",
    "completeness_max": "complete",
}  # API filter parameter -> the page's, where they differ


def _remembered(request) -> str | None:
    """The bare library address opens with the user's kept sort, order, view and filters."""
    if request.GET:
        return None
    kept = memory.for_request(request)
    params = QueryDict(kept.filters, mutable=True)
    for key in ("sort", "order", "view"):
        if getattr(kept, key):
            params[key] = getattr(kept, key)
    return params.urlencode() or None


def _keep_choices(request, query: LibraryQuery) -> None:
    memory.save_preferences(
        request.user,
        sort=query.sort if "sort" in request.GET and query.sort in SORTS else "",
        order=query.order or "",
        view="table" if request.GET.get("view") == "table" else "grid",
        filters=request.GET,
    )
    if query.q and query.page == 1:
        memory.remember_search(request.user, request.GET)


def _relax_links(result: dict, params: QueryDict, kind: str | None) -> None:
    """Each suggestion's link: its words with the filters kept, minus the one it drops (or all)."""
    for suggestion in result["suggestions"]:
        link = QueryDict(mutable=True) if suggestion["clear_filters"] else params.copy()
        if suggestion["clear_filters"] and kind and not suggestion["drop"]:
            link["kind"] = kind
        link.pop(PAGE_PARAMS.get(suggestion["drop"], suggestion["drop"]), None)
        link.pop("page", None)
        link["q"] = suggestion["q"]
        suggestion["link"] = link.urlencode()


def library(request):
    remembered = _remembered(request)
    if remembered:
        return redirect(f"{request.path}?{remembered}")
    query, errors = library_query(request.GET, page_size=memory.for_request(request).page_size)
    chosen_sort = query.sort if "sort" in request.GET else ""  # the form sends a sort only when picked
    if not query.q and query.sort == "relevance":
        query.sort = "title"
    if request.GET:
        _keep_choices(request, query)
    # filter counts only when asked (?counts=1, the panel's link without JS); the page script
    # fetches them from the JSON API (counts_api) when the filter panel opens
    query.facets = request.GET.get(COUNTS_PARAM) == "1"
    result = search_page(query, request.user)
    _relax_links(result, request.GET, query.kind)
    descending = query.order == "desc" if query.order else SORTS.get(query.sort, ("", False))[1]
    params = request.GET.copy()
    params.pop("page", None)
    params.pop(COUNTS_PARAM, None)
    base = params.urlencode()
    tabs = QueryDict(mutable=True)
    tabs.update(params)
    tabs.pop("kind", None)
    tabs.pop("page", None)
    return render(
        request,
        "media/library.html",
        {
            "result": result,
            "query": query,
            "errors": errors,
            "kinds": MediaKind.choices,
            "statuses": MediaStatus.choices,
            "formats": FORMATS,
            "sorts": [(s, SORT_LABELS[s]) for s in SORT_CHOICES if s != "relevance"],
            "chosen_sort": chosen_sort,
            "status_choices": STATUS_FILTER_CHOICES,
            "scan_jobs": first_jobs(request, page=1, page_size=SCANS_SHOWN, active=True, kind=COVER_JOB_KIND),
            "headers": sort_headers(
                request.GET,
                TABLE_COLUMNS,
                current=query.sort,
                descending=descending,
                defaults_desc=("year", "size", "added"),
            ),
            "pager": pager(
                request.GET,
                page=result["page"],
                page_size=result["page_size"],
                total=result["total"],
                has_next=result["has_next"],
                estimated=result["total_estimated"],
                noun="books",
            ),
            "can_manage": is_admin(request.user),
            "facets": (labels := _facet_labels(result["facets"])),
            "counts_shown": bool(labels),
            "counts_qs": _with_counts(params),
            "counts_api": _counts_api(query),
            "format_options": [(f, labels.get("format", {}).get(f, " (0)" if labels else "")) for f in FORMATS],
            "kind_tabs": [(v, label, labels.get("kind", {}).get(v, "")) for v, label in MediaKind.choices],
            "status_options": [
                (v, label, labels.get("status", {}).get(v, "") if v else "") for v, label in STATUS_FILTER_CHOICES
            ],
            "languages": list(labels.get("language", {}).items()),
            "history": memory.history(request.user, limit=10),
            "view": "table" if request.GET.get("view") == "table" else "grid",
            "base_qs": base,
            "tab_qs": tabs.urlencode(),
            "export_qs": urlencode([(k, v) for k, vs in params.lists() for v in vs if k != "view"]),
            "filters_open": any(
                request.GET.get(k)
                for k in (
                    COUNTS_PARAM,
                    "format",
                    "language",
                    "genre",
                    "year_min",
                    "year_max",
                    "size_min_mb",
                    "size_max_mb",
                    "has_cover",
                    "has_series",
                    "has_isbn",
                    "has_description",
                    "complete",
                    "status",
                    "missing_files",
                )
            ),
        },
    )


def _with_counts(params: QueryDict) -> str:
    asked = params.copy()
    asked[COUNTS_PARAM] = "1"
    return asked.urlencode()


def _counts_api(query: LibraryQuery) -> str:
    """The JSON API search giving this page's filter counts (one result, facets=true): what
    static/js/library.js fetches when the filter panel opens."""
    asked = {
        **query.model_dump(exclude_defaults=True, exclude={"page", "page_size", "remember"}),
        "facets": "true",
        "page_size": 1,
    }
    return f"{COUNTS_API}?{urlencode(asked, doseq=True)}"


def _facet_labels(facets: dict | None) -> dict[str, dict[str, str]]:
    """facet -> option value -> " (12)" or " (about 1,200)", to print after the option's label."""
    return {
        name: {v["value"]: f" ({'about ' if v['estimated'] else ''}{v['count']:,})" for v in values}
        for name, values in (facets or {}).items()
    }


def dashboard(request):
    running = first_jobs(request, page=1, page_size=RUNNING_JOBS_SHOWN, active=True)
    scans = first_jobs(request, page=1, page_size=SCANS_SHOWN, active=True, kind=SCAN_JOB_KIND)
    return render(
        request,
        "media/dashboard.html",
        {**dashboard_context(request.user), "running_jobs": running, "scan_jobs": scans},
    )


@require_GET
def dashboard_live(request):
    """The dashboard's counts and recent books alone, redrawn by the page while a scan imports."""
    return render(request, "media/_dashboard_live.html", live_counts(request.user))


@require_GET
def cover(request, item_id: int):
    item = get_object_or_404(_covers_for(request.user), pk=item_id)
    return _image(covers.cover_file(item.cover_path), versioned=_versioned(request, item))


@require_GET
def cover_thumb(request, item_id: int):
    item = get_object_or_404(_covers_for(request.user), pk=item_id)
    return _image(covers.thumbnail(item.cover_path), versioned=_versioned(request, item))


def _covers_for(user):
    """Items whose cover `user` may see: a hidden library's book has none (404)."""
    return without_hidden(MediaItem.objects.only("cover_path"), user)


def _versioned(request, item: MediaItem) -> bool:
    return bool(item.cover_path) and request.GET.get("v") == item.cover_version


def _image(path: Path | None, *, versioned: bool) -> FileResponse:
    """A versioned URL (?v=<the current cover's version>) names one cover for ever: cached a
    year. Any other address of a cover is checked again at each use, so a changed cover never
    hides behind an old cached one."""
    if path is None:
        raise Http404("No cover")
    response = FileResponse(path.open("rb"), content_type=covers.content_type(path))
    response["Cache-Control"] = "private, max-age=31536000, immutable" if versioned else "private, no-cache"
    return response


WANTED_SORTS = {
    "title": ("sort_title",),
    "kind": ("kind", "sort_title"),
    "status": ("status", "sort_title"),
    "added": ("added_at",),
}
WANTED_COLUMNS = [("Title", "title"), ("Authors", ""), ("Kind", "kind"), ("Status", "status"), ("Added", "added")]


def wanted(request):
    """The wanted list: page numbers with the total and sortable headers (core.lists), newest first."""
    page = _page(request)
    key = request.GET.get("sort") if request.GET.get("sort") in WANTED_SORTS else "added"
    descending = request.GET.get("order") == "desc" if request.GET.get("order") else key == "added"
    order = [("-" if descending else "") + column for column in WANTED_SORTS[key]] + ["-pk" if descending else "pk"]
    acquisition = without_hidden(items_for_listing(statuses=ACQUISITION_STATUSES), request.user)
    items, has_next = _paged(acquisition.order_by(*order), page)
    requests = items_for_listing(statuses=(MediaStatus.REQUESTED,)).select_related("requested_by")
    return render(
        request,
        "media/wanted.html",
        {
            "items": items,
            "headers": sort_headers(
                request.GET, WANTED_COLUMNS, current=key, descending=descending, defaults_desc=("added",)
            ),
            "pager": pager(
                request.GET,
                page=page,
                page_size=PAGE_SIZE,
                total=acquisition.count(),
                has_next=has_next,
                noun="wanted books",
            ),
            "requests": requests.order_by("added_at", "pk")[:REQUESTS_SHOWN],
            "can_manage": is_admin(request.user),
            "kinds": MediaKind.choices,
        },
    )


class PreferencesForm(forms.Form):
    """Settings > Preferences: the signed-in user's own choices (the API's PUT /library/preferences)."""

    theme = forms.ChoiceField(choices=[(t, t.capitalize()) for t in memory.THEMES])
    view = forms.ChoiceField(choices=[("grid", "Grid"), ("table", "Table")], label="Library view")
    sort = forms.ChoiceField(
        choices=[
            ("", "Best match (title when browsing)"),
            *((s, SORT_LABELS[s]) for s in SORT_CHOICES if s != "relevance"),
        ],
        required=False,
        label="Library sort",
    )
    page_size = forms.TypedChoiceField(
        choices=[(n, str(n)) for n in memory.PAGE_SIZES], coerce=int, label="Books per page"
    )


def preference_choices(request) -> dict:
    """The Preferences section's form, filled with the user's choices (media.context_processors)."""
    kept = memory.for_request(request)
    return {
        "preferences_form": PreferencesForm(
            initial={
                "theme": kept.theme or "auto",
                "view": kept.view or "grid",
                "sort": kept.sort,
                "page_size": kept.page_size,
            }
        )
    }


@require_POST
def save_preferences(request):
    """Only ever the signed-in user's own row: no user is named in the request."""
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        bad = ", ".join(str(form.fields[name].label or name) for name in form.errors)
        messages.error(request, f"Preferences not saved: choose a valid value for {bad.lower()}.")
        return redirect(f"{reverse('settings')}#preferences")
    memory.save_preferences(request.user, **form.cleaned_data)
    messages.success(request, "Preferences saved.")
    return redirect(f"{reverse('settings')}#preferences")
