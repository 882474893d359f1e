from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.functions import Cast, Substr
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field, field_validator

from core.api.envelope import Envelope, Page, PageParams, as_sent, ok, paginate
from core.api.types import Id
from core.jobs import cancel_job, job_kinds, retry_job, submit_job
from core.models import Job, JobState
from core.visibility import without_hidden

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    title: str
    target: str
    state: JobState
    progress_done: int
    progress_total: int | None
    percent: float | None = Field(description="Only when the total is known")
    eta_seconds: float | None = Field(description="Only when the total is known")
    rate_per_second: float | None = Field(description="Items per second so far, while running")
    message: str
    last_error: str
    attempts: int
    cancel_requested: bool
    result: Any = None
    created_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime

    @staticmethod
    def resolve_title(obj: Job) -> str:
        kind = job_kinds().get(obj.kind)
        return kind.title if kind else obj.kind

    @staticmethod
    def resolve_created_by(obj: Job) -> str | None:
        return obj.created_by.get_username() if obj.created_by_id else None


class JobFilter(PageParams):
    state: JobState | None = None
    kind: str | None = Field(None, max_length=64)
    active: bool | None = Field(None, description="Only queued and running jobs")


def startable_kinds() -> list[str]:
    return sorted(k.kind for k in job_kinds().values() if k.user_startable)


def _document_startable_kinds(schema: dict[str, Any]) -> None:
    # The kinds are registered by each app's tasks module, so the enum is filled in when the
    # document is built, not when this module is imported.
    schema["properties"]["kind"]["enum"] = startable_kinds()


class JobIn(Schema):
    kind: str = Field(..., max_length=64, description="A kind GET /api/jobs/kinds lists as user_startable")
    params: dict[str, Any] = Field(default_factory=dict)

    model_config = {"json_schema_extra": _document_startable_kinds}

    @field_validator("kind")
    @classmethod
    def _startable(cls, kind: str) -> str:
        if kind not in startable_kinds():
            raise ValueError(f"{kind!r} is not a job kind that can be started by hand (GET /api/jobs/kinds)")
        return kind


class JobKindOut(Schema):
    kind: str
    title: str
    user_startable: bool


ITEM_TARGET = "item:"  # a job about one book: target "item:<id>"


def visible_jobs(viewer) -> QuerySet[Job]:
    """The jobs `viewer` may follow: a job about one book (target item:<id>) only when they may
    see that book (core.visibility); every other job."""
    about = Case(When(target__startswith=ITEM_TARGET, target__regex=r"^item:[0-9]{1,18}$",
                      then=Cast(Substr("target", len(ITEM_TARGET) + 1), IntegerField())),
                 default=Value(None), output_field=IntegerField())
    return without_hidden(Job.objects.annotate(about_item=about), viewer, "about_item")


def job_page(filters: JobFilter, viewer) -> dict[str, Any]:
    """One page of jobs as `viewer` sees them: the API's list and the pages that embed their first screen."""
    jobs = visible_jobs(viewer).select_related("created_by")
    if filters.state:
        jobs = jobs.filter(state=filters.state)
    if filters.kind:
        jobs = jobs.filter(kind=filters.kind)
    if filters.active:
        jobs = jobs.filter(state__in=(JobState.QUEUED, JobState.RUNNING))
    return paginate(jobs, filters)


def first_jobs(request, **filters: Any) -> Any:
    """What `GET /api/jobs/?<filters>` answers in `data`, for a page to embed."""
    return as_sent(request, Page[JobOut], job_page(JobFilter(**filters), request.user))


@router.get("/", response=Envelope[Page[JobOut]], summary="Background jobs, newest first")
def list_jobs(request, filters: Query[JobFilter]):
    return ok(job_page(filters, request.auth))


@router.get("/kinds", response=Envelope[list[JobKindOut]], summary="Job kinds this installation knows")
def list_kinds(request):
    return ok([{"kind": k.kind, "title": k.title, "user_startable": k.user_startable}
               for k in sorted(job_kinds().values(), key=lambda k: k.kind)])


@router.get("/{int:job_id}", response=Envelope[JobOut], summary="One job with progress and ETA")
def get_job(request, job_id: Id):
    return ok(get_object_or_404(visible_jobs(request.auth).select_related("created_by"), pk=job_id))


@router.post("/", response={202: Envelope[JobOut]}, summary="Start a job of a user-startable kind (admin)")
def start_job(request, payload: JobIn):
    return Status(202, ok(submit_job(payload.kind, params=payload.params, user=request.auth)))


@router.post("/{int:job_id}/cancel", response=Envelope[JobOut], summary="Ask a job to stop")
def cancel(request, job_id: Id):
    get_object_or_404(Job, pk=job_id)
    return ok(cancel_job(job_id))


@router.post("/{int:job_id}/retry", response={202: Envelope[JobOut]}, summary="Run a failed job again")
def retry(request, job_id: Id):
    get_object_or_404(Job, pk=job_id)
    return Status(202, ok(retry_job(job_id, user=request.auth)))
