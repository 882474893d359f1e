"""JSON endpoints of the monitors: follow, unfollow and change the mode of authors and series
(admins), list them and what they decided (everyone logged in), run the check now, want all
missing, answer the review queue, the settings, and the iCal feed of release dates."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Query, Router, Schema, Status
from pydantic import Field

from core.api.envelope import Envelope, Page, PageParams, ok, paginate
from core.api.types import GIVEN_ID, GIVEN_TEXT, Id, OneOfSchema
from core.jobs import submit_job
from media.models import MediaKind
from monitoring import services
from monitoring.dismissals import mark_unwanted
from monitoring.models import MonitoredAuthor, MonitoredBook, MonitoredSeries, MonitoringSettings
from search.providers.common import ISO_639_1

router = Router(tags=["monitoring"])
Kind = Literal["ebook", "audiobook", "comic"]
Mode = Literal["all", "future", "missing", "none"]
Language = Literal[tuple(sorted(ISO_639_1))]  # type: ignore[valid-type]  # the codes the service knows


class MonitorSummary(Schema):
    listed: int = 0
    counts: dict[str, int] = Field(default_factory=dict)
    skipped_providers: list[str] = Field(default_factory=list)


class MonitoredAuthorOut(Schema):
    id: int
    author_id: int | None
    name: str
    kind: str
    mode: str
    profile_id: int | None = Field(description="Its format profile; null: the kind's default")
    provider_ids: dict[str, str]
    created_at: datetime
    last_checked_at: datetime | None
    last_error: str
    last_summary: dict


class MonitoredSeriesOut(Schema):
    id: int
    series_id: int | None
    title: str
    kind: str
    mode: str
    profile_id: int | None = Field(description="Its format profile; null: the kind's default")
    provider_ids: dict[str, str]
    created_at: datetime
    last_checked_at: datetime | None
    last_error: str
    last_summary: dict


class FollowAuthorIn(OneOfSchema):
    ONE_OF = {"author_id": GIVEN_ID, "name": GIVEN_TEXT}
    author_id: Id | None = Field(None, description="An author of the library")
    name: str = Field("", max_length=255, description="The name to ask the providers for (default: the author's)")
    kind: Kind = "ebook"
    mode: Mode = "all"
    profile_id: Id | None = Field(None, description="The format profile of the books it adds (of the same kind); "
                                                    "null: the kind's default")


class FollowSeriesIn(OneOfSchema):
    ONE_OF = {"series_id": GIVEN_ID, "title": GIVEN_TEXT}
    series_id: Id | None = Field(None, description="A series of the library")
    title: str = Field("", max_length=255)
    comicvine_volume: str = Field("", pattern=r"^(4050-[0-9]{1,12})?$",
                                  description="Comic Vine volume id; default: from the series' issues")
    kind: Kind = "comic"
    mode: Mode = "missing"
    profile_id: Id | None = Field(None, description="The format profile of the books it adds (of the same kind); "
                                                    "null: the kind's default")


class MonitorChangeIn(Schema):
    """Either or both: a field left out stays as it is; `profile_id: null` goes back to the default."""

    mode: Mode | None = None
    profile_id: Id | None = Field(None, description="A format profile of the monitor's kind; null: the kind's default")


def _change(model, monitor_id: int, payload: MonitorChangeIn):
    return services.change(model, monitor_id, mode=payload.mode, profile_id=payload.profile_id,
                           set_profile="profile_id" in payload.model_fields_set)


class WantMissingOut(Schema):
    added: int
    counts: dict[str, int]


class MonitorCheckStarted(Schema):
    job_id: int


class MonitoredBookOut(Schema):
    id: int
    provider: str
    external_id: str
    kind: str
    state: str
    title: str
    published: str
    position: str
    item_id: int | None
    monitored: bool
    author_monitor_id: int | None
    series_monitor_id: int | None
    reason: str
    candidates: list[dict]
    created_at: datetime


class BookFilter(PageParams):
    state: Literal["added", "matched", "review", "dismissed", "seen"] | None = None


class ResolveIn(Schema):
    action: Literal["want", "same", "dismiss"]
    item_id: Id | None = Field(None, description="With `same`: the library's book it is")


class DismissOut(Schema):
    item_id: int
    dismissed_keys: int
    removed_from_wanted: bool


class MonitoringSettingsOut(Schema):
    languages: list[str]
    kinds: list[str]


class MonitoringSettingsIn(Schema):
    languages: list[Language] | None = Field(None, max_length=50, description="ISO 639-1 codes; empty list: any")
    kinds: list[Kind] | None = Field(None, max_length=3)


def _settings_out(options: MonitoringSettings) -> dict:
    return {"languages": sorted(options.language_set), "kinds": [k for k in MediaKind.values if k in options.kind_set]}


# --- authors -------------------------------------------------------------------------------------
@router.get("/authors", response=Envelope[list[MonitoredAuthorOut]], summary="Followed authors")
def list_authors(request):
    return ok(list(MonitoredAuthor.objects.all()[:1000]))


@router.post("/authors", response={201: Envelope[MonitoredAuthorOut]}, summary="Follow an author (admin)")
def follow_author(request, payload: FollowAuthorIn):
    monitor = services.follow_author(author_id=payload.author_id, name=payload.name, kind=payload.kind,
                                     mode=payload.mode, profile_id=payload.profile_id, user=request.auth)
    return Status(201, ok(monitor))


@router.patch("/authors/{monitor_id}", response=Envelope[MonitoredAuthorOut],
              summary="Change the monitor mode or profile")
def change_author(request, monitor_id: Id, payload: MonitorChangeIn):
    return ok(_change(MonitoredAuthor, monitor_id, payload))


@router.delete("/authors/{monitor_id}", response=Envelope[None], summary="Unfollow (the wanted books stay)")
def unfollow_author(request, monitor_id: Id):
    services.unfollow(MonitoredAuthor, monitor_id)
    return ok(None)


@router.post("/authors/{monitor_id}/want-missing", response=Envelope[WantMissingOut],
             summary="Want every listed book of the author the library lacks")
def author_want_missing(request, monitor_id: Id):
    return ok(services.want_missing(MonitoredAuthor, monitor_id))


# --- series --------------------------------------------------------------------------------------
@router.get("/series", response=Envelope[list[MonitoredSeriesOut]], summary="Followed series")
def list_series(request):
    return ok(list(MonitoredSeries.objects.all()[:1000]))


@router.post("/series", response={201: Envelope[MonitoredSeriesOut]}, summary="Follow a series (admin)")
def follow_series(request, payload: FollowSeriesIn):
    monitor = services.follow_series(series_id=payload.series_id, title=payload.title,
                                     comicvine_volume=payload.comicvine_volume, kind=payload.kind,
                                     mode=payload.mode, profile_id=payload.profile_id, user=request.auth)
    return Status(201, ok(monitor))


@router.patch("/series/{monitor_id}", response=Envelope[MonitoredSeriesOut],
              summary="Change the monitor mode or profile")
def change_series(request, monitor_id: Id, payload: MonitorChangeIn):
    return ok(_change(MonitoredSeries, monitor_id, payload))


@router.delete("/series/{monitor_id}", response=Envelope[None], summary="Unfollow (the wanted books stay)")
def unfollow_series(request, monitor_id: Id):
    services.unfollow(MonitoredSeries, monitor_id)
    return ok(None)


@router.post("/series/{monitor_id}/want-missing", response=Envelope[WantMissingOut],
             summary="Want every missing book of the series (its gaps)")
def series_want_missing(request, monitor_id: Id):
    return ok(services.want_missing(MonitoredSeries, monitor_id))


# --- the check, the decisions, the review queue --------------------------------------------------
@router.post("/check", response={202: Envelope[MonitorCheckStarted]},
             summary="Check every followed author and series now")
def check_now(request):
    job = submit_job("monitoring.check", params={}, user=request.auth)
    return Status(202, ok({"job_id": job.pk}))


@router.get("/books", response=Envelope[Page[MonitoredBookOut]],
            summary="What the monitors decided about each book, newest first (with the reason)")
def list_books(request, filters: Query[BookFilter]):
    rows = MonitoredBook.objects.all()
    if filters.state:
        rows = rows.filter(state=filters.state)
    return ok(paginate(rows, filters))


@router.post("/books/{book_id}/resolve", response=Envelope[MonitoredBookOut],
             summary="Answer the review queue: want it, it is the same as a library book, or dismiss it")
def resolve_book(request, book_id: Id, payload: ResolveIn):
    return ok(services.resolve_review(book_id, payload.action, item_id=payload.item_id))


@router.post("/items/{item_id}/dismiss", response=Envelope[DismissOut],
             summary="Mark a book unwanted: the monitors never add it again")
def dismiss_item(request, item_id: Id):
    return ok(mark_unwanted(item_id))


@router.get("/settings", response=Envelope[MonitoringSettingsOut], summary="Languages and kinds the monitors add")
def get_settings(request):
    return ok(_settings_out(MonitoringSettings.load()))


@router.patch("/settings", response=Envelope[MonitoringSettingsOut], summary="Change the languages and kinds")
def patch_settings(request, payload: MonitoringSettingsIn):
    options = services.save_settings(languages=[str(c) for c in payload.languages] if payload.languages is not None
                                     else None,
                                     kinds=[str(k) for k in payload.kinds] if payload.kinds is not None else None)
    return ok(_settings_out(options))
