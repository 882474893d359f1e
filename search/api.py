"""JSON API of the metadata app: providers, metadata search, wanted list, per-field
provenance and edits, identification/refresh, review queue, authors and series."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import BeforeValidator, Field

from core.api.auth import is_admin
from core.api.envelope import Envelope, Page, PageParams, ok, paginate
from core.api.types import Confirmed, Flag, Id
from core.jobs import submit_job
from core.visibility import without_hidden
from media.models import Author, MediaItem, MediaKind, Series, SeriesChange, SeriesMembership
from search import provider_settings, services
from search.models import MetadataChange, ReviewItem, ReviewStatus, SearchProvider, TrustChange
from search.providers.base import SearchQuery
from search.providers.registry import PROVIDERS, provider_info
from search.selectors import author_rows, item_metadata, provider_rows
from search.services import catalogue, sources, trust
from search.services import series as series_services
from search.services.lookup import search_metadata
from search.services.providers import status_text
from search.services.runs import recent_runs
from search.services.scan_provenance import record_pending
from search.services.sources import SourceStats, source_stats
from search.services.wanted import (
    WantedRequest,
    add_wanted,
    add_wanted_by_hand,
    approve_request,
    deny_request,
    media_status,
    requested_items,
)


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a number, not true or false")
    return value


Whole = Annotated[int, BeforeValidator(_no_bool)]  # 807.0 is 807; false is not 0
providers_router = Router(tags=["providers"])
metadata_router = Router(tags=["metadata"])
media_router = Router(tags=["media"])
review_router = Router(tags=["review"])
catalogue_router = Router(tags=["authors and series"])


# --- providers ------------------------------------------------------------------------------------
class ProviderOut(Schema):
    name: str
    kind: str = Field(description="The adapter (an added source has one of the built-in kinds)")
    label: str
    retired: bool
    enabled: bool
    base_url: str
    priority: int
    media_types: list[str]
    capabilities: list[str]
    requires_api_key: bool
    has_api_key: bool
    rate_per_second: float | None
    hourly_limit_per_resource: int | None
    status: str
    status_text: str
    last_error: str
    retry_at: datetime | None


def _provider_out(row: SearchProvider) -> dict[str, Any]:
    info = provider_info(row.adapter)
    return {
        "name": row.name,
        "kind": row.adapter,
        "label": row.label,
        "retired": row.retired_at is not None,
        "enabled": row.enabled,
        "base_url": row.base_url,
        "priority": row.priority,
        "media_types": row.media_types or sorted(info.media_kinds),
        "capabilities": sorted(info.capabilities),
        "requires_api_key": info.requires_api_key,
        "has_api_key": bool(row.api_key),
        "rate_per_second": row.rate_per_second,
        "hourly_limit_per_resource": row.hourly_limit_per_resource,
        "status": row.status,
        "status_text": status_text(row),
        "last_error": row.last_error,
        "retry_at": row.retry_at,
    }


class ProviderFilter(Schema):
    media_type: MediaKind | None = None


@providers_router.get("/", response=Envelope[list[ProviderOut]], summary="Metadata providers (for a media kind)")
def list_providers(request, filters: Query[ProviderFilter]):
    return ok([_provider_out(r) for r in provider_rows(filters.media_type)])


class ProviderPatch(Schema):
    enabled: Flag | None = None
    base_url: str | None = Field(None, max_length=500, pattern=r"^https?://")
    api_key: str | None = Field(None, max_length=255)
    priority: Annotated[int, Field(ge=0, le=1000), BeforeValidator(_no_bool)] | None = None
    rate_per_second: float | None = Field(None, gt=0, le=100)
    media_types: list[MediaKind] | None = None


@providers_router.patch("/{name}", response=Envelope[ProviderOut], summary="Change a provider (admin)")
def update_provider(request, name: str, payload: ProviderPatch):
    row = get_object_or_404(SearchProvider, name=name)
    changes = payload.dict(exclude_none=True)
    for key, value in changes.items():
        setattr(row, key, list(value) if key == "media_types" else value)
    if changes:  # a new configuration deserves a fresh chance
        row.status, row.retry_at, row.consecutive_failures, row.last_error = "unknown", None, 0, ""
    row.save()
    return ok(_provider_out(row))


class SourceIn(Schema):
    kind: Literal[tuple(PROVIDERS)] = Field(description="The kind of source (the adapter that speaks to it)")
    name: str = Field(..., min_length=2, max_length=32, pattern=r"^[a-z0-9][-a-z0-9_]*$")
    label: str = Field(..., min_length=1, max_length=64, pattern=r"\S")
    base_url: str = Field(..., max_length=500, pattern=r"^https?://[!-~]+$", description="printable ASCII")
    api_key: str = Field("", max_length=255)
    covers_base_url: str = Field("", max_length=500, pattern=r"^$|^https?://[!-~]+$")
    priority: Whole = Field(50, ge=0, le=1000)


@providers_router.post("/", response={201: Envelope[ProviderOut]},
                       summary="Add a source of an existing kind with its own address and key (admin)")
def add_source(request, payload: SourceIn):
    row = trust.add_source(trust.NewSource(**payload.dict()), user=request.auth)
    return Status(201, ok(_provider_out(row)))


@providers_router.post("/{name}/retire", response=Envelope[ProviderOut],
                       summary="Retire an added source: never asked again; its values keep their source (admin)")
def retire_source(request, name: str):
    return ok(_provider_out(trust.retire_source(name)))


class ProviderTestIn(Schema):
    base_url: str | None = Field(None, max_length=500, pattern=r"^https?://", description="empty: the stored one")
    api_key: str | None = Field(None, max_length=255, description="empty: the stored key")


class ProviderTestOut(Schema):
    ok: bool
    level: str
    text: str
    hint: str


@providers_router.post("/{name}/test", response=Envelope[ProviderTestOut],
                       summary="Test a provider with typed or stored settings: one small search (admin)")
def test_provider(request, name: str, payload: ProviderTestIn):
    row = get_object_or_404(SearchProvider, name=name)
    message = provider_settings.test(row, base_url=payload.base_url or "", api_key=payload.api_key or "")
    return ok({"ok": message.level == "ok", "level": message.level, "text": message.text, "hint": message.hint})


# --- metadata search ---------------------------------------------------------------------------------
_PROVIDER_NAME = "|".join(PROVIDERS)
_PROVIDER_LIST = rf"^\s*$|^\s*({_PROVIDER_NAME})\s*(,\s*({_PROVIDER_NAME})\s*)*$"


class SearchParams(Schema):
    """Nothing to search for (no words, title, author or ISBN) finds nothing."""

    q: str = Field("", max_length=300)
    title: str = Field("", max_length=300)
    author: str = Field("", max_length=300)
    isbn: str = Field("", max_length=32)
    kind: MediaKind = MediaKind.EBOOK
    providers: str = Field("", max_length=200, pattern=_PROVIDER_LIST,
                           description="Comma-separated provider names; empty = all")
    limit: int = Field(10, ge=1, le=40)


class ProviderStatusOut(Schema):
    name: str
    label: str
    ok: bool
    skipped: bool
    error: str
    status: str


class ResultOut(Schema):
    key: str
    title: str
    authors: list[str]
    kind: str
    year: int | None
    isbn13: str
    cover_url: str
    publisher: str
    language: str
    description: str
    series: str
    series_index: float | None
    confidence: float
    sources: list[dict[str, str]]
    in_library: dict[str, Any] | None = None


class MetadataSearchOut(Schema):
    results: list[ResultOut]
    providers: list[ProviderStatusOut]


@metadata_router.get("/search", response=Envelope[MetadataSearchOut], summary="Search every provider at once, merged")
def metadata_search(request, params: Query[SearchParams]):
    names = [n.strip() for n in params.providers.split(",") if n.strip()]
    query = SearchQuery(
        text=params.q, title=params.title, author=params.author, isbn=params.isbn, kind=params.kind, limit=params.limit
    )
    outcome = search_metadata(query, providers=names or None)
    results = []
    for merged in outcome.results:
        provider, external_id = merged.sources[0]
        status = media_status(kind=params.kind, provider=provider, external_id=external_id, isbn=merged.isbn13,
                              viewer=request.auth)
        results.append(
            {
                **{k: getattr(merged, k) for k in ResultOut.model_fields if hasattr(merged, k)},
                "authors": list(merged.authors),
                "sources": [{"provider": p, "external_id": e} for p, e in merged.sources],
                "in_library": status if status["exists"] else None,
            }
        )
    providers = [
        {"name": o.name, "label": o.label, "ok": o.ok, "skipped": o.skipped, "error": o.error, "status": o.status}
        for o in outcome.providers
    ]
    return ok({"results": results, "providers": providers})


class JobStateRef(Schema):
    id: int
    kind: str
    state: str


class ProbationOut(Schema):
    items_left: int | None = Field(description="Books it must still answer for (none: no count limit)")
    until: datetime | None = Field(description="When it ends at the latest (none: no time limit)")
    factor: float = Field(description="Trust is multiplied by this meanwhile")


class CompletenessOut(Schema):
    answers: int = Field(description="Books it gave values for")
    fields_per_answer: float | None = Field(description="Core fields filled per answer")
    score: float | None = Field(description="Share of the core fields its answers fill (0-1)")
    empty_rate: dict[str, float | None] = Field(description="Per core field: how often its answers leave it empty")


class SourceOut(Schema):
    name: str
    label: str
    kind: str
    kind_label: str
    trust: float
    contributed: int = Field(description="Fields whose value on a book comes from this source")
    overridden: int = Field(description="Values of this source a person later replaced by a manual edit")
    accuracy: float | None = Field(description="contributed / (contributed + overridden)")
    retired: bool = Field(description="Its provider is retired: not asked any more; its values stay")
    effective_trust: float = Field(description="The trust merges use (lower while on probation)")
    probation: ProbationOut | None = Field(description="While a new source is on probation")
    corrected: int = Field(description="Values of this source a person replaced by hand (count against it)")
    confirmed: int = Field(description="Values of this source a person locked as they were (count for it)")
    measured_accuracy: float | None = Field(description="confirmed / (confirmed + corrected); none before any")
    auto_adjust: bool
    trust_min: float | None
    trust_max: float | None
    completeness: CompletenessOut


class TrustOut(Schema):
    source: SourceOut
    rescore_job: JobStateRef | None = Field(
        description="The background job rescoring the books (none: trust unchanged)")


def _source_out(stats: SourceStats, extra: dict | None = None) -> dict[str, Any]:
    source = stats.source
    extra = extra or trust.source_details([source])[source.name]
    return {"name": source.name, "label": source.label, "kind": source.kind,
            "kind_label": source.get_kind_display(), "trust": source.trust, "contributed": stats.contributed,
            "overridden": stats.overridden, "accuracy": stats.accuracy, "retired": source.retired_at is not None,
            "auto_adjust": source.auto_adjust, "trust_min": source.trust_min, "trust_max": source.trust_max,
            **extra}


@metadata_router.get("/sources", response=Envelope[list[SourceOut]],
                     summary="Data sources: trust (effective, on probation), values contributed, accuracy from "
                             "corrections and locks, completeness of their answers")
def list_sources(request):
    stats = source_stats()
    details = trust.source_details([s.source for s in stats])
    return ok([_source_out(s, details[s.source.name]) for s in stats])


class BoundsIn(Schema):
    """Bounds not given: within 0.2 of the present trust; given in either order: the range between."""

    auto_adjust: Flag
    trust_min: float | None = Field(None, ge=0.0, le=1.0)
    trust_max: float | None = Field(None, ge=0.0, le=1.0)


@metadata_router.put("/sources/{name}/bounds", response=Envelope[SourceOut],
                     summary="Let a source's trust follow its accuracy within bounds, or not (admin)")
def set_bounds(request, name: str, payload: BoundsIn):
    source = trust.set_bounds(name, auto_adjust=payload.auto_adjust, trust_min=payload.trust_min,
                              trust_max=payload.trust_max)
    return ok(_source_out(next(s for s in source_stats() if s.source.pk == source.pk)))


class TrustChangeOut(Schema):
    id: int
    source: str
    old_trust: float
    new_trust: float
    reason: str
    note: str
    batch_id: int | None
    created_at: datetime
    reverted_at: datetime | None


def _change_out(change) -> dict[str, Any]:
    return {"id": change.pk, "source": change.source.name, "old_trust": change.old_trust,
            "new_trust": change.new_trust, "reason": change.reason, "note": change.note, "batch_id": change.batch_id,
            "created_at": change.created_at, "reverted_at": change.reverted_at}


@metadata_router.get("/trust/changes", response=Envelope[Page[TrustChangeOut]],
                     summary="The audit log of trust changes, newest first")
def list_trust_changes(request, page: Query[PageParams]):
    changes = TrustChange.objects.select_related("source").order_by("-created_at", "-id")
    result = paginate(changes, page)
    return ok(result | {"items": [_change_out(c) for c in result["items"]]})


@metadata_router.post("/trust/changes/{change_id}/revert", response=Envelope[TrustChangeOut],
                      summary="Put a source's trust back as it was before one change (admin)")
def revert_trust_change(request, change_id: Id):
    change = trust.revert_trust_change(change_id, user=request.auth)
    return ok(_change_out(change))


@metadata_router.post("/trust/auto-adjust", response=Envelope[list[TrustChangeOut]],
                      summary="Move the trust of sources that allow it to their accuracy, within bounds (admin)")
def auto_adjust_trust(request):
    return ok([_change_out(c) for c in trust.auto_adjust(user=request.auth)])


class BulkTrustIn(Schema):
    percent: float = Field(..., ge=-100, le=100, description="Change of each source's trust, in % of it")
    names: list[Annotated[str, Field(min_length=1, max_length=48, pattern=r"^[-a-zA-Z0-9_]+$")]] = Field(
        default_factory=list, max_length=100)
    provider_kind: Literal[("", *PROVIDERS)] = Field("", description="Every source of this provider kind")


class TrustBatchOut(Schema):
    id: int
    description: str
    created_at: datetime
    rolled_back_at: datetime | None
    changes: list[TrustChangeOut]


def _batch_out(batch) -> dict[str, Any]:
    return {"id": batch.pk, "description": batch.description, "created_at": batch.created_at,
            "rolled_back_at": batch.rolled_back_at,
            "changes": [_change_out(c) for c in batch.changes.select_related("source").order_by("id")]}


@metadata_router.post("/trust/bulk", response=Envelope[TrustBatchOut],
                      summary='Change the trust of several sources at once ("all Google sources -10 %") (admin)')
def bulk_trust(request, payload: BulkTrustIn):
    batch = trust.bulk_change(percent=payload.percent, names=payload.names, provider_kind=payload.provider_kind,
                              user=request.auth)
    return ok(_batch_out(batch))


@metadata_router.post("/trust/bulk/{batch_id}/rollback", response=Envelope[TrustBatchOut],
                      summary="Undo every change of a bulk trust change (admin)")
def rollback_trust_batch(request, batch_id: Id):
    return ok(_batch_out(trust.rollback_batch(batch_id, user=request.auth)))


class TrustIn(Schema):
    trust: float = Field(..., ge=0.0, le=1.0)


@metadata_router.patch("/sources/{name}", response=Envelope[TrustOut],
                       summary="Set a source's trust and rescore the books it touched (admin)")
def set_trust(request, name: str, payload: TrustIn):
    source, job = sources.set_trust(name, payload.trust, user=request.auth)
    stats = next(s for s in source_stats() if s.source.pk == source.pk)
    return ok({"source": _source_out(stats), "rescore_job": job})


# --- media: wanted, status, provenance, edits, refresh --------------------------------------------------
ProviderName = Literal[tuple(PROVIDERS)]  # the registry's names


class WantedIn(Schema):
    provider: ProviderName
    external_id: str = Field(..., min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
    kind: MediaKind = MediaKind.EBOOK
    title: str = Field("", max_length=500)
    authors: list[str] = Field(default_factory=list, max_length=20)
    isbn13: str = Field("", max_length=32, description="ISBN-10 or ISBN-13 (stored as ISBN-13)")
    asin: str = Field("", max_length=32, pattern=r"^\s*([A-Za-z0-9]{10})?\s*$", description="10 letters and digits")
    year: int | None = Field(None, ge=0, le=3000)
    cover_url: str = Field("", max_length=1000)


class WantedByHandIn(Schema):
    title: str = Field(..., min_length=1, max_length=500)
    authors: list[str] = Field(default_factory=list, max_length=20)
    isbn13: str = Field("", max_length=32, description="ISBN-10 or ISBN-13, hyphens allowed (stored as ISBN-13)")
    kind: MediaKind = MediaKind.EBOOK


class ItemOut(Schema):
    id: int
    kind: str
    status: str
    title: str
    isbn13: str
    work_id: int | None


@media_router.post("/wanted/", response={201: Envelope[ItemOut]},
                   summary="Add a provider record to the wanted list (a reader's is a request an admin approves)")
def wanted(request, payload: WantedIn):
    wanted_request = WantedRequest(**{**payload.dict(), "authors": tuple(payload.authors)})
    item = add_wanted(wanted_request, user=request.auth, as_request=not is_admin(request.auth))
    return Status(201, ok(item))


@media_router.post("/wanted/manual", response={201: Envelope[ItemOut]},
                   summary="Add a book to the wanted list by hand (title, authors, ISBN), without a provider")
def wanted_by_hand(request, payload: WantedByHandIn):
    wanted_request = WantedRequest(provider="", external_id="", kind=payload.kind, title=payload.title,
                                   authors=tuple(a.strip() for a in payload.authors if a.strip()),
                                   isbn13=payload.isbn13)
    item = add_wanted_by_hand(wanted_request, user=request.auth, as_request=not is_admin(request.auth))
    return Status(201, ok(item))


class RequestOut(Schema):
    id: int
    kind: str
    title: str
    authors: str
    requested_by: str | None
    added_at: datetime

    @staticmethod
    def resolve_authors(obj: MediaItem) -> str:
        return obj.authors_display

    @staticmethod
    def resolve_requested_by(obj: MediaItem) -> str | None:
        return obj.requested_by.get_username() if obj.requested_by_id else None


def request_page(params: PageParams) -> dict[str, Any]:
    """Readers' requests: the API's list and the wanted page's first screen."""
    return paginate(requested_items(), params)


