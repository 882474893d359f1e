"""Enrichment runs: every automatic identification belongs to one, so a whole run (or one item
of it) can be undone. Undoing drops the applied provider record's candidate values and the
identifiers it added, and puts back each field's value from before the run, except fields a
person (or a later run) changed since: those are left alone and reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, NotFound
from core.jobs.runs import EndedJob
from media.models import Identifier, MediaItem
from search.models import (
    ChangeReason,
    EnrichmentRun,
    EnrichmentRunItem,
    EnrichmentState,
    FieldCandidate,
    MetadataChange,
    ResolvedField,
)
from search.providers.base import BookRecord
from search.services.apply import apply_value, current_value
from search.services.candidates import resolve_item


@dataclass
class RevertOutcome:
    run_id: int
    items: int = 0
    fields_restored: int = 0
    identifiers_removed: int = 0
    kept: list[dict[str, Any]] = field(default_factory=list)  # {item_id, field, reason}


def start_run(*, job_id: int | None = None) -> EnrichmentRun:
    return EnrichmentRun.objects.create(job_id=job_id)


def finish_run(run: EnrichmentRun, counts: dict) -> None:
    """A compare-and-swap: a run ended meanwhile (its job ended, see `settle_ended_runs`) stays so."""
    run.finished_at, run.counts = timezone.now(), counts
    EnrichmentRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(finished_at=run.finished_at, counts=counts)


def working_job_ids() -> list[int]:
    """Jobs of the enrichment runs not finished."""
    unfinished = EnrichmentRun.objects.filter(finished_at__isnull=True, job_id__isnull=False)
    return list(unfinished.values_list("job_id", flat=True))


def settle_ended_runs(ended: dict[int, EndedJob]) -> int:
    """End the enrichment runs whose job has ended before the run did (what they applied stays
    and can be undone as any run's)."""
    settled = 0
    for run in EnrichmentRun.objects.filter(finished_at__isnull=True, job_id__in=list(ended)):
        settled += EnrichmentRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(
            finished_at=timezone.now(), counts={**run.counts, "stopped": ended[run.job_id].describe()}
        )
    return settled


def identifier_pairs(item: MediaItem) -> set[tuple[str, str]]:
    return set(Identifier.objects.filter(item=item).values_list("scheme", "value"))


def record_applied(run: EnrichmentRun, item: MediaItem, record: BookRecord, before: set[tuple[str, str]]) -> None:
    added = sorted(identifier_pairs(item) - before)
    EnrichmentRunItem.objects.create(run=run, item=item, provider=record.provider, external_id=record.external_id,
                                     added_identifiers=[list(pair) for pair in added])


def revert_run(run_id: int, *, item_id: int | None = None, user=None) -> RevertOutcome:
    """Undo what run `run_id` applied (to every item, or to `item_id` only)."""
    run = EnrichmentRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"Enrichment run #{run_id} does not exist")
    entries = run.applied.filter(reverted_at__isnull=True).select_related("item")
    if item_id is not None:
        entries = entries.filter(item_id=item_id)
    if not entries.exists():
        raise Conflict(f"Enrichment run #{run_id} has nothing left to undo" +
                       (f" for item #{item_id}" if item_id is not None else ""))
    outcome = RevertOutcome(run.pk)
    for entry in entries:
        _revert_entry(entry, outcome, user=user)
    if not run.applied.filter(reverted_at__isnull=True).exists():
        run.reverted_at, run.reverted_by = timezone.now(), user
        run.save(update_fields=["reverted_at", "reverted_by"])
    return outcome


@transaction.atomic
def _revert_entry(entry: EnrichmentRunItem, outcome: RevertOutcome, *, user) -> None:
    item = MediaItem.objects.select_for_update().get(pk=entry.item_id)
    FieldCandidate.objects.filter(item=item, source__name=entry.provider, external_id=entry.external_id).delete()
    changes = MetadataChange.objects.filter(run=entry.run, item=item, reverted_at__isnull=True).order_by("-id")
    for change in changes:
        later = _later_change(change)
        if later is not None:
            outcome.kept.append({"item_id": item.pk, "field": change.field,
                                 "reason": f"changed since ({later.get_reason_display().lower()} #{later.pk})"})
            continue
        _restore(item, change, user=user)
        outcome.fields_restored += 1
    for scheme, value in entry.added_identifiers:
        outcome.identifiers_removed += Identifier.objects.filter(item=item, scheme=scheme, value=value).delete()[0]
    entry.reverted_at = timezone.now()
    entry.save(update_fields=["reverted_at"])
    EnrichmentState.objects.update_or_create(item=item, defaults={"outcome": "reverted",
                                                                  "last_run_at": timezone.now()})
    outcome.items += 1


def _later_change(change: MetadataChange) -> MetadataChange | None:
    """A change to the same field after this one that this run did not make (a person's edit)."""
    return (MetadataChange.objects.filter(item_id=change.item_id, field=change.field, id__gt=change.pk,
                                          reverted_at__isnull=True)
            .exclude(run_id=change.run_id).exclude(reason=ChangeReason.REVERT).order_by("id").first())


def _restore(item: MediaItem, change: MetadataChange, *, user) -> None:
    """The field's value from before the change: merged again without the run's record, and
    put back as it was if the remaining sources say something else (or nothing)."""
    resolve_item(item, fields=[change.field], reason=ChangeReason.REVERT, user=user)
    item.refresh_from_db()
    state = ResolvedField.objects.filter(item=item, field=change.field).first()
    now_value = state.value if state is not None else current_value(item, change.field)
    if now_value != change.old_value:
        apply_value(item, change.field, change.old_value)
        ResolvedField.objects.update_or_create(item=item, field=change.field, defaults={
            "value": change.old_value, "source": None, "confidence": 0.0, "score": 0.0, "updated_at": timezone.now()})
        MetadataChange.objects.create(item=item, field=change.field, old_value=now_value, new_value=change.old_value,
                                      old_source=change.new_source, reason=ChangeReason.REVERT, user=user)
    change.reverted_at = timezone.now()
    change.save(update_fields=["reverted_at"])


def recent_runs(limit: int = 10):
    return EnrichmentRun.objects.exclude(applied__isnull=True).distinct().order_by("-started_at", "-id")[:limit]
