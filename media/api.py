"""JSON API of the library: search, listing, one item, export, recycle. (Hand edits, locks and
their history are the metadata app's: /api/media/{id}/fields/{field}.)"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, QueryDict
from ninja import Query, Router, Schema
from pydantic import Field, WithJsonSchema

from core.api.envelope import Envelope, ok
from core.api.types import Id, Size
from core.visibility import hidden_items
from media import memory, recycle
from media.detail import item_detail
from media.search import SORT_CHOICES, SearchFilters, SearchRequest, run
from media.search.facets import facets
from media.search.results import export_row, rows

router = Router(tags=["library"])
EXPORT_LIMIT = 20_000


class LibraryQuery(Schema):
    q: str = Field(
        "",
        max_length=1000,
        description='Search text: words, "phrases", AND/OR/NOT, -word, '
        "author:/series:/isbn:/title:/publisher:/tag:, filters language:/format:/kind:, wildcards * and ?, "
        "ISBNs with hyphens or spaces; an unknown field is searched as words and named in `warnings`",
    )
    regex: bool = Field(
        False,
        description="Treat q as a regular expression over title, authors and series "
        "(an invalid pattern, or one running past 1 s, falls back to a literal search, said in `notices`)",
    )
    case_sensitive: bool = Field(
        False,
        description="Match the exact case: a regex over the item's own title, subtitle, series and authors; "
        "plain words must each appear in that case",
    )
    sort: str = Field("relevance", pattern="^(" + "|".join(SORT_CHOICES) + ")$")
    order: Literal["asc", "desc"] | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=500)
    kind: str | None = Field(None, max_length=16)
    format: list[str] = Field(default_factory=list, description="File formats, e.g. epub (repeatable)")
    language: str | None = Field(None, max_length=8)
    genre: str | None = Field(None, max_length=128)
    year_min: int | None = Field(None, ge=0, le=9999)
    year_max: int | None = Field(None, ge=0, le=9999)
    size_min: Size | None = Field(None, description="Bytes")
    size_max: Size | None = Field(None, description="Bytes")
    has_cover: bool | None = None
    has_series: bool | None = None
    has_isbn: bool | None = Field(None, description="false: missing ISBN")
    has_description: bool | None = Field(None, description="false: no description")
    completeness_min: int | None = Field(None, ge=0, le=100)
    completeness_max: int | None = Field(None, ge=0, le=100)
    status: list[str] = Field(default_factory=list)
    missing_files: bool | None = None
    facets: bool = Field(False, description="Also count, for each filter option, the results choosing it would give")
    remember: bool = Field(False, description="Keep this search in the caller's search history")

    def to_request(self, *, viewer=None) -> SearchRequest:
        """The search this query asks for, leaving out what `viewer` may not see (None: nothing)."""
        filters = SearchFilters(
            kind=self.kind or None,
            formats=tuple(f.lower()[:8] for f in self.format if f),
            language=self.language or None,
            genre=self.genre or None,
            year_min=self.year_min,
            year_max=self.year_max,
            size_min=self.size_min,
            size_max=self.size_max,
            has_cover=self.has_cover,
            has_series=self.has_series,
            has_isbn=self.has_isbn,
            has_description=self.has_description,
            completeness_min=self.completeness_min,
            completeness_max=self.completeness_max,
            statuses=tuple(self.status),
            missing_files=self.missing_files,
        )
        descending = None if self.order is None else self.order == "desc"
        return SearchRequest(
            q=self.q,
            filters=filters,
            sort=self.sort,
            descending=descending,
            regex=self.regex,
            case_sensitive=self.case_sensitive,
            page=self.page,
            page_size=self.page_size,
            hidden=None if viewer is None else hidden_items(viewer),
            recent=memory.recent_ids(viewer) if viewer is not None and self.q and self.sort == "relevance" else (),
        )


class Highlights(Schema):
    title: str
    authors: str
    series: str


class ItemRow(Schema):
    id: int
    kind: str
    status: str
    title: str
    subtitle: str
    authors: list[str]
    series: str | None
    series_index: str | None
    year: int | None
    language: str
    publisher: str
    isbn13: str
    formats: list[str]
    size: int
    completeness: int
    cover_url: str | None
    url: str
    added_at: datetime
    highlights: Highlights | None = None


class SuggestionOut(Schema):
    label: str
    q: str
    clear_filters: bool
    drop: str = Field("", description="The one filter parameter to drop, keeping the others")
    total: int | None = Field(None, description="What the relaxed search finds")
    total_estimated: bool = False


class FacetOut(Schema):
    value: str = Field(..., description="The filter parameter's value (true/false for has_* and complete)")
    label: str
    count: int
    estimated: bool = Field(False, description="Extrapolated from the newest 1,000 matches: say “about”")


class SearchPage(Schema):
    items: list[ItemRow]
    page: int
    page_size: int
    has_next: bool
    total: int | None = None
    total_estimated: bool = Field(False, description="More matches than are counted exactly: total is an estimate")
    mode: str
    corrections: dict[str, list[str]]
    notices: list[str]
    suggestions: list[SuggestionOut]
    facets: dict[str, list[FacetOut]] | None = Field(
        None, description="With facets=true: kind, format, language, status, has_cover, has_series, has_isbn, "
        "has_description, complete; each option's count leaves out its own filter"
    )


def search_page(query: LibraryQuery, viewer) -> dict[str, Any]:
    """One page of the library as `viewer` sees it (a hidden library's books are not there)."""
    request = query.to_request(viewer=viewer)
    outcome = run(request)
    counts = None
    if query.facets:
        counts = {name: [v.__dict__ for v in values] for name, values in facets(request, outcome).items()}
    return {
        "facets": counts,
        "items": rows(outcome),
        "page": request.page,
        "page_size": request.page_size,
        "has_next": outcome.has_next,
        "total": outcome.total,
        "total_estimated": outcome.total_estimated,
        "mode": outcome.mode,
        "corrections": {k: list(v) for k, v in outcome.corrections.items()},
        "notices": list(outcome.notices),
        "suggestions": [s.__dict__ for s in outcome.suggestions],
    }


@router.get("/search", response=Envelope[SearchPage], summary="Full-text search with filters, ranked")
def search(request, query: Query[LibraryQuery]):
    page = search_page(query, request.auth)
    if query.remember and query.page == 1:
        memory.remember_search(request.auth, _as_params(query))
    return ok(page, warnings=page["notices"])


def _as_params(query: LibraryQuery) -> QueryDict:
    """The query as the library page's query string (what the history keeps and links to)."""
    params = QueryDict(mutable=True)
    params.setlist("format", query.format)
    params.setlist("status", query.status)
    for key in ("q", "kind", "language", "genre", "year_min", "year_max", "has_cover", "has_series", "has_isbn",
                "has_description", "missing_files"):
        value = getattr(query, key)
        if value not in (None, ""):
            params[key] = str(value).lower() if isinstance(value, bool) else str(value)
    if query.regex:
        params["regex"] = "true"
    if query.case_sensitive:
        params["case_sensitive"] = "true"
    if query.completeness_min == 100:
        params["complete"] = "yes"
    return params


class HistoryOut(Schema):
    q: str
    query: str = Field(..., description="The library page's query string: /library/?{query}")
    searched_at: datetime


@router.get("/history", response=Envelope[list[HistoryOut]], summary="Your recent library searches, newest first")
def search_history(request):
    return ok([{"q": h.q, "query": h.query, "searched_at": h.searched_at} for h in memory.history(request.auth)])


@router.delete("/history", response=Envelope[dict[str, int]], summary="Forget your library search history")
def forget_search_history(request):
    return ok({"deleted": memory.clear_history(request.auth)})


PageSize = Annotated[Literal[*memory.PAGE_SIZES], WithJsonSchema({
    "type": "integer", "enum": list(memory.PAGE_SIZES), "minimum": min(memory.PAGE_SIZES),
    "maximum": max(memory.PAGE_SIZES),
})]


class PreferencesIO(Schema):
    sort: Literal["", *SORT_CHOICES] | None = Field(None, description="Empty: best match (title when browsing)")
    order: Literal["", "asc", "desc"] | None = None
    view: Literal["", "grid", "table"] | None = Field(None, description="The library's default view; empty: grid")
    filters: str | None = Field(
        None, max_length=500, description="Library page query string of the filters, e.g. kind=ebook&format=epub"
    )
    theme: Literal["", *memory.THEMES] | None = Field(
        None, description="Interface theme, on every device you sign in on; empty: each browser's own choice"
    )
    page_size: PageSize | None = Field(None, description="Books per library page")


@router.get("/preferences", response=Envelope[PreferencesIO],
            summary="Your library sort, order, view, filters and page size, and your theme")
def get_preferences(request):
    return ok(memory.preferences(request.auth).__dict__)


@router.put("/preferences", response=Envelope[PreferencesIO],
            summary="Keep your library sort, order, view, filters, page size or theme (omitted: unchanged)")
def put_preferences(request, payload: PreferencesIO):
    filters = None if payload.filters is None else QueryDict(payload.filters.lstrip("?"))
    saved = memory.save_preferences(request.auth, sort=payload.sort, order=payload.order, view=payload.view,
                                    filters=filters, theme=payload.theme, page_size=payload.page_size)
    return ok(saved.__dict__)


@router.get("/items", response=Envelope[SearchPage], summary="Browse the library with filters and a sort")
def list_items(request, query: Query[LibraryQuery]):
    query.q = ""
    if query.sort == "relevance":
        query.sort = "title"
    return ok(search_page(query, request.auth))


@router.get(
    "/items/{int:item_id}", response=Envelope[dict[str, Any]], summary="One item: files, contributors, identifiers"
)
def get_item(request, item_id: Id):
    return ok(item_detail(item_id, hidden=hidden_items(request.auth)))


class RecycleOut(Schema):
    id: int
    item_id_was: int
    title: str
    state: str
    moves: list[dict[str, Any]]


@router.delete("/items/{int:item_id}", response=Envelope[RecycleOut], summary="Delete to the recycle folder (admin)")
def delete_item(request, item_id: Id):
    return ok(recycle.recycle_item(item_id, user=request.user if request.user.is_authenticated else None))


class BulkDeleteIn(Schema):
    item_ids: list[Id] = Field(..., min_length=1, max_length=1_000)


class BulkDeleteOut(Schema):
    recycled: list[RecycleOut]
    failed: list[dict[str, Any]]


@router.post("/items/delete", response=Envelope[BulkDeleteOut], summary="Delete many to the recycle folder (admin)")
def delete_items(request, payload: BulkDeleteIn):
    return ok(recycle.recycle_items(payload.item_ids, user=request.user if request.user.is_authenticated else None))


@router.post("/recycle/{int:entry_id}/restore", response=Envelope[dict[str, Any]], summary="Undo a delete (admin)")
def restore(request, entry_id: Id):
    item = recycle.restore_entry(entry_id)
    if item is None:  # loose files (a stray sidecar, an unused cover): back where they were
        return ok({"id": None, "url": None})
    return ok({"id": item.pk, "url": f"/library/{item.pk}/"})


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run as a formula (OWASP CSV injection): text starting
    with = + - @ tab or CR gets a leading single quote. Titles come from scanned files."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@router.get("/export", summary="Export a result set as CSV or JSON (at most 20,000 rows)")
def export(request, query: Query[LibraryQuery], fmt: Literal["csv", "json"] = "csv"):
    query.page_size, query.page = 500, 1
    data: list[dict[str, Any]] = []
    while len(data) < EXPORT_LIMIT:
        page = search_page(query, request.auth)
        data += [export_row(r) for r in page["items"]]
        if not page["has_next"]:
            break
        query.page += 1
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False), content_type="application/json"
        )
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(data[0]) if data else ["id"])
        writer.writeheader()
        writer.writerows({key: spreadsheet_safe(value) for key, value in row.items()} for row in data)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="library.{fmt}"'
    return response
