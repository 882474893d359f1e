"""Search that learns: per indexer, which query form (ISBN, title + author, author + title,
title) led to grabs that imported, and the order the search asks the forms in.

A grab is recorded when a stored search result is sent to the download client
(`record_grab`, by downloaders); it is settled when the download attempt is imported or
fails (`record_outcome`, by downloaders' state machine). A cancelled grab, or one the client
refused before it ever downloaded, says nothing about the query and is not counted.

The order
---------
Each form's score is its import rate smoothed towards a prior (additive smoothing, the
Bayesian average Laplace's rule of succession is the uniform case of)::

    score(form) = (imports + WEIGHT * prior(form)) / (finished + WEIGHT)

`finished` counts grabs that imported or failed (grabs still downloading are shown but do
not count yet). `prior(form)` steps down in today's default order (ISBN 0.65, title + author
0.60, author + title 0.55, title 0.50) and WEIGHT is 4 pseudo-grabs, so:

- a new indexer (no grabs) keeps the default order exactly;
- one unlucky grab moves a form a little, not to the bottom: a single failed ISBN grab
  scores 2.6/5 = 0.52, still above an untried title-only query (0.50) and below
  title + author (0.60);
- evidence wins after a few grabs: three failed ISBN grabs (2.6/7 = 0.37) fall below
  everything untried, three imported title-only grabs (5/7 = 0.71) rise to the top.

Ties keep the default order. A manual order (per indexer) replaces all this and lists the
only forms that are asked (an empty manual list asks every form in the default order)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from core.errors import InvalidInput
from indexers.models import GrabOutcome, IndexerConfig, QueryForm, QueryGrab, QueryOrderMode

DEFAULT_ORDER: tuple[str, ...] = tuple(QueryForm.values)
WEIGHT = 4.0
PRIORS: dict[str, float] = {form: 0.65 - 0.05 * i for i, form in enumerate(DEFAULT_ORDER)}


@dataclass(frozen=True)
class FormStat:
    form: str
    label: str
    grabs: int
    imports: int
    failures: int
    pending: int
    score: float  # the smoothed rate the automatic order sorts by

    @property
    def finished(self) -> int:
        return self.imports + self.failures

    @property
    def rate(self) -> float | None:
        """The observed import rate (None before any grab finished)."""
        return self.imports / self.finished if self.finished else None


def smoothed(imports: int, finished: int, form: str) -> float:
    return (imports + WEIGHT * PRIORS.get(form, 0.0)) / (finished + WEIGHT)


def parse_order(text: str) -> tuple[str, ...]:
    """'title, isbn' -> ('title', 'isbn'); a repeated form counts once, an unknown one is
    InvalidInput."""
    forms = [p.strip().lower() for p in text.split(",") if p.strip()]
    unknown = [f for f in forms if f not in DEFAULT_ORDER]
    if unknown:
        raise InvalidInput(
            f"Unknown query form(s): {', '.join(unknown)}", hint=f"Use {', '.join(DEFAULT_ORDER)}"
        )
    return tuple(dict.fromkeys(forms))


def form_stats(config_ids: list[int]) -> dict[int, list[FormStat]]:
    """Grabs, imports, failures and the smoothed score of each form, per indexer."""
    rows = (
        QueryGrab.objects.filter(indexer_config_id__in=config_ids)
        .exclude(outcome=GrabOutcome.VOID)
        .values("indexer_config_id", "query_form")
        .annotate(
            grabs=Count("id"),
            imports=Count("id", filter=Q(outcome=GrabOutcome.IMPORTED)),
            failures=Count("id", filter=Q(outcome=GrabOutcome.FAILED)),
        )
    )
    counts = {(r["indexer_config_id"], r["query_form"]): r for r in rows}
    labels = dict(QueryForm.choices)
    stats: dict[int, list[FormStat]] = {}
    for config_id in config_ids:
        stats[config_id] = []
        for form in DEFAULT_ORDER:
            row = counts.get((config_id, form), {"grabs": 0, "imports": 0, "failures": 0})
            finished = row["imports"] + row["failures"]
            stats[config_id].append(
                FormStat(
                    form=form,
                    label=labels[form],
                    grabs=row["grabs"],
                    imports=row["imports"],
                    failures=row["failures"],
                    pending=row["grabs"] - finished,
                    score=smoothed(row["imports"], finished, form),
                )
            )
    return stats


def learned_order(stats: list[FormStat]) -> tuple[str, ...]:
    position = {form: i for i, form in enumerate(DEFAULT_ORDER)}
    return tuple(s.form for s in sorted(stats, key=lambda s: (-s.score, position[s.form])))


def query_orders(configs: list[IndexerConfig]) -> dict[int, tuple[str, ...]]:
    """The order each indexer's query forms are asked in: its manual list, or learned."""
    stats = form_stats([c.pk for c in configs if c.query_order_mode != QueryOrderMode.MANUAL])
    orders = {}
    for config in configs:
        if config.query_order_mode == QueryOrderMode.MANUAL:
            orders[config.pk] = parse_order(config.query_order) or DEFAULT_ORDER
        else:
            orders[config.pk] = learned_order(stats[config.pk])
    return orders


def ordered_plan(plan: list, order: tuple[str, ...]) -> list:
    """The plan's requests (SearchRequest, by .label) in `order`; forms not in it are dropped."""
    by_label = {r.label: r for r in plan}
    return [by_label[form] for form in order if form in by_label]


def summary(config: IndexerConfig) -> dict:
    """What the indexer's settings page and API show: mode, order, and each form's figures."""
    stats = form_stats([config.pk])[config.pk]
    order = query_orders([config])[config.pk]
    rank = {form: i for i, form in enumerate(order)}
    return {
        "mode": config.query_order_mode,
        "order": list(order),
        "forms": [
            {
                "form": s.form,
                "label": s.label,
                "grabs": s.grabs,
                "imports": s.imports,
                "failures": s.failures,
                "pending": s.pending,
                "rate": s.rate,
                "score": round(s.score, 4),
                "position": rank[s.form] + 1 if s.form in rank else None,
            }
            for s in sorted(stats, key=lambda s: rank.get(s.form, len(rank)))
        ],
    }


# --- Recording (called by downloaders) ------------------------------------------------------
def record_grab(attempt_id: int, *, indexer_config_id: int | None, query_form: str) -> QueryGrab | None:
    """A stored search result was grabbed: remember which indexer and query form found it."""
    if indexer_config_id is None or query_form not in DEFAULT_ORDER:
        return None
    if not IndexerConfig.objects.filter(pk=indexer_config_id).exists():
        return None
    grab, _ = QueryGrab.objects.get_or_create(
        attempt_id=attempt_id, defaults={"indexer_config_id": indexer_config_id, "query_form": query_form}
    )
    return grab


def record_outcome(attempt_id: int, outcome: str) -> bool:
    """Settle a pending grab (imported, failed, or void: not counted). Only once."""
    if outcome not in (GrabOutcome.IMPORTED, GrabOutcome.FAILED, GrabOutcome.VOID):
        raise ValueError(f"not a final grab outcome: {outcome!r}")
    return bool(
        QueryGrab.objects.filter(attempt_id=attempt_id, outcome=GrabOutcome.PENDING).update(
            outcome=outcome, finished_at=timezone.now()
        )
    )


def void_grab(attempt_id: int) -> bool:
    """A cancelled grab says nothing about its query: take it out of the figures."""
    return bool(
        QueryGrab.objects.filter(attempt_id=attempt_id)
        .exclude(outcome=GrabOutcome.IMPORTED)
        .update(outcome=GrabOutcome.VOID, finished_at=timezone.now())
    )
