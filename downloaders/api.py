"""JSON API of the acquisition half: search, grab, attempts, blacklist, queue, history,
wanted list and the manual triggers of each automatic step.

What a reader may read here leaves out the books of libraries hidden from them (core.visibility):
their search results, attempts, blacklist entries, queue and history rows, and wanted rows; an
id of such a book or attempt answers 404, as if it did not exist."""

from __future__ import annotations

from typing import Literal

from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from pydantic import Field

from core.api.envelope import Envelope, Page, PageParams, ok, paginate
from core.api.types import Id
from core.errors import Conflict, NotFound
from core.jobs import submit_job
from core.visibility import without_hidden
from downloaders import automation, services
from downloaders.models import ACTIVE_STATES, AttemptState, DownloadAttempt, DownloadClientConfig
from downloaders.schemas import (
    AttemptOut,
    BlacklistIn,
    BlacklistOut,
    InitiateIn,
    JobIdRef,
    NotifyIn,
    NotifyOut,
    ReleaseSearchOut,
    SearchIn,
    SearchResultOut,
    UnblacklistIn,
    WantedOut,
)
from indexers import services as indexer_services
from indexers.models import BlacklistEntry, SearchResult
from media.models import Contribution, MediaItem
from media.selectors import ACQUISITION_STATUSES

router = Router(tags=["downloads"])


def _search_payload(outcome) -> dict:
    return {
        "item_id": outcome.item_id,
        "queries": outcome.queries,
        "errors": outcome.errors,
        "found": outcome.found,
        "duplicates": outcome.duplicates,
        "blacklisted": outcome.blacklisted,
        "accepted": len(outcome.accepted),
        "results": outcome.results,
    }


@router.post(
    "/search/{int:media_id}/",
    response={200: Envelope[ReleaseSearchOut], 202: Envelope[JobIdRef]},
    summary="Search indexers for an item: scored results (interactive) or a search-and-grab job (admin)",
)
def search(request, media_id: Id, payload: SearchIn | None = None):
    get_object_or_404(MediaItem, pk=media_id)
    if payload is not None and payload.mode == "automatic":
        job = submit_job(
            "downloaders.search_item",
            target=f"item:{media_id}",
            params={"item_id": media_id, "automatic": True},
            user=request.auth,
        )
        return Status(202, ok({"job_id": job.pk, "kind": job.kind}))
    return Status(200, ok(_search_payload(services.search_item(media_id))))


@router.get(
    "/search/{int:media_id}/results/",
    response=Envelope[list[SearchResultOut]],
    summary="Results of the item's latest search",
)
def search_results(request, media_id: Id):
    get_object_or_404(without_hidden(MediaItem.objects.all(), request.auth), pk=media_id)
    return ok(list(SearchResult.objects.filter(item_id=media_id).order_by("rank")))


def _grabbed(attempt: DownloadAttempt, *, sent: int = 201) -> Status:
    """`sent`: the client has the release; 202: the client is down and the grab waits for it (the
    attempt's `error` says so and `next_send_at` says when it is tried again)."""
    code = 202 if attempt.state == AttemptState.PENDING else sent
    return Status(code, ok(DownloadAttempt.objects.select_related("item").get(pk=attempt.pk)))


@router.post(
    "/initiate/",
    response={201: Envelope[AttemptOut], 202: Envelope[AttemptOut]},
    summary="Grab a search result: send it to the download client, or (202) queue it while the client is down (admin)",
)
def initiate(request, payload: InitiateIn):
    get_object_or_404(MediaItem, pk=payload.media_id)
    return _grabbed(services.grab(payload.media_id, payload.result_id))


@router.get(
    "/attempts/{int:media_id}/",
    response=Envelope[list[AttemptOut]],
    summary="Every download attempt of an item, newest first",
)
def attempts(request, media_id: Id):
    get_object_or_404(without_hidden(MediaItem.objects.all(), request.auth), pk=media_id)
    return ok(list(DownloadAttempt.objects.select_related("item").filter(item_id=media_id)))


@router.get(
    "/attempt/{int:attempt_id}/status/",
    response=Envelope[AttemptOut],
    summary="One attempt's state and progress (refresh=true asks the client now)",
)
def attempt_status(request, attempt_id: Id, refresh: bool = False):
    get_object_or_404(without_hidden(DownloadAttempt.objects.all(), request.auth, "item_id"), pk=attempt_id)
    if refresh:
        automation.refresh_attempt(attempt_id)
    return ok(DownloadAttempt.objects.select_related("item").get(pk=attempt_id))