@media_router.get("/wanted/requests/", response=Envelope[Page[RequestOut]],
                  summary="Readers' wanted requests waiting for an admin, oldest first")
def wanted_requests(request, params: Query[PageParams]):
    return ok(request_page(params))


@media_router.post("/wanted/{int:item_id}/approve", response=Envelope[ItemOut],
                   summary="Approve a reader's request: the item becomes wanted and is searched (admin)")
def approve_wanted(request, item_id: Id):
    return ok(approve_request(item_id))


@media_router.post("/wanted/{int:item_id}/deny", response=Envelope[None],
                   summary="Deny a reader's request: the item is removed (admin)")
def deny_wanted(request, item_id: Id):
    deny_request(item_id)
    return ok(None)


class StatusParams(Schema):
    kind: MediaKind | None = Field(None, description="Only items of this kind; empty = any kind")
    provider: str = Field("", max_length=32)
    external_id: str = Field("", max_length=128)
    isbn: str = Field("", max_length=32)


class StatusOut(Schema):
    exists: bool
    item_id: int | None
    kind: str | None
    status: str | None
    title: str | None
    matched_by: str | None


@media_router.get("/status/", response=Envelope[StatusOut], summary="Is this record wanted or owned (as this kind)?",
                  description="Matches provider and external_id, or the ISBN; with neither, nothing matches. "
                  "Only books the caller may see count (a library hidden from a reader holds nothing).")
