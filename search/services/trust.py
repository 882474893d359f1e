"""Sources that earn their trust: adding a source of an existing kind (a second Open Library
mirror, a Google Books key of one's own) and retiring one without losing what it gave;
accuracy measured from what people did with its values (replaced by hand: against it; locked
as it was: for it); probation of a new source; automatic adjustment within an admin's bounds;
bulk changes; and an audit log of every trust change, each revertable (a batch as a whole).
Also how complete each source's answers are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from core.errors import Conflict, InvalidInput, NotFound
from search.defaults import DATA_SOURCES, UNKNOWN_SOURCE_TRUST
from search.merge import MANUAL_SOURCE
from search.models import (
    ChangeReason,
    DataSource,
    FieldCandidate,
    MetadataChange,
    ResolvedField,
    SearchProvider,
    SourceKind,
    TrustBatch,
    TrustChange,
    TrustChangeReason,
)
from search.providers.registry import PROVIDERS

PROBATION_ITEMS = 20  # a new source is on probation for its first 20 books ...
PROBATION_DAYS = 14  # ... or 14 days, whichever ends first
PROBATION_FACTOR = 0.5
DEFAULT_SPAN = 0.2  # automatic adjustment without bounds given: within 0.2 of the trust it had
MIN_FEEDBACK = 5  # automatic adjustment waits for this many corrected or locked values
# The fields a book source is expected to answer; completeness is measured over these.
CORE_FIELDS = ("title", "authors", "publisher", "published", "language", "description", "isbn13", "cover",
               "page_count", "subjects", "series")


# --- adding and retiring sources -------------------------------------------------------------------------

@dataclass(frozen=True)
class NewSource:
    kind: str  # the adapter: openlibrary, googlebooks, comicvine
    name: str
    label: str
    base_url: str
    api_key: str = ""
    covers_base_url: str = ""
    priority: int = 50


@transaction.atomic
def add_source(new: NewSource, *, user=None) -> SearchProvider:
    """A second source of an existing kind, with its own address and key; its values have a
    data source of its own, on probation, starting at the trust of its kind."""
    if new.kind not in PROVIDERS:
        raise InvalidInput(f"Unknown kind of source {new.kind!r}: one of {', '.join(sorted(PROVIDERS))}")
    if SearchProvider.objects.filter(name=new.name).exists() or DataSource.objects.filter(name=new.name).exists():
        raise Conflict(f"A source called {new.name!r} exists already")
    info = PROVIDERS[new.kind].info
    template = SearchProvider.objects.filter(name=new.kind).first()
    row = SearchProvider.objects.create(
        name=new.name, kind=new.kind, label=new.label, base_url=new.base_url, api_key=new.api_key,
        enabled=bool(new.api_key) or not info.requires_api_key,  # off until it has the key it needs
        covers_base_url=new.covers_base_url or (template.covers_base_url if template else ""),
        priority=new.priority, rate_per_second=template.rate_per_second if template else None,
        hourly_limit_per_resource=template.hourly_limit_per_resource if template else None,
        media_types=list(template.media_types) if template else [])
    trust = {n: t for n, _, _, t in DATA_SOURCES}.get(new.kind, UNKNOWN_SOURCE_TRUST)
    kind_source = DataSource.objects.filter(name=new.kind).first()
    DataSource.objects.create(name=new.name, label=new.label, kind=SourceKind.PROVIDER,
                              trust=kind_source.trust if kind_source else trust, probation_items=PROBATION_ITEMS,
                              probation_days=PROBATION_DAYS, probation_factor=PROBATION_FACTOR)
    return row


@transaction.atomic
def retire_source(name: str) -> SearchProvider:
    """Never ask it again; its candidates and the history keep their source and its name."""
    row = SearchProvider.objects.select_for_update().filter(name=name).first()
    if row is None:
        raise NotFound(f"No metadata source {name!r}")
    if not row.kind:
        raise Conflict(f"{row.label} is a built-in provider: switch it off instead of retiring it")
    if row.retired_at is None:
        now = timezone.now()
        row.retired_at, row.enabled = now, False
        row.save(update_fields=["retired_at", "enabled"])
        DataSource.objects.filter(name=name, retired_at=None).update(retired_at=now)
    return row


# --- probation -------------------------------------------------------------------------------------------

def answered_items(source: DataSource) -> int:
    return FieldCandidate.objects.filter(source=source).values("item_id").distinct().count()


def probation(source: DataSource, *, items: int | None = None, now=None) -> dict | None:
    """{'items_left', 'until', 'factor'} while the source is on probation, else None."""
    if not source.probation_items and not source.probation_days:
        return None
    now = now or timezone.now()
    until = source.created_at + timedelta(days=source.probation_days) if source.probation_days else None
    items = answered_items(source) if items is None else items
    if (source.probation_items and items >= source.probation_items) or (until is not None and now >= until):
        return None
    return {"items_left": max(0, source.probation_items - items) if source.probation_items else None,
            "until": until, "factor": source.probation_factor}


def effective_trust(source: DataSource) -> float:
    """The trust a merge uses: lowered while the source is on probation."""
    state = probation(source)
    return source.trust * state["factor"] if state else source.trust


# --- accuracy and completeness ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Accuracy:
    corrected: int  # values of the source a person replaced by hand
    confirmed: int  # values of the source a person locked as they were

    @property
    def feedback(self) -> int:
        return self.corrected + self.confirmed

    @property
    def value(self) -> float | None:
        return None if not self.feedback else round(self.confirmed / self.feedback, 4)


def _corrections():
    return MetadataChange.objects.filter(reason=ChangeReason.MANUAL).exclude(old_source="").exclude(
        old_source=MANUAL_SOURCE)


def _confirmations():
    return ResolvedField.objects.filter(locked=True, source__isnull=False)


def accuracies() -> dict[str, Accuracy]:
    corrected = dict(_corrections().values_list("old_source").annotate(n=Count("id")))
    confirmed = dict(_confirmations().values_list("source__name").annotate(n=Count("id")))
    return {name: Accuracy(corrected.get(name, 0), confirmed.get(name, 0)) for name in
            DataSource.objects.values_list("name", flat=True)}


def accuracy_of(source: DataSource) -> Accuracy:
    return Accuracy(_corrections().filter(old_source=source.name).count(),
                    _confirmations().filter(source=source).count())


def completeness() -> dict[str, dict]:
    """Per source: books answered, fields filled per answer (over CORE_FIELDS), how often each of
    those fields is empty in its answers, and a score (share of the core fields filled)."""
    answered = dict(FieldCandidate.objects.values_list("source__name").annotate(n=Count("item_id", distinct=True)))
    filled: dict[str, dict[str, int]] = {}
    for name, field, n in (FieldCandidate.objects.filter(field__in=CORE_FIELDS)
                           .values_list("source__name", "field").annotate(n=Count("id"))):
        filled.setdefault(name, {})[field] = n
    out = {}
    for name in DataSource.objects.values_list("name", flat=True):
        answers = answered.get(name, 0)
        counts = filled.get(name, {})
        empty = {f: (round(1 - counts.get(f, 0) / answers, 4) if answers else None) for f in CORE_FIELDS}
        per_answer = round(sum(counts.values()) / answers, 2) if answers else None
        score = round(sum(counts.values()) / (answers * len(CORE_FIELDS)), 4) if answers else None
        out[name] = {"answers": answers, "fields_per_answer": per_answer, "score": score, "empty_rate": empty}
    return out


def source_details(sources: list[DataSource]) -> dict[str, dict]:
    """What the Data sources page and API show beside the trust, for each source."""
    measured, complete = accuracies(), completeness()
    out = {}
    for source in sources:
        acc = measured.get(source.name, Accuracy(0, 0))
        full = complete.get(source.name) or {"answers": 0, "fields_per_answer": None, "score": None,
                                            "empty_rate": dict.fromkeys(CORE_FIELDS)}
        state = probation(source, items=full["answers"])
        out[source.name] = {
            "effective_trust": round(source.trust * state["factor"], 4) if state else source.trust,
            "probation": state, "corrected": acc.corrected, "confirmed": acc.confirmed,
            "measured_accuracy": acc.value, "completeness": full,
        }
    return out


# --- trust changes: audit log, automatic, bulk, revert -----------------------------------------------------

def _queue(source: DataSource, user=None) -> None:
    from search.services.sources import queue_rescore

    queue_rescore(source, user=user)


def change_trust(source: DataSource, trust: float, *, reason: str, user=None, note: str = "",
                 batch: TrustBatch | None = None, evidence: int | None = None) -> TrustChange | None:
    """Store a new trust, log it (with the evidence there was: `evidence`, else counted now) and
    queue the rescoring of the books the source touched."""
    trust = round(max(0.0, min(1.0, trust)), 4)
    if trust == source.trust:
        return None
    evidence = accuracy_of(source).feedback if evidence is None else evidence
    change = TrustChange.objects.create(source=source, old_trust=source.trust, new_trust=trust, reason=reason,
                                        note=note[:200], batch=batch, user=user, evidence=evidence)
    source.trust = trust
    source.save(update_fields=["trust"])
    transaction.on_commit(lambda: _queue(source, user))
    return change


@transaction.atomic
def set_bounds(name: str, *, auto_adjust: bool, trust_min: float | None, trust_max: float | None) -> DataSource:
    source = DataSource.objects.select_for_update().filter(name=name).first()
    if source is None:
        raise NotFound(f"No data source {name!r}")
    if auto_adjust:  # bounds not given: within 0.2 of today's trust; given in either order: the range between
        trust_min = round(max(0.0, source.trust - DEFAULT_SPAN), 4) if trust_min is None else trust_min
        trust_max = round(min(1.0, source.trust + DEFAULT_SPAN), 4) if trust_max is None else trust_max
    if trust_min is not None and trust_max is not None:
        trust_min, trust_max = min(trust_min, trust_max), max(trust_min, trust_max)
    source.auto_adjust, source.trust_min, source.trust_max = auto_adjust, trust_min, trust_max
    source.save(update_fields=["auto_adjust", "trust_min", "trust_max"])
    return source


def _person_holds(source: DataSource, acc: Accuracy) -> bool:
    """A person's last word on this trust (set by hand, a revert, a bulk change) stands until the
    source has more corrected or locked values than when it was said: else the next automatic
    run would undo a revert from the same evidence."""
    last = source.trust_changes.order_by("-created_at", "-id").first()
    return (last is not None and last.reason != TrustChangeReason.AUTO and last.evidence is not None
            and acc.feedback <= last.evidence)


@transaction.atomic
def auto_adjust(*, user=None) -> list[TrustChange]:
    """Move the trust of every source that allows it to its measured accuracy, kept within
    its bounds; sources with fewer than MIN_FEEDBACK corrected or locked values wait, and so do
    those whose trust a person set since, until there is new evidence (_person_holds)."""
    measured = accuracies()
    changes = []
    for source in DataSource.objects.select_for_update().filter(auto_adjust=True, retired_at=None):
        acc = measured.get(source.name)
        if acc is None or acc.feedback < MIN_FEEDBACK or source.trust_min is None or source.trust_max is None:
            continue
        if _person_holds(source, acc):
            continue
        target = round(min(source.trust_max, max(source.trust_min, acc.value)), 2)
        change = change_trust(source, target, reason=TrustChangeReason.AUTO, user=user, evidence=acc.feedback,
                              note=f"accuracy {acc.value:.0%} over {acc.feedback} values")
        if change:
            changes.append(change)
    return changes


def scheduled_adjust() -> dict:
    """The periodic job's work: auto_adjust, and what it did and who waits, for the job's result."""
    changes = auto_adjust()
    measured = accuracies()
    waiting = [f"{s.name}: {measured[s.name].feedback} of {MIN_FEEDBACK} values"
               for s in DataSource.objects.filter(auto_adjust=True, retired_at=None)
               if s.name in measured and measured[s.name].feedback < MIN_FEEDBACK]
    return {"changed": len(changes), "waiting": waiting,
            "changes": [f"{c.source.name}: {c.old_trust:.2f} -> {c.new_trust:.2f}" for c in changes]}


@transaction.atomic
def bulk_change(*, percent: float, names: list[str] | None = None, provider_kind: str = "",
                user=None) -> TrustBatch:
    """Change the trust of several sources by `percent` (of their trust) at once: the sources
    named, or every source of a provider kind ('googlebooks': Google Books and its copies)."""
    if provider_kind and provider_kind not in PROVIDERS:
        raise InvalidInput(f"Unknown provider kind {provider_kind!r}")
    wanted = set(names or ())
    if provider_kind:
        wanted |= {r.name for r in SearchProvider.objects.all() if r.adapter == provider_kind}
    sources = list(DataSource.objects.select_for_update().filter(name__in=wanted).exclude(name=MANUAL_SOURCE))
    missing = set(names or ()) - {s.name for s in sources}
    if missing or not sources:
        raise NotFound(f"No data source {', '.join(sorted(missing))}" if missing else "No data source matches: "
                       "name the sources, or a provider kind")
    what = provider_kind or ", ".join(sorted(wanted))
    batch = TrustBatch.objects.create(description=f"{what} {percent:+g} %", user=user)
    for source in sources:
        change_trust(source, source.trust * (1 + percent / 100), reason=TrustChangeReason.BULK, user=user,
                     batch=batch, note=batch.description)
    return batch


def _undo(change: TrustChange, *, user=None, note: str) -> None:
    source = DataSource.objects.select_for_update().get(pk=change.source_id)
    if abs(source.trust - change.new_trust) > 1e-9:
        raise Conflict(f"The trust of {source.label} changed again since; revert the later change first")
    change_trust(source, change.old_trust, reason=TrustChangeReason.REVERT, user=user, note=note)
    change.reverted_at = timezone.now()
    change.save(update_fields=["reverted_at"])


@transaction.atomic
def revert_trust_change(change_id: int, *, user=None) -> TrustChange:
    change = TrustChange.objects.select_for_update().filter(pk=change_id).first()
    if change is None:
        raise NotFound(f"No trust change #{change_id}")
    if change.reverted_at is not None:
        raise Conflict(f"Trust change #{change_id} was already reverted")
    _undo(change, user=user, note=f"revert of change #{change.pk}")
    return change


@transaction.atomic
def rollback_batch(batch_id: int, *, user=None) -> TrustBatch:
    """Undo every change of a bulk change (all or none)."""
    batch = TrustBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(f"No bulk trust change #{batch_id}")
    if batch.rolled_back_at is not None:
        raise Conflict(f"Bulk trust change #{batch_id} was already rolled back")
    for change in batch.changes.filter(reverted_at=None).order_by("-id"):
        _undo(change, user=user, note=f"rollback of {batch.description}")
    batch.rolled_back_at = timezone.now()
    batch.save(update_fields=["rolled_back_at"])
    return batch