@router.delete(
    "/attempt/{int:attempt_id}/",
    response=Envelope[AttemptOut | None],
    summary="Cancel an active download (removed from the client) or delete a finished attempt (admin)",
)
def delete_attempt(request, attempt_id: Id):
    get_object_or_404(DownloadAttempt, pk=attempt_id)
    attempt = services.cancel_attempt(attempt_id)
    return ok(DownloadAttempt.objects.select_related("item").get(pk=attempt.pk) if attempt else None)


@router.post(
    "/attempt/{int:attempt_id}/handoff/",
    response=Envelope[JobIdRef | None],
    summary="Hand a downloaded attempt to post-processing now (admin)",
)
def handoff(request, attempt_id: Id):
    get_object_or_404(DownloadAttempt, pk=attempt_id)
    job_id = automation.hand_off(attempt_id)
    return ok({"job_id": job_id, "kind": automation.IMPORT_JOB_KIND} if job_id else None)


@router.post(
    "/retry/{int:media_id}/",
    response={200: Envelope[AttemptOut], 202: Envelope[AttemptOut]},
    summary="Grab the next best stored release of an item (admin)",
)
def retry(request, media_id: Id):
    get_object_or_404(MediaItem, pk=media_id)
    candidate = services.next_candidate(media_id)
    if candidate is None:
        raise Conflict("No untried acceptable release is left; search again.")  # the state, not the input
    return _grabbed(services.grab(media_id, candidate.pk), sent=200)


@router.post(
    "/blacklist/",
    response={201: Envelope[BlacklistOut]},
    summary="Blacklist a release or an attempt's release (admin)",
)
def blacklist(request, payload: BlacklistIn):
    if payload.attempt_id:
        attempt = get_object_or_404(DownloadAttempt, pk=payload.attempt_id)
        services.blacklist_attempt(
            attempt.pk,
            reason=payload.reason,
            details=payload.details,
            expires_in_days=payload.expires_in_days,
            user=request.auth,
        )
        if payload.retry:
            automation.schedule_retry(attempt.item_id)
        entry = BlacklistEntry.objects.filter(guid=attempt.guid).order_by("-created_at").first()
        return Status(201, ok(entry))
    entry = indexer_services.add_to_blacklist(
        title=payload.title,
        guid=payload.guid,
        info_hash=payload.info_hash,
        item_id=payload.media_id,
        reason=payload.reason,
        details=payload.details,
        expires_in_days=payload.expires_in_days,
        user=request.auth,
    )
    return Status(201, ok(entry))


@router.get("/blacklist/", response=Envelope[Page[BlacklistOut]], summary="Blacklist, newest first")
def blacklist_list(request, params: Query[PageParams], active: bool = True):
    return ok(blacklist_entries(params, active=active, viewer=request.auth))


def blacklist_entries(params: PageParams, *, active: bool, viewer) -> dict:
    """A page of the blacklist as `viewer` sees it: the API's list and the blacklist page's first screen."""
    entries = BlacklistEntry.objects.active() if active else BlacklistEntry.objects.all()
    return paginate(without_hidden(entries, viewer, "item_id"), params)


@router.post(
    "/blacklist/{int:entry_id}/remove/",
    response=Envelope[BlacklistOut],
    summary="Take a release off the blacklist, with a reason (admin)",
)
def unblacklist(request, entry_id: Id, payload: UnblacklistIn):
    return ok(indexer_services.remove_from_blacklist(entry_id, reason=payload.reason, user=request.auth))


@router.get("/queue/", response=Envelope[list[AttemptOut]], summary="Active downloads with progress")
def queue(request):
    return ok(active_attempts(request.auth))


def active_attempts(viewer) -> list[DownloadAttempt]:
    attempts = DownloadAttempt.objects.select_related("item").filter(state__in=ACTIVE_STATES)
    return list(without_hidden(attempts, viewer, "item_id")[:500])


# Sort keys of the lists (also the pages' sortable headers): key -> the columns it orders by,
# the first one ascending; "desc" reverses the first column. Ties break by id.
HISTORY_SORTS = {
    "finished": ("completed_at", "created_at"),
    "item": ("item__sort_title",),
    "release": ("release_title",),
    "state": ("state",),
}
WANTED_SORTS = {
    "added": ("added_at",),
    "title": ("sort_title",),
    "status": ("status", "sort_title"),
    "last_search": ("search_state__last_search_at",),
    "next_search": ("search_state__next_search_at",),
    "score": ("search_state__last_best_score",),
}
DESCENDING_FIRST = {"finished", "added", "last_search", "score"}  # newest or best first until reversed