def status(request, params: Query[StatusParams]):
    return ok(media_status(kind=params.kind or "", provider=params.provider, external_id=params.external_id,
                           isbn=params.isbn, viewer=request.auth))


@media_router.get(
    "/{int:item_id}/metadata",
    response=Envelope[dict[str, Any]],
    summary="Every field's final value, source, confidence, lock, candidates and history",
)
def metadata(request, item_id: Id):
    item = get_object_or_404(without_hidden(MediaItem.objects.all(), request.auth), pk=item_id)
    record_pending([item.pk])  # what a scan read, should its job not have run yet
    return ok(item_metadata(item))


class FieldIn(Schema):
    value: Any
    lock: Flag = False


class ChangeOut(Schema):
    id: int
    field: str
    old_value: Any
    new_value: Any
    old_source: str
    new_source: str
    reason: str
    created_at: datetime
    reverted_at: datetime | None


@media_router.post(
    "/{int:item_id}/fields/{field}",
    response=Envelope[list[ChangeOut]],
    summary="Manual value for a field (always wins; admin)",
)
def edit_field(request, item_id: Id, field: str, payload: FieldIn):
    item = get_object_or_404(MediaItem, pk=item_id)
    return ok(services.set_manual_value(item, field, payload.value, user=request.auth, lock=payload.lock))


