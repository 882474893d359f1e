"""Import services: create a run for a download, run the pipeline on it (claimed with a
compare-and-swap, each step's outcome stored as it happens), re-run, undo. Actors and API
functions call these and nothing else."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import metrics
from core.errors import Conflict, InvalidInput, JobCancelled, NotFound, ServiceUnavailable
from core.jobs import submit_job
from core.jobs.runs import EndedJob
from downloaders import status as acquisition_status
from downloaders.client_settings import import_folders
from downloaders.models import DownloadAttempt
from indexers import profiles
from media.models import ContributorRole, MediaItem, MediaKind, MediaStatus
from processing import catalogue, events, journal, kinds
from processing.context import ImportContext
from processing.models import ConversionTarget, ImportAction, ImportRun, ImportSettings, PostProcessStatus
from processing.pipeline import PipelineOutcome, StepRecord, run_pipeline
from processing.types import ImportOptions, PathMapping, ReportedSize, WantedItem

logger = logging.getLogger(__name__)
JOB_KIND = "processing.import_download"
CLAIMABLE = (PostProcessStatus.PENDING, PostProcessStatus.FAILED)


class ImportFailed(InvalidInput):
    """The import failed for a reason retrying will not fix (shown with the step and reason).
    A permanent error: the job is not retried; the user re-runs it after fixing the cause."""

    code = "import_failed"
    status = 422


# --- inputs --------------------------------------------------------------------------------


def _mappings(raw: Any) -> tuple[PathMapping, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        PathMapping(str(m["remote"]), str(m["local"]))
        for m in raw
        if isinstance(m, dict) and m.get("remote") and m.get("local")
    )


def _reported_size(raw: Any) -> ReportedSize | None:
    """The client's figure for the job as the hand-off gave it: {"bytes", "margin", "client"}."""
    if not isinstance(raw, dict):
        return None
    size, margin = raw.get("bytes"), raw.get("margin", 0)
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        return None
    margin = margin if isinstance(margin, int) and not isinstance(margin, bool) and margin > 0 else 0
    return ReportedSize(size, margin, str(raw.get("client") or "the download client")[:100])


def _client_folders() -> tuple[tuple[PathMapping, ...], tuple[Path, ...]]:
    """The download clients' folders (set in the wizard or Settings > Download clients)."""
    mappings, folders = import_folders()
    return tuple(PathMapping(remote, local) for remote, local in mappings), tuple(Path(f) for f in folders)


def build_options(run: ImportRun, kind: str = MediaKind.EBOOK) -> ImportOptions:
    """The run's options: what every kind shares, and the settings of the item's `kind`."""
    cfg, own = ImportSettings.load(), kinds.settings_for(kind)
    client_mappings, client_folders = _client_folders()
    mappings = (*_mappings(cfg.remote_path_mappings), *client_mappings)
    convert = {"convert": "force", "organize": "skip"}.get(run.action, "auto" if own.converts else "skip")
    return ImportOptions(
        library_dir=Path(settings.LIBRARY_DIR),
        recycle_dir=Path(settings.RECYCLE_DIR),
        import_mode=own.import_mode,
        keep_source=bool((run.options or {}).get("keep_source")),
        existing_file_policy=own.existing_file_policy,
        ebook_format=own.ebook_format,
        convert=convert,
        keep_original_format=own.keep_original,
        convert_executable=settings.EBOOK_CONVERT_PATH,
        convert_timeout_seconds=float(cfg.convert_timeout_seconds),
        path_mappings=mappings,
        allowed_roots=(Path(settings.DOWNLOADS_DIR), *client_folders, *(Path(m.local) for m in mappings)),
        min_cover_size=cfg.min_cover_size,
        match_threshold=cfg.match_threshold,
        accept_mismatch=bool((run.options or {}).get("accept_mismatch")),
        reported_size=_reported_size((run.options or {}).get("reported_size")),
        accept_size=bool((run.options or {}).get("accept_size")),
        templates={kind: own.template},
        repack_cbr=own.conversion_target == ConversionTarget.CBZ,
        write_epub_metadata=cfg.write_epub_metadata,
        upgrade=profiles.upgrade_plan(run.media_item_id, release_title(run)) if run.media_item_id else None,
    )