def ordering(sorts: dict[str, tuple[str, ...]], key: str, order: str | None) -> list:
    """The ORDER BY of a list sorted by `key` (`order` None: the key's natural direction), ties
    broken the same way by the next columns and the id; rows without a value (never searched)
    come last either way."""
    descending = key in DESCENDING_FIRST if order is None else order == "desc"
    sign = "-" if descending else ""
    return [F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
            for column in sorts[key]] + [sign + "id"]


class HistoryParams(PageParams):
    sort: Literal[tuple(HISTORY_SORTS)] = Field("finished", description="finished, item, release or state")
    order: Literal["asc", "desc"] | None = Field(None, description="Empty: newest first, else A to Z")


class WantedParams(PageParams):
    sort: Literal[tuple(WANTED_SORTS)] = Field(
        "added", description="added, title, status, last_search, next_search or score")
    order: Literal["asc", "desc"] | None = Field(None, description="Empty: newest/best first, else A to Z")


@router.get("/history/", response=Envelope[Page[AttemptOut]],
            summary="Finished attempts, newest first (or sorted), with the total")
def history(request, params: Query[HistoryParams]):
    return ok(finished_attempts(params, request.auth))


def finished_attempts(params: HistoryParams, viewer) -> dict:
    """A page of the history as `viewer` sees it: the API's list and the downloads page's first screen."""
    attempts = DownloadAttempt.objects.select_related("item").exclude(state__in=ACTIVE_STATES)
    attempts = without_hidden(attempts, viewer, "item_id").order_by(*ordering(HISTORY_SORTS, params.sort, params.order))
    return paginate(attempts, params, count=True)


@router.get("/wanted/", response=Envelope[Page[WantedOut]],
            summary="Wanted items with search times, newest first (or sorted), with the total")
def wanted(request, params: Query[WantedParams]):
    return ok(wanted_items(params, request.auth))


def wanted_items(params: WantedParams, viewer) -> dict:
    """A page of the wanted list as `viewer` sees it: the API's list and the wanted page's first screen."""
    items = (
        without_hidden(MediaItem.objects.filter(status__in=ACQUISITION_STATUSES), viewer)
        .select_related("search_state")
        .prefetch_related(
            Prefetch("contributions", queryset=Contribution.objects.select_related("author")),
            Prefetch(
                "download_attempts",
                to_attr="active_attempts",
                queryset=DownloadAttempt.objects.filter(state__in=ACTIVE_STATES),
            ),
        )
        .order_by(*ordering(WANTED_SORTS, params.sort, params.order))
    )
    page = paginate(items, params, count=True)
    page["items"] = [_wanted_row(item) for item in page["items"]]
    return page


def _wanted_row(item: MediaItem) -> dict:
    state = getattr(item, "search_state", None)
    return {
        "id": item.pk,
        "title": item.title,
        "kind": item.kind,
        "status": item.status,
        "authors": item.authors_display,
        "last_search_at": state.last_search_at if state else None,
        "next_search_at": state.next_search_at if state else None,
        "last_best_score": state.last_best_score if state else None,
        "last_accepted_count": state.last_accepted_count if state else None,
        "last_error": state.last_error if state else "",
        "active_attempt_id": item.active_attempts[0].pk if item.active_attempts else None,
    }


@router.post("/monitor/", response=Envelope[dict], summary="Check the download client now (admin)")
def monitor(request):
    return ok(automation.monitor_downloads())


@router.post(
    "/notify/",
    response={202: Envelope[NotifyOut]},
    summary="A download client says a job finished: check it now instead of at the next poll "
    "(scripts/sabnzbd-notify.py calls this)",
)
def notify(request, payload: NotifyIn):
    if payload.client_id is not None and not DownloadClientConfig.objects.filter(pk=payload.client_id).exists():
        raise NotFound(f"Download client {payload.client_id} does not exist", hint="See GET /api/downloads/clients/")
    outcome = automation.on_client_notification(
        config_id=payload.client_id, job_id=payload.job_id.strip(), name=payload.name, user=request.auth
    )
    return Status(202, ok(outcome))


@router.post("/wanted/search/", response={202: Envelope[JobIdRef]}, summary="Search every due wanted item now (admin)")
def search_wanted(request):
    job = submit_job("downloaders.search_wanted", target="manual", user=request.auth)
    return Status(202, ok({"job_id": job.pk, "kind": job.kind}))