class LockIn(Schema):
    locked: Flag


@media_router.post(
    "/{int:item_id}/fields/{field}/lock", response=Envelope[dict[str, Any]], summary="Lock or unlock a field (admin)"
)
def lock(request, item_id: Id, field: str, payload: LockIn):
    state = services.lock_field(get_object_or_404(MediaItem, pk=item_id), field, locked=payload.locked)
    return ok({"field": state.field, "locked": state.locked})


@media_router.post(
    "/changes/{int:change_id}/revert", response=Envelope[list[ChangeOut]], summary="Revert one change (admin)"
)
def revert(request, change_id: Id):
    get_object_or_404(MetadataChange, pk=change_id)
    return ok(services.revert_change(change_id, user=request.auth))


@media_router.post(
    "/{int:item_id}/refresh",
    response={202: Envelope[JobStateRef]},
    summary="Refresh/identify one item in the background (admin)",
)
def refresh_item(request, item_id: Id):
    get_object_or_404(MediaItem, pk=item_id)
    return Status(202, ok(services.queue_enrichment([item_id], force=True, user=request.auth)))


class BulkEditIn(Schema):
    item_ids: Annotated[list[Id], Field(min_length=1, max_length=5_000)]
    field: str = Field(..., max_length=32, description="An editable metadata field, e.g. publisher, language")
    value: Any = Field(..., description="The field's value, as on the book page's edit form")
    lock: Flag = True
    dry_run: Flag = Field(False, description="true: only count the books the value would change")


