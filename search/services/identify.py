"""Identification: ISBN first, then title/author search; an explainable distance decides.
Strong matches are applied; medium, low and unmatched items go to the review queue."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from core import events
from core.errors import InvalidInput, NotFound, ServiceUnavailable
from core.events import EventType, Level
from media.models import ContributorRole, MediaItem
from search.matching.distance import ItemFacts
from search.matching.recommend import Decision, Recommendation, Thresholds, decide
from search.models import EnrichmentRun, EnrichmentState, MetadataSettings, ReviewItem, ReviewStatus
from search.providers.base import BookRecord, Capability, SearchQuery
from search.services.candidates import record_candidates
from search.services.library_values import record_library_values
from search.services.lookup import lookup_record, record_from_dict, record_to_dict
from search.services.providers import call_providers, rows_for
from search.services.runs import finish_run, identifier_pairs, record_applied, start_run

logger = logging.getLogger(__name__)
TOP_CANDIDATES = 5


@dataclass(frozen=True)
class IdentifyOutcome:
    item_id: int
    recommendation: str
    reason: str
    applied: str = ""  # "provider:external_id" when applied
    review_id: int | None = None
    provider_errors: tuple[str, ...] = ()


def facts_for(item: MediaItem) -> ItemFacts:
    people = list(item.contributions.select_related("author"))
    asin = item.identifiers.filter(scheme="asin").values_list("value", flat=True).first() or ""
    return ItemFacts(
        kind=item.kind, title=item.title,
        authors=tuple(c.author.name for c in people if c.role in (ContributorRole.AUTHOR, ContributorRole.WRITER)),
        series=item.series.title if item.series_id else "",
        series_index=float(item.series_index) if item.series_index is not None else None,
        year=item.year, language=item.language, isbn13=item.isbn13, asin=asin,
        narrators=tuple(c.author.name for c in people if c.role == ContributorRole.NARRATOR),
        duration_seconds=item.duration_seconds, issue_number=item.issue_number,
        volume_year=int(item.volume) if item.volume.isdigit() and len(item.volume) == 4 else None,
    )


def _gather(facts: ItemFacts) -> tuple[list[BookRecord], list[str], bool]:
    """Candidates from every provider: by ISBN where there is one, else by title/author."""
    rows = rows_for(facts.kind, Capability.SEARCH)
    query = SearchQuery(title=facts.title, author=facts.authors[0] if facts.authors else "", kind=facts.kind,
                        limit=5)

    def run(provider) -> list[BookRecord]:
        if facts.isbn13 and Capability.LOOKUP in provider.info.capabilities:
            found = provider.lookup("isbn13", facts.isbn13)
            if found is not None:
                return [found]
        return provider.search(query) if not query.is_empty else []

    outcomes = call_providers(rows, run)
    records = [r for o in outcomes if o.ok for r in o.result or []]
    errors = [o.status or o.error for o in outcomes if not o.ok]
    transient = any(not o.ok and not o.skipped for o in outcomes) or any(o.skipped and "retry in" in o.status
                                                                          for o in outcomes)
    return records, errors, transient


def identify_item(item_id: int, *, user=None, run: EnrichmentRun | None = None) -> IdentifyOutcome:
    """Identify one item now. A strong match is applied as part of `run` (a run of its own when
    none is given), so it can be undone with the run; anything else goes to the review queue."""
    item = MediaItem.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFound(f"Item #{item_id} does not exist")
    record_library_values(item)
    facts = facts_for(item)
    records, errors, transient = _gather(facts)
    if not records and transient:
        _mark(item, "provider_error", "; ".join(errors))
        raise ServiceUnavailable(f"No provider could answer for item #{item.pk}: {'; '.join(errors)}")
    options = MetadataSettings.load()
    decision = decide(facts, records, Thresholds(options.strong_distance, options.medium_distance, options.min_gap))
    if decision.recommendation is Recommendation.STRONG:
        own_run = run is None
        run = run or start_run()
        apply_match(item, decision.best.record, decision.best.distance.confidence, user=user, run=run)
        if own_run:
            finish_run(run, {"applied": 1, "review": 0, "failed": 0, "total": 1})
        _mark(item, "applied")
        return IdentifyOutcome(item.pk, decision.recommendation, decision.reason,
                               applied=f"{decision.best.record.provider}:{decision.best.record.external_id}",
                               provider_errors=tuple(errors))
    review = _queue_review(item, decision)
    _mark(item, f"review_{decision.recommendation}")
    return IdentifyOutcome(item.pk, decision.recommendation, decision.reason, review_id=review.pk,
                           provider_errors=tuple(errors))


def _mark(item: MediaItem, outcome: str, error: str = "") -> None:
    EnrichmentState.objects.update_or_create(item=item, defaults={"last_run_at": timezone.now(), "outcome": outcome,
                                                                  "last_error": error[:2000]})


@transaction.atomic
def apply_match(item: MediaItem, record: BookRecord, confidence: float, *, user=None,
                run: EnrichmentRun | None = None) -> None:
    """Store the record's values as candidates and merge them; an automatic application
    (`run` given) is recorded in the run so it can be undone."""
    values = record.as_values()
    values.setdefault("identifiers", {})[record.provider] = record.external_id
    before = identifier_pairs(item) if run is not None else set()
    record_candidates(item, record.source or record.provider, values, max(0.05, min(1.0, confidence)),
                      external_id=record.external_id, user=user, run=run)
    if run is not None:
        record_applied(run, item, record, before)
    ReviewItem.objects.filter(item=item, status=ReviewStatus.PENDING).update(
        status=ReviewStatus.ACCEPTED, resolved_at=timezone.now(), resolved_by=user)


def _candidate_json(match) -> dict:
    d = match.distance
    return {"provider": match.record.provider, "external_id": match.record.external_id,
            "title": match.record.title, "authors": list(match.record.author_names), "year": match.record.year,
            "isbn13": match.record.isbn13, "cover_url": match.record.cover_url, "distance": d.total,
            "confidence": d.confidence, "penalties": d.penalties, "explain": d.explain(),
            "record": record_to_dict(match.record)}


@transaction.atomic
def _queue_review(item: MediaItem, decision: Decision) -> ReviewItem:
    candidates = [_candidate_json(m) for m in decision.matches[:TOP_CANDIDATES]]
    best = decision.best.distance.total if decision.best else None
    review = ReviewItem.objects.select_for_update().filter(item=item, status=ReviewStatus.PENDING).first()
    is_new = review is None
    if review is None:
        review = ReviewItem(item=item)
    review.recommendation, review.reason = str(decision.recommendation), decision.reason[:500]
    review.best_distance, review.candidates = best, candidates
    review.save()
    if is_new:
        events.emit(EventType.METADATA_REVIEW, title=f"Metadata needs review: {item.title}", message=review.reason,
                    level=Level.WARNING, url="/review/",
                    data={"item_id": item.pk, "review_id": review.pk, "candidates": len(candidates)})
    return review


def _pending(review_id: int) -> ReviewItem:
    review = ReviewItem.objects.select_related("item").filter(pk=review_id).first()
    if review is None:
        raise NotFound(f"Review #{review_id} does not exist")
    if review.status != ReviewStatus.PENDING:
        raise InvalidInput(f"Review #{review_id} is already {review.status}")
    return review


def accept_review(review_id: int, *, index: int | None = None, provider: str = "", external_id: str = "",
                  user=None) -> ReviewItem:
    """One-click accept of a listed candidate, or of any record found by a manual search."""
    review = _pending(review_id)
    if index is not None:
        if not 0 <= index < len(review.candidates):
            raise InvalidInput(f"Candidate {index} does not exist; there are {len(review.candidates)}")
        record = record_from_dict(review.candidates[index]["record"])
    elif provider and external_id:
        record, outcome = lookup_record(provider, external_id)
        if record is None:
            raise NotFound(f"{provider} has no record {external_id!r}" + (f" ({outcome.error})" if outcome.error
                                                                         else ""))
    else:
        raise InvalidInput("Choose a candidate (index) or give provider and external_id")
    apply_match(review.item, record, 0.95, user=user)  # a person chose it
    _mark(review.item, "accepted")
    review.refresh_from_db()
    return review


def keep_embedded(review_id: int, *, user=None) -> ReviewItem:
    review = _pending(review_id)
    review.status, review.resolved_at, review.resolved_by = ReviewStatus.KEPT, timezone.now(), user
    review.save(update_fields=["status", "resolved_at", "resolved_by"])
    _mark(review.item, "kept")
    return review