def release_title(run: ImportRun) -> str:
    """The name of the release the run imports ('' without a download attempt)."""
    if not run.download_attempt_id:
        return ""
    title = DownloadAttempt.objects.filter(pk=run.download_attempt_id).values_list("release_title", flat=True)
    return next(iter(title), "")


def snapshot_item(item_id: int) -> WantedItem:
    item = (
        MediaItem.objects.select_related("series")
        .prefetch_related("contributions__author", "identifiers")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound(f"Media item #{item_id} does not exist")
    contributions = list(item.contributions.all())
    authors = [c.author for c in contributions if c.role in (ContributorRole.AUTHOR, ContributorRole.WRITER)]
    cover = Path(settings.DATA_DIR) / item.cover_path if item.cover_path else None
    index = item.series_index
    return WantedItem(
        id=item.pk,
        kind=item.kind,
        title=item.title,
        authors=tuple(a.name for a in authors),
        author_sorts=tuple(a.sort_name or a.name for a in authors),
        narrators=tuple(c.author.name for c in contributions if c.role == ContributorRole.NARRATOR),
        series=item.series.title if item.series else "",
        series_index=(f"{index.normalize():f}" if index is not None else ""),
        isbn13=item.isbn13,
        identifiers=tuple((i.scheme, i.value) for i in item.identifiers.all()),
        language=item.language,
        publisher=item.publisher,
        published=item.published,
        year=item.year,
        description=item.description,
        issue_number=item.issue_number,
        duration_seconds=item.duration_seconds,
        cover_file=cover,
    )


def source_for_attempt(attempt_id: int) -> tuple[str, int]:
    """(storage path, media item id) of a download attempt. Seam for the acquisition app
    (issue 6): reads its DownloadAttempt when installed, else the attempt's last import."""
    try:
        model = apps.get_model("downloaders", "DownloadAttempt")
    except LookupError:
        model = None
    if model is not None:
        attempt = model.objects.filter(pk=attempt_id).first()
        if attempt is not None:
            path = getattr(attempt, "storage_path", "") or ""
            item_id = getattr(attempt, "media_item_id", None) or getattr(attempt, "item_id", None)
            if path and item_id:
                return path, int(item_id)
    last = ImportRun.objects.filter(download_attempt_id=attempt_id).order_by("-created_at", "-id").first()
    if last is None or last.media_item_id is None:
        raise NotFound(
            f"Download attempt #{attempt_id} is unknown or has no storage path yet",
            hint="The download must be completed by the download client first.",
        )
    return last.storage_path, last.media_item_id


# --- creating and queueing runs ---------------------------------------------------------------


def create_run(
    *,
    storage_path: str,
    media_item_id: int,
    attempt_id: int | None = None,
    action: str = ImportAction.IMPORT,
    options: dict | None = None,
    rerun_of: ImportRun | None = None,
) -> ImportRun:
    if not storage_path or len(storage_path) > 4096 or "\x00" in storage_path:
        raise InvalidInput("A storage path (at most 4096 characters) is required")
    if not MediaItem.objects.filter(pk=media_item_id).exists():
        raise NotFound(f"Media item #{media_item_id} does not exist")
    return ImportRun.objects.create(
        storage_path=storage_path,
        media_item_id=media_item_id,
        download_attempt_id=attempt_id,
        action=action,
        options=options or {},
        rerun_of=rerun_of,
    )


def enqueue(run: ImportRun, *, user=None) -> ImportRun:
    job = submit_job(JOB_KIND, target=f"import:{run.pk}", params={"run_id": run.pk}, user=user)
    ImportRun.objects.filter(pk=run.pk).update(job_id=job.pk)
    run.job_id = job.pk
    return run


def start_import(
    *,
    storage_path: str,
    media_item_id: int,
    attempt_id: int | None = None,
    action: str = ImportAction.IMPORT,
    options: dict | None = None,
    user=None,
) -> ImportRun:
    with transaction.atomic():
        run = create_run(
            storage_path=storage_path,
            media_item_id=media_item_id,
            attempt_id=attempt_id,
            action=action,
            options=options,
        )
        return enqueue(run, user=user)


def reported_size_of_attempt(attempt_id: int) -> dict | None:
    """The size the client reported, as the attempt's first import run received it."""
    runs = ImportRun.objects.filter(download_attempt_id=attempt_id).order_by("created_at", "id")
    return next((r.options["reported_size"] for r in runs if (r.options or {}).get("reported_size")), None)


def client_options(attempt_id: int, params: dict[str, Any] | None = None) -> dict | None:
    """What the download client said about the attempt's files, from the hand-off `params`
    or the attempt's earlier runs: the size it reported, and `keep_source` while a torrent
    client seeds them (they are then hardlinked or copied, never moved)."""
    params = params or {}
    reported = params.get("reported_size") or reported_size_of_attempt(attempt_id)
    runs = ImportRun.objects.filter(download_attempt_id=attempt_id)
    keep = bool(params.get("keep_source")) or any((r.options or {}).get("keep_source") for r in runs)
    options = {"reported_size": reported} if _reported_size(reported) else {}
    return {**options, "keep_source": True} if keep else options or None


def on_download_completed(attempt_id: int, storage_path: str, media_item_id: int) -> ImportRun:
    """Hook for the acquisition app: a completed download is imported automatically."""
    return start_import(storage_path=storage_path, media_item_id=media_item_id, attempt_id=attempt_id)


def import_attempt(attempt_id: int, *, action: str, user=None) -> ImportRun:
    """Manual 'convert' / 'organize' of a download attempt."""
    path, item_id = source_for_attempt(attempt_id)
    return start_import(
        storage_path=path,
        media_item_id=item_id,
        attempt_id=attempt_id,
        action=action,
        options=client_options(attempt_id),
        user=user,
    )


def rerun(run_id: int, *, accept_mismatch: bool = False, accept_size: bool = False, user=None) -> ImportRun:
    old = ImportRun.objects.filter(pk=run_id).first()
    if old is None:
        raise NotFound(f"Import #{run_id} does not exist")
    if old.post_process_status in (PostProcessStatus.PENDING, PostProcessStatus.PROCESSING):
        raise Conflict(f"Import #{run_id} is still {old.post_process_status}")
    if old.media_item_id is None:
        raise Conflict(f"Import #{run_id} lost its media item; start a new import")
    with transaction.atomic():
        run = create_run(
            storage_path=old.storage_path,
            media_item_id=old.media_item_id,
            attempt_id=old.download_attempt_id,
            action=old.action,
            options={**(old.options or {}), "accept_mismatch": accept_mismatch, "accept_size": accept_size},
            rerun_of=old,
        )
        return enqueue(run, user=user)


# --- running -----------------------------------------------------------------------------------


def _claim(run_id: int, job_id: int | None = None) -> ImportRun | None:
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or run.post_process_status not in CLAIMABLE:
        return None
    claimed = ImportRun.objects.filter(pk=run_id, post_process_status=run.post_process_status).update(
        post_process_status=PostProcessStatus.PROCESSING,
        job_id=job_id or run.job_id,
        started_at=timezone.now(),
        attempts=run.attempts + 1,
        steps=[],
        error="",
        error_step="",
    )
    if claimed != 1:
        return None
    run.refresh_from_db()
    return run


def _step_recorder(run: ImportRun) -> Callable[[StepRecord], None]:
    def record(step: StepRecord) -> None:
        run.steps = [*run.steps, step.as_dict()]
        _processing(run.pk).update(steps=run.steps)

    return record


_FINAL = {
    "completed": PostProcessStatus.COMPLETED,
    "needs_review": PostProcessStatus.NEEDS_REVIEW,
    "failed": PostProcessStatus.FAILED,
    "cancelled": PostProcessStatus.FAILED,
}


def _finish(run: ImportRun, ctx: ImportContext, outcome: PipelineOutcome) -> None:
    status = _FINAL.get(outcome.status, PostProcessStatus.FAILED)
    error = (
        f"{outcome.error_step}: {outcome.error}"
        if outcome.error and status != PostProcessStatus.COMPLETED
        else ""
    )
    result = {
        "placed": [
            {"path": str(p.path), "format": p.format, "role": p.role, "outcome": p.outcome}
            for p in ctx.placed
        ],
        "sidecars": ctx.sidecars,
        "catalogue": ctx.catalogue,
        "note": outcome.error if not error else "",
        "notes": ctx.notes,
        "match": ctx.match.breakdown if ctx.match else {},
        "distance": ctx.match.distance if ctx.match else None,
    }
    if not _processing(run.pk).update(
        post_process_status=status,
        error=error[:4000],
        error_step=outcome.error_step if error else "",
        result=result,
        finished_at=timezone.now(),
        local_path=str(ctx.local_path or ""),
    ):
        logger.warning("Import %s was ended while it ran (its job ended); its %s outcome is not recorded",
                       run.pk, status)
        return
    _sync_acquisition(run, status, error)
    if status == PostProcessStatus.COMPLETED and run.media_item_id:
        placed = [(str(p.path), p.format) for p in ctx.placed if p.outcome != "skipped_existing"]
        profiles.record_import(run.media_item_id, placed, release_title(run))
    events.record_for_run(run.pk)
    logger.info("Import %s %s%s", run.pk, status, f": {error}" if error else "")


def _sync_acquisition(run: ImportRun, status: str, error: str = "") -> None:
    """Media status goes through the acquisition status service (one place for it). A failed
    import leaves the download attempt DOWNLOADED so the import can be re-run after a fix."""
    if not run.media_item_id:
        return
    if status == PostProcessStatus.COMPLETED and run.download_attempt_id:
        try:
            acquisition_status.mark_imported(run.download_attempt_id, success=True)
            return
        except (Conflict, NotFound) as exc:  # re-run of an already imported or deleted attempt
            logger.info("Import %s: download attempt not updated (%s)", run.pk, exc)
    item_status = (
        MediaStatus.POST_PROCESSED_SUCCESS
        if status == PostProcessStatus.COMPLETED
        else MediaStatus.POST_PROCESSED_FAILED
    )
    acquisition_status.set_media_status(run.media_item_id, item_status)
    if status != PostProcessStatus.COMPLETED and run.download_attempt_id and error:
        label = "Import needs review" if status == PostProcessStatus.NEEDS_REVIEW else "Import failed"
        acquisition_status.record_import_error(run.download_attempt_id, f"{label}: {error}")


def run_import(
    run_id: int, *, progress: Callable[..., None] | None = None, job_id: int | None = None
) -> dict[str, Any]:
    """Run the pipeline on a claimed run (recorded as the work of job `job_id`). Transient
    failures raise ServiceUnavailable (the job retries with backoff), permanent ones
    ImportFailed; a mismatch ends in needs_review."""
    run = _claim(run_id, job_id)
    if run is None:
        return {"run_id": run_id, "skipped": "not pending (already running, done or gone)"}
    if run.media_item_id is None:
        _processing(run.pk).update(
            post_process_status=PostProcessStatus.FAILED,
            error="The media item was deleted",
            finished_at=timezone.now(),
        )
        events.record_for_run(run.pk)
        raise ImportFailed(f"Import #{run.pk}: the media item was deleted")
    if not run.previous_item_status:
        run.previous_item_status = MediaItem.objects.get(pk=run.media_item_id).status
        ImportRun.objects.filter(pk=run.pk).update(previous_item_status=run.previous_item_status)
    item = snapshot_item(run.media_item_id)
    ctx = ImportContext(
        run_id=run.pk,
        storage_path=run.storage_path,
        item=item,
        options=build_options(run, item.kind),
        work_dir=Path(settings.DATA_DIR) / "work" / f"import-{run.pk}",
        progress=progress or (lambda *a, **k: None),
    )
    outcome = run_pipeline(ctx, on_step=_step_recorder(run))
    metrics.import_ended(outcome.status, [(r.name, r.status, r.seconds) for r in outcome.records])
    _finish(run, ctx, outcome)
    summary = {
        "run_id": run.pk,
        "status": _FINAL.get(outcome.status, "failed"),
        "error": outcome.error,
        "step": outcome.error_step,
        "placed": [str(p.path) for p in ctx.placed],
    }
    if outcome.status == "cancelled":
        raise JobCancelled(f"import {run.pk} cancelled")
    if outcome.status == "failed":
        message = f"Import #{run.pk} failed at {outcome.error_step}: {outcome.error}"
        raise (ServiceUnavailable if outcome.transient else ImportFailed)(message) from outcome.exception
    return summary


def import_from_params(
    params: dict[str, Any], *, progress: Callable[..., None] | None = None, job_id: int | None = None
) -> dict[str, Any]:
    """Job parameters: {"run_id"} | {"attempt_id"[, "reported_size", "keep_source"]} | {"storage_path",
    "media_item_id"}. `reported_size` ({"bytes", "margin", "client"}) is what the download client said
    it downloaded; `keep_source` that a torrent client still seeds the files."""
    if "run_id" in params:
        return run_import(_int(params, "run_id"), progress=progress, job_id=job_id)
    if "attempt_id" in params:
        attempt_id = _int(params, "attempt_id")
        path, item_id = source_for_attempt(attempt_id)
        options = client_options(attempt_id, params)
        run = create_run(storage_path=path, media_item_id=item_id, attempt_id=attempt_id, options=options)
    elif "storage_path" in params and "media_item_id" in params:
        run = create_run(
            storage_path=str(params["storage_path"]), media_item_id=_int(params, "media_item_id")
        )
    else:
        raise InvalidInput("Give run_id, attempt_id, or storage_path and media_item_id")
    return run_import(run.pk, progress=progress, job_id=job_id)


def _processing(run_id: int):
    """The run, only while it is processing: its writes are compare-and-swaps, so a thread
    whose job was ended meanwhile (abandoned after a cancel) cannot overwrite the outcome."""
    return ImportRun.objects.filter(pk=run_id, post_process_status=PostProcessStatus.PROCESSING)


def working_job_ids() -> list[int]:
    """Jobs of the import runs still pending or processing."""
    working = (PostProcessStatus.PENDING, PostProcessStatus.PROCESSING)
    return list(
        ImportRun.objects.filter(post_process_status__in=working, job_id__isnull=False).values_list("job_id", flat=True)
    )


def settle_ended_runs(ended: dict[int, EndedJob]) -> int:
    """Fail the import runs still pending or processing whose job has ended (cancelled
    before it started, cancelled, abandoned, or redelivered after its worker was killed and
    found the run taken): with an end time and the reason, so they can be re-run."""
    working = (PostProcessStatus.PENDING, PostProcessStatus.PROCESSING)
    settled = 0
    for run in ImportRun.objects.filter(post_process_status__in=working, job_id__in=list(ended)):
        error = f"The import did not finish: {ended[run.job_id].describe()}. Re-run it."
        if ImportRun.objects.filter(pk=run.pk, post_process_status=run.post_process_status).update(
            post_process_status=PostProcessStatus.FAILED, error=error[:4000], finished_at=timezone.now()
        ):
            settled += 1
            _sync_acquisition(run, PostProcessStatus.FAILED, error)
            events.record_for_run(run.pk)
    return settled


def _int(params: dict[str, Any], key: str) -> int:
    value = params.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput(f"{key} must be a positive integer")
    return value


# --- undo --------------------------------------------------------------------------------------


def undo_import(run_id: int) -> ImportRun:
    """Put every file back where it was, forget the library rows, restore the item status."""
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"Import #{run_id} does not exist")
    if run.post_process_status != PostProcessStatus.COMPLETED:
        raise Conflict(f"Only completed imports can be undone; #{run_id} is {run.post_process_status}")
    claimed = ImportRun.objects.filter(pk=run_id, post_process_status=PostProcessStatus.COMPLETED).update(
        post_process_status=PostProcessStatus.PROCESSING
    )
    if claimed != 1:
        raise Conflict(f"Import #{run_id} is being changed by someone else")
    try:
        notes = journal.undo_operations(run.pk)
    except Exception:
        ImportRun.objects.filter(pk=run_id).update(post_process_status=PostProcessStatus.COMPLETED)
        raise
    catalogue.forget_files((run.result or {}).get("catalogue", {}), run.media_item_id)
    if run.media_item_id and run.previous_item_status:
        MediaItem.objects.filter(pk=run.media_item_id).update(status=run.previous_item_status)
    if run.media_item_id:
        profiles.refresh_item(run.media_item_id)  # the old files are back: an upgrade is wanted again
    ImportRun.objects.filter(pk=run_id).update(
        post_process_status=PostProcessStatus.UNDONE,
        undone_at=timezone.now(),
        result={**(run.result or {}), "undo": notes},
    )
    events.record_for_run(run_id)
    run.refresh_from_db()
    return run