class BulkEditOut(Schema):
    field: str
    value: Any
    selected: int
    would_change: int
    unchanged: int
    changed: int


@media_router.post("/bulk-edit", response=Envelope[BulkEditOut], summary="One field for many books (admin)")
def bulk_edit(request, payload: BulkEditIn):
    from search.services.bulk_edit import apply_bulk_edit, preview_bulk_edit

    if payload.dry_run:
        return ok(preview_bulk_edit(payload.item_ids, payload.field, payload.value))
    return ok(apply_bulk_edit(payload.item_ids, payload.field, payload.value, user=request.auth, lock=payload.lock))


class BulkRefreshIn(Schema):
    item_ids: Annotated[list[Id], Field(min_length=1, max_length=10_000)] | None = Field(
        None, description="Leave out (or null) to refresh every item")
    force: Flag = False


@media_router.post("/refresh", response={202: Envelope[JobStateRef]}, summary="Refresh many items (admin)")
def refresh_bulk(request, payload: BulkRefreshIn):
    job = submit_job(
        "search.enrich_items",
        target="items:bulk",
        params={"item_ids": payload.item_ids, "force": payload.force},
        user=request.auth,
    )
    return Status(202, ok(job))


# --- review queue ---------------------------------------------------------------------------------------
class ReviewOut(Schema):
    id: int
    item_id: int
    item_title: str
    status: str
    recommendation: str
    reason: str
    best_distance: float | None
    candidates: list[dict[str, Any]]
    created_at: datetime

    @staticmethod
    def resolve_item_title(obj: ReviewItem) -> str:
        return obj.item.title

    @staticmethod
    def resolve_candidates(obj: ReviewItem) -> list[dict[str, Any]]:
        return [{k: v for k, v in c.items() if k != "record"} for c in obj.candidates]


