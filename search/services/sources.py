"""Data sources: their trust, what each contributed, and rescoring after a trust change.

Changing a source's trust queues a background job that recomputes, for every book the source
gave a candidate to, the fields it gave (trust x confidence over all candidates, as a merge
does). Manual entries and locked fields still win; every value that changes is in the
item's history, revertable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from core.errors import NotFound
from core.jobs import submit_job
from core.models import Job, JobState
from media.models import MediaItem
from search.merge import MANUAL_SOURCE
from search.models import (
    ChangeReason,
    DataSource,
    FieldCandidate,
    MetadataChange,
    ResolvedField,
    TrustChange,
    TrustChangeReason,
)
from search.services.candidates import resolve_item
from search.services.trust import accuracy_of

RESCORE_KIND = "search.rescore_source"
CHUNK = 200


@dataclass(frozen=True)
class SourceStats:
    source: DataSource
    contributed: int  # fields whose resolved value comes from this source
    overridden: int  # values of this source a person later replaced by hand

    @property
    def accuracy(self) -> float | None:
        """Share of its contributions nobody had to correct (None before any)."""
        total = self.contributed + self.overridden
        return None if total == 0 else round(self.contributed / total, 4)


def source_stats() -> list[SourceStats]:
    """Every source with its trust, values contributed and values overridden by a manual edit."""
    contributed = dict(
        ResolvedField.objects.filter(source__isnull=False).values_list("source_id").annotate(n=Count("id"))
    )
    overridden = dict(
        MetadataChange.objects.filter(reason=ChangeReason.MANUAL).exclude(old_source="")
        .values_list("old_source").annotate(n=Count("id"))
    )
    return [SourceStats(s, contributed.get(s.pk, 0), overridden.get(s.name, 0)) for s in DataSource.objects.all()]


@transaction.atomic
def set_trust(name: str, trust: float, *, user=None) -> tuple[DataSource, Job | None]:
    """Store a source's trust; when it changed, queue the rescoring of the books it touched."""
    source = DataSource.objects.select_for_update().filter(name=name).first()
    if source is None:
        raise NotFound(f"No data source {name!r}")
    if source.trust == trust:
        return source, None
    TrustChange.objects.create(source=source, old_trust=source.trust, new_trust=trust,
                               reason=TrustChangeReason.MANUAL, user=user, evidence=accuracy_of(source).feedback)
    source.trust = trust
    source.save(update_fields=["trust"])
    return source, queue_rescore(source, user=user)


def queue_rescore(source: DataSource, *, user=None) -> Job | None:
    """One queued rescoring per source is enough: it reads the trust when it runs."""
    target = f"datasource:{source.name}"
    if source.name == MANUAL_SOURCE or Job.objects.filter(kind=RESCORE_KIND, target=target,
                                                          state=JobState.QUEUED).exists():
        return None  # a manual value wins whatever its trust
    return submit_job(RESCORE_KIND, target=target, params={"source": source.name}, user=user)


def rescore_source(name: str, *, progress: Callable[..., None] | None = None) -> dict[str, int]:
    """Recompute the resolved value of every field `name` has a candidate for, a chunk of
    books per transaction; returns how many books were checked and values changed."""
    report = progress or (lambda *a, **k: None)
    fields_of: dict[int, set[str]] = {}
    for item_id, field in FieldCandidate.objects.filter(source__name=name).values_list("item_id", "field"):
        fields_of.setdefault(item_id, set()).add(field)
    ids, changed = sorted(fields_of), 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            for item in MediaItem.objects.filter(pk__in=chunk).order_by("pk"):
                changed += len(resolve_item(item, fields=sorted(fields_of[item.pk]), reason=ChangeReason.MERGE))
        done = start + len(chunk)
        report(done, len(ids), f"{done} books rescored, {changed} values changed")
    return {"items": len(ids), "changed": changed}


def rescoring_jobs() -> dict[str, Job]:
    """The latest rescoring job of each source (for the Data sources page)."""
    jobs: dict[str, Job] = {}
    for job in Job.objects.filter(kind=RESCORE_KIND).filter(~Q(target="")).order_by("-created_at")[:200]:
        jobs.setdefault(job.target.removeprefix("datasource:"), job)
    return jobs
