"""Pages of the import pipeline: the list of import runs (filterable) and one run's detail
(steps, file journal, actions). Actions go through the JSON API from static/js/imports.js."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404, render

from core.api.auth import is_admin
from core.visibility import without_hidden
from processing.models import ImportAction, ImportRun, PostProcessStatus

PAGE_SIZE = 50
STEP_NAMES = ("locate", "verify", "repack", "extract", "identify", "convert", "embed", "place", "sidecars", "catalogue")


@dataclass(frozen=True)
class RunFilters:
    status: str = ""
    action: str = ""
    step: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def from_request(cls, request) -> RunFilters:
        get = request.GET
        try:
            page = max(1, min(int(get.get("page", 1)), 100_000))
        except ValueError:
            page = 1
        return cls(
            status=get.get("status", "") if get.get("status") in PostProcessStatus.values else "",
            action=get.get("action", "") if get.get("action") in ImportAction.values else "",
            step=get.get("step", "") if get.get("step") in STEP_NAMES else "",
            q=(get.get("q") or "").strip()[:200],
            page=page,
        )

    def apply(self, runs: QuerySet[ImportRun]) -> QuerySet[ImportRun]:
        if self.status:
            runs = runs.filter(post_process_status=self.status)
        if self.action:
            runs = runs.filter(action=self.action)
        if self.step:
            runs = runs.filter(error_step=self.step)
        if self.q:
            runs = runs.filter(Q(storage_path__icontains=self.q) | Q(media_item__title__icontains=self.q))
        return runs

    def query(self, page: int) -> str:
        values = {"status": self.status, "action": self.action, "step": self.step, "q": self.q, "page": page}
        return urlencode({k: v for k, v in values.items() if v})


def duration(started: datetime | None, finished: datetime | None) -> str:
    if started is None or finished is None:
        return ""
    seconds = max(timedelta(0), finished - started).total_seconds()
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


def _row(run: ImportRun) -> dict:
    return {
        "run": run,
        "title": run.media_item.title if run.media_item else "",
        "source": PurePath(run.storage_path).name or run.storage_path,
        "duration": duration(run.started_at, run.finished_at),
    }


def imports(request):
    filters = RunFilters.from_request(request)
    runs = filters.apply(without_hidden(ImportRun.objects.select_related("media_item"), request.user, "media_item_id"))
    start = (filters.page - 1) * PAGE_SIZE
    page_rows = list(runs[start : start + PAGE_SIZE + 1])
    context = {
        "rows": [_row(r) for r in page_rows[:PAGE_SIZE]],
        "filters": filters,
        "statuses": PostProcessStatus.choices,
        "actions": ImportAction.choices,
        "steps": STEP_NAMES,
        "previous_query": filters.query(filters.page - 1) if filters.page > 1 else "",
        "next_query": filters.query(filters.page + 1) if len(page_rows) > PAGE_SIZE else "",
    }
    return render(request, "processing/imports.html", context)


def import_detail(request, run_id: int):
    runs = without_hidden(ImportRun.objects.select_related("media_item", "rerun_of"), request.user, "media_item_id")
    run = get_object_or_404(runs, pk=run_id)  # a hidden library's import does not exist for this reader
    context = {
        "run": run,
        "row": _row(run),
        "steps": run.steps or [],
        "operations": list(run.operations.order_by("sequence")),
        "reruns": list(run.reruns.order_by("-created_at")[:10]),
        "can_manage": is_admin(request.user),
        "can_undo": run.post_process_status == PostProcessStatus.COMPLETED,
        "can_rerun": run.post_process_status not in (PostProcessStatus.PENDING, PostProcessStatus.PROCESSING),
        "is_active": run.post_process_status in (PostProcessStatus.PENDING, PostProcessStatus.PROCESSING),
        "needs_review": run.post_process_status == PostProcessStatus.NEEDS_REVIEW,
    }
    return render(request, "processing/import_detail.html", context)