class ReviewFilter(PageParams):
    status: ReviewStatus = ReviewStatus.PENDING


@review_router.get("/", response=Envelope[Page[ReviewOut]], summary="Items waiting for a person")
def list_reviews(request, filters: Query[ReviewFilter]):
    reviews = ReviewItem.objects.select_related("item").filter(status=filters.status)
    return ok(paginate(without_hidden(reviews, request.auth, "item_id"), filters))


class AcceptIn(Schema):
    index: int | None = Field(None, ge=0, le=50)
    provider: str = Field("", max_length=32)
    external_id: str = Field("", max_length=128)


@review_router.post("/{int:review_id}/accept", response=Envelope[ReviewOut], summary="Accept a candidate (admin)")
def accept(request, review_id: Id, payload: AcceptIn):
    return ok(
        services.accept_review(
            review_id,
            index=payload.index,
            provider=payload.provider,
            external_id=payload.external_id,
            user=request.auth,
        )
    )


@review_router.post("/{int:review_id}/keep", response=Envelope[ReviewOut], summary="Keep embedded data (admin)")
def keep(request, review_id: Id):
    return ok(services.keep_embedded(review_id, user=request.auth))


# --- enrichment runs (undo what automatic identification applied) ------------------------------------------
class EnrichmentRunOut(Schema):
    id: int
    started_at: datetime
    finished_at: datetime | None
    job_id: int | None
    counts: dict[str, Any]
    applied: int
    reverted_at: datetime | None

    @staticmethod
    def resolve_applied(obj) -> int:
        return obj.applied.count()


