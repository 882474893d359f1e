"""JSON API: indexer connections (`/api/indexers/`) and the release-title schema that
`/api/parse/` (processing.parse_api) answers with."""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from core.api.envelope import Envelope, ok
from core.api.types import Id
from indexers import services
from indexers.models import IndexerConfig

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


class IndexerConfigOut(Schema):
    id: int
    name: str
    kind: str
    url: str
    base_path: str
    verify_ssl: bool
    timeout_seconds: int
    priority: int
    enabled: bool
    indexer_ids: str
    last_test_at: datetime | None
    last_test_ok: bool | None
    last_test_message: str


class IndexerTestOut(Schema):
    ok: bool
    name: str
    version: str
    message: str
    indexers: list[dict]


@router.get("/", response=Envelope[list[IndexerConfigOut]], summary="Configured indexers (API keys hidden)")
def list_indexers(request):
    return ok(list(IndexerConfig.objects.all()))


@router.post(
    "/{int:config_id}/test/",
    response=Envelope[IndexerTestOut],
    summary="Test an indexer connection and list its indexers (admin)",
)
def test_indexer(request, config_id: Id):
    get_object_or_404(IndexerConfig, pk=config_id)
    return ok(services.test_indexer(config_id))
