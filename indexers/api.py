"""JSON API: indexer connections (`/api/indexers/`) and the release-title schema that
`/api/parse/` (processing.parse_api) answers with."""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from core.api.envelope import Envelope, ok
from core.api.types import Flag, Id, whole
from indexers import indexer_settings, learning, services
from indexers.models import IndexerConfig, IndexerKind, QueryOrderMode

_FORM = "(isbn|title_author|author_title|title)"
QUERY_ORDER_PATTERN = rf"^\s*({_FORM}\s*(,\s*{_FORM}\s*)*)?$"

router = Router(tags=["indexers"])


class ParsedOut(Schema):
    """ParsedRelease.as_dict(): what a release title says."""

    raw: str
    title: str
    authors: list[str]
    series: str
    series_number: str
    format: str
    formats: list[str]
    retail: bool
    unabridged: bool | None
    year: int | None
    group: str
    language: str
    quality: str
    narrator: str
    kind_hint: str
    repack: bool
    proper: bool


class IndexerIn(Schema):
    """An indexer connection's settings. On PATCH every field is optional (left out keeps its value)."""

    name: str | None = Field(None, min_length=1, max_length=100)
    kind: IndexerKind | None = None
    url: str | None = Field(
        None, min_length=1, max_length=600, description="http(s)://host:port[/urlbase], without ?apikey="
    )
    api_key: str | None = Field(None, max_length=200, description="empty or left out: keep the stored key")
    verify_ssl: Flag | None = None
    timeout_seconds: whole(1, 300) | None = None  # type: ignore[valid-type]
    priority: whole(1, 100) | None = None  # type: ignore[valid-type]
    enabled: Flag | None = None
    indexer_ids: str | None = Field(None, max_length=200, description="Prowlarr: comma-separated indexer ids")
    query_order_mode: QueryOrderMode | None = Field(
        None, description="automatic: query forms ordered by import success; manual: query_order"
    )
    query_order: str | None = Field(
        None,
        max_length=100,
        pattern=QUERY_ORDER_PATTERN,
        description="manual mode: query forms to ask, in order (isbn, title_author, author_title, title); "
        "forms left out are not asked; empty asks all in the default order",
    )


class IndexerCreateIn(IndexerIn):
    name: str = Field(..., min_length=1, max_length=100)
    kind: IndexerKind = IndexerKind.PROWLARR
    url: str = Field(..., min_length=1, max_length=600)
    api_key: str = Field(..., min_length=1, max_length=200)


class IndexerTestIn(IndexerIn):
    config_id: Id | None = Field(None, description="a stored connection whose key fills an empty one")


class IndexerConfigOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    url: str
    base_path: str
    api_key_set: bool
    api_key_masked: str
    verify_ssl: bool
    timeout_seconds: int
    priority: int
    enabled: bool
    indexer_ids: str
    query_order_mode: str
    query_order: str
    last_test_at: datetime | None
    last_test_ok: bool | None
    last_test_message: str


class IndexerTestOut(Schema):
    """A failed test is an answer too: ok false, level warning (try later) or error (fix it), the hint."""

    ok: bool
    level: str
    hint: str
    name: str
    version: str
    message: str
    indexers: list[dict]


class QueryFormStatOut(Schema):
    form: str
    label: str
    grabs: int = Field(description="grabs of releases this form found (cancelled ones left out)")
    imports: int
    failures: int
    pending: int = Field(description="grabs not finished yet (not counted in the rate)")
    rate: float | None = Field(description="imports / finished grabs; null before any finished")
    score: float = Field(description="the smoothed rate the automatic order sorts by")
    position: int | None = Field(description="place in the order asked; null: not asked (manual)")


class QueryLearningOut(Schema):
    """How the indexer's query forms are ordered (indexers.learning explains the smoothing)."""

    mode: str
    order: list[str]
    forms: list[QueryFormStatOut]


def _given(payload: Schema) -> dict:
    return {k: v for k, v in payload.dict(exclude={"config_id"}).items() if v is not None}


@router.get("/", response=Envelope[list[IndexerConfigOut]], summary="Configured indexers (API keys hidden)")
def list_indexers(request):
    return ok([indexer_settings.public(c) for c in IndexerConfig.objects.all()])


@router.post("/", response={201: Envelope[IndexerConfigOut]}, summary="Add an indexer connection (admin)")
def add_indexer(request, payload: IndexerCreateIn):
    config = indexer_settings.save_indexer(indexer_settings.merged(None, _given(payload)))
    return Status(201, ok(indexer_settings.public(config)))


@router.get("/{int:config_id}/", response=Envelope[IndexerConfigOut], summary="One indexer connection")
def get_indexer(request, config_id: Id):
    return ok(indexer_settings.public(indexer_settings.get_config(config_id)))


@router.patch("/{int:config_id}/", response=Envelope[IndexerConfigOut], summary="Change an indexer connection (admin)")
def change_indexer(request, config_id: Id, payload: IndexerIn):
    config = indexer_settings.get_config(config_id)
    saved = indexer_settings.save_indexer(indexer_settings.merged(config, _given(payload)), config)
    return ok(indexer_settings.public(saved))


@router.get(
    "/{int:config_id}/query-forms/",
    response=Envelope[QueryLearningOut],
    summary="Query forms of an indexer: grabs, imports, success rate and the order asked (admin)",
)
def query_forms(request, config_id: Id):
    return ok(learning.summary(indexer_settings.get_config(config_id)))


@router.delete("/{int:config_id}/", response=Envelope[None], summary="Delete an indexer connection (admin)")
def delete_indexer(request, config_id: Id):
    indexer_settings.delete_indexer(config_id)
    return ok(None)


@router.post("/test/", response=Envelope[IndexerTestOut], summary="Test typed settings before saving (admin)")
def test_values(request, payload: IndexerTestIn):
    config = indexer_settings.get_config(payload.config_id) if payload.config_id else None
    return ok(indexer_settings.test_values(indexer_settings.merged(config, _given(payload)), config))


@router.post(
    "/{int:config_id}/test/",
    response=Envelope[IndexerTestOut],
    summary="Test an indexer connection and list its indexers (admin)",
)
def test_indexer(request, config_id: Id):
    get_object_or_404(IndexerConfig, pk=config_id)
    return ok(services.test_indexer(config_id))