class RevertRunIn(Schema):
    item_id: Id | None = Field(None, description="Undo this item only; leave out to undo the whole run")


class RevertRunOut(Schema):
    run_id: int
    items: int
    fields_restored: int
    identifiers_removed: int
    kept: list[dict[str, Any]]


@review_router.get("/runs/", response=Envelope[list[EnrichmentRunOut]], summary="Latest automatic identification runs")
def enrichment_runs(request):
    return ok(list(recent_runs()))


@review_router.post("/runs/{int:run_id}/revert", response=Envelope[RevertRunOut],
                    summary="Undo what a run applied, except fields changed by hand since (admin)")
def revert_enrichment_run(request, run_id: Id, payload: RevertRunIn):
    return ok(services.revert_run(run_id, item_id=payload.item_id, user=request.auth))


# --- authors and series -------------------------------------------------------------------------------------
class AuthorOut(Schema):
    id: int
    name: str
    sort_name: str
    aliases: list[str]

    @staticmethod
    def resolve_aliases(obj: Author) -> list[str]:
        return [a.name for a in obj.aliases.all()]


class RenameIn(Schema):
    # a name needs a letter or digit ("; " would clean to nothing): the same character class in the
    # schema and the validator, so clients and the server agree on what a name is
    name: str = Field(..., min_length=1, max_length=255, pattern="[0-9A-Za-z\u00C0-\uFFFF]")
    confirm_merge: Flag = False


class MergeIn(Schema):
    into: Id = Field(..., description="The author that stays; another author than the one merged (else 409)")
    confirm: Confirmed = Field(..., description="true: the merged author's name becomes an alias of `into`")


class AuthorFilter(PageParams):
    q: str = Field("", max_length=255, description="Words of the name or an alias (case and accents ignored)")


@catalogue_router.get("/authors/", response=Envelope[Page[AuthorOut]], summary="Authors with aliases")
def authors(request, params: Query[AuthorFilter]):
    found = catalogue.find_authors(params.q).filter(pk__in=author_rows(request.auth).values("pk"))
    return ok(paginate(found.prefetch_related("aliases"), params))  # an author only of hidden books: none


@catalogue_router.post("/authors/{int:author_id}/rename", response=Envelope[AuthorOut], summary="Rename (admin)")
def rename_author(request, author_id: Id, payload: RenameIn):
    get_object_or_404(Author, pk=author_id)
    return ok(catalogue.rename_author(author_id, payload.name, confirm_merge=payload.confirm_merge))


@catalogue_router.post("/authors/{int:author_id}/merge", response=Envelope[AuthorOut], summary="Merge (admin)")
def merge_author(request, author_id: Id, payload: MergeIn):
    get_object_or_404(Author, pk=author_id)
    get_object_or_404(Author, pk=payload.into)
    return ok(catalogue.merge_authors(author_id, payload.into))


class SeriesOut(Schema):
    id: int
    title: str
    kind: str
    shared_universe: bool


class SeriesRenameIn(RenameIn):
    keep_apart: Flag = Field(False, description="The title is another series': keep both, as two series of that "
                                                "name (a reboot, another author's), instead of merging them")


@catalogue_router.post("/series/{int:series_id}/rename", response=Envelope[SeriesOut], summary="Rename (admin)")
def rename_series(request, series_id: Id, payload: SeriesRenameIn):
    get_object_or_404(Series, pk=series_id)
    return ok(catalogue.rename_series(series_id, payload.name, confirm_merge=payload.confirm_merge,
                                      keep_apart=payload.keep_apart, user=request.auth))


