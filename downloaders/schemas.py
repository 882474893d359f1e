from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from ninja import Schema
from pydantic import Field

from core.api.types import GIVEN_ID, GIVEN_TEXT, Flag, Id, OneOfSchema
from downloaders.models import AttemptState
from indexers.models import BlacklistReason


class ScorePartOut(Schema):
    name: str
    weight: float
    value: float
    points: float
    detail: str


class SearchResultOut(Schema):
    id: int
    rank: int
    title: str
    indexer: str
    protocol: str
    size: int
    age_days: float | None
    seeders: int | None
    grabs: int | None
    score: float
    accepted: bool
    rejections: list[str]
    breakdown: list[ScorePartOut]
    parsed: dict[str, Any]
    query_label: str
    info_url: str
    searched_at: datetime


class ReleaseSearchOut(Schema):
    item_id: int
    queries: list[str]
    errors: dict[str, str]
    found: int
    duplicates: int
    blacklisted: int
    accepted: int
    results: list[SearchResultOut]


class SearchIn(Schema):
    mode: str = Field(
        "interactive",
        pattern="^(interactive|automatic)$",
        description="interactive: search now and return the results; automatic: queue a search-and-grab job",
    )


class InitiateIn(Schema):
    media_id: Id
    result_id: Id = Field(..., description="id of a result of the item's latest search")


class AttemptOut(Schema):
    id: int
    item_id: int
    item_title: str
    state: AttemptState
    release_title: str
    indexer: str
    protocol: str
    size: int
    score: float | None
    automatic: bool
    client_job_id: str
    progress: float
    time_left: str
    client_status: str
    client_state: str = Field(description="ok | unreachable | auth_failed | paused | error, or empty")
    send_failures: int = Field(description="Sends that never reached the download client (it was down)")
    next_send_at: datetime | None = Field(description="A pending attempt waiting for its client is sent again then")
    storage_path: str
    error: str
    handoff_job_id: int | None
    created_at: datetime
    sent_at: datetime | None
    completed_at: datetime | None
    updated_at: datetime

    @staticmethod
    def resolve_item_title(obj) -> str:
        return obj.item.title


class BlacklistIn(OneOfSchema):
    """An attempt's release, or a release named by its title (and guid or info hash)."""

    ONE_OF: ClassVar[dict[str, dict]] = {"attempt_id": GIVEN_ID, "title": GIVEN_TEXT}

    attempt_id: Id | None = Field(None, description="Blacklist this attempt's release (and stop it)")
    title: str = Field("", max_length=1000)
    guid: str = Field("", max_length=1000)
    info_hash: str = Field("", max_length=64)
    media_id: Id | None = None
    reason: BlacklistReason = BlacklistReason.MANUAL
    details: str = Field("", max_length=4000)
    expires_in_days: int | None = Field(None, ge=1, le=3650)
    retry: Flag = Field(False, description="Grab the next best release afterwards")


class UnblacklistIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500, pattern=r"\S", description="more than spaces")


class BlacklistOut(Schema):
    id: int
    item_id: int | None
    title: str
    guid: str
    info_hash: str
    indexer: str
    reason: BlacklistReason
    details: str
    created_at: datetime
    expires_at: datetime | None
    removed_at: datetime | None
    removed_reason: str
    is_active: bool


class WantedOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    authors: str
    last_search_at: datetime | None
    next_search_at: datetime | None
    last_best_score: float | None
    last_accepted_count: int | None
    last_error: str
    active_attempt_id: int | None


class JobIdRef(Schema):
    job_id: int
    kind: str


class NotifyIn(Schema):
    """What a download client's "job finished" hook knows (SABnzbd's notification script: the
    job's name; a post-processing script or another client: its job id)."""

    client_id: Id | None = Field(None, description="The download client's id (GET /api/downloads/clients/)")
    job_id: str = Field("", max_length=128, description="The client's job id (SABnzbd nzo_id, torrent hash)")
    name: str = Field("", max_length=1000, description="The job's name in the client")
    category: str = Field("", max_length=64)
    event: str = Field("", max_length=32, description="e.g. complete, failed (informative)")


class NotifyOut(Schema):
    job_id: int
    kind: str
    attempt_ids: list[int]