class SharedUniverseIn(Schema):
    shared_universe: Flag = Field(..., description="Books by other authors are intended: no author check")


@catalogue_router.post("/series/{int:series_id}/shared-universe", response=Envelope[SeriesOut],
                       summary="Mark as a shared universe or collaboration (admin)")
def series_shared_universe(request, series_id: Id, payload: SharedUniverseIn):
    get_object_or_404(Series, pk=series_id)
    return ok(catalogue.set_shared_universe(series_id, payload.shared_universe, user=request.auth))


class MembershipIn(Schema):
    item_id: Id
    position: float = Field(..., ge=-999999, le=999999, allow_inf_nan=False,
                            description="Its (first) position: decimals and negatives allowed (0.5, -1)")
    position_end: float | None = Field(None, ge=-999999, le=999999, allow_inf_nan=False,
                                       description="The last position of a range (an omnibus of 1-3), after `position`")


class MembershipOut(Schema):
    id: int
    item_id: int
    series_id: int
    position: float
    position_end: float | None


@catalogue_router.post("/series/{int:series_id}/memberships", response={201: Envelope[MembershipOut]},
                       summary="Place a book at a position or range of a series: omnibus editions (admin)")
def add_series_membership(request, series_id: Id, payload: MembershipIn):
    get_object_or_404(Series, pk=series_id)
    get_object_or_404(MediaItem, pk=payload.item_id)
    return Status(201, ok(series_services.add_membership(series_id, payload.item_id, payload.position,
                                                         payload.position_end, user=request.auth)))


@catalogue_router.delete("/series/{int:series_id}/memberships/{int:membership_id}", response=Envelope[None],
                         summary="Take a book out of one position of a series (admin)")
def remove_series_membership(request, series_id: Id, membership_id: Id):
    get_object_or_404(SeriesMembership, pk=membership_id, series_id=series_id)
    series_services.remove_membership(series_id, membership_id, user=request.auth)
    return ok(None)


class SeriesMetadataIn(Schema):
    description: str | None = Field(None, max_length=20000)
    genres: list[Annotated[str, Field(min_length=1, max_length=64, pattern="[0-9A-Za-z\u00C0-\uFFFF]")]] | None = \
        Field(None, max_length=32, description="Inherited by its books that have no genres of their own")
    cover_item_id: Id | None = Field(None, description="One of its books, whose cover is the series' cover")
    default_cover: Flag = Field(False, description="true: no chosen or uploaded cover, the books' mosaic "
                                                   "(cover_item_id is ignored)")


class SeriesMetadataOut(SeriesOut):
    description: str
    genres: list[str]
    cover_item_id: int | None
    cover: str = Field(description="uploaded (POST /api/series/{id}/cover/upload), book or mosaic (the default)")

    @staticmethod
    def resolve_cover(obj: Series) -> str:
        return series_services.cover_source(obj)


@catalogue_router.patch("/series/{int:series_id}", response=Envelope[SeriesMetadataOut],
                        summary="Description, genres and cover of a series (admin)")
def series_metadata(request, series_id: Id, payload: SeriesMetadataIn):
    get_object_or_404(Series, pk=series_id)
    cover: int | bool | None = None if payload.default_cover else (payload.cover_item_id or False)
    return ok(series_services.set_metadata(series_id, description=payload.description, genres=payload.genres,
                                           cover_item_id=cover, user=request.auth))


class SeriesChangeOut(Schema):
    id: int
    series_id: int | None
    action: str
    old_value: Any
    new_value: Any
    created_at: datetime
    reverted_at: datetime | None


@catalogue_router.get("/series/{int:series_id}/history", response=Envelope[list[SeriesChangeOut]],
                      summary="The changes of a series, newest first (admin)")
def series_history(request, series_id: Id):
    get_object_or_404(Series, pk=series_id)
    return ok(series_services.history(series_id))


@catalogue_router.post("/series/changes/{int:change_id}/revert", response=Envelope[SeriesChangeOut],
                       summary="Undo a series change; no file moves (admin)")
def revert_series_change(request, change_id: Id):
    get_object_or_404(SeriesChange, pk=change_id)
    return ok(series_services.revert_change(change_id, user=request.auth))
