"""Reading lists in: upload (parse and preview), run (each row to a work, in a background
job), the report, and the rows left for review.

Each row chosen (its shelf is one of the wanted shelves) is identified by the same rules as
the library: the ISBN first (a book of the library or the wanted list with that ISBN is a
match), then the same title and author in the library, then the metadata providers with the
matcher of search.matching. Only a strong match is added as wanted; a medium, low or missing
match is left for review with its candidates, never guessed. When no provider can be asked,
a row with a valid ISBN is added from the list's own title and ISBN (the indexers are asked
by ISBN; identification improves it later), and a row without one waits for review.

A list entry per (source, row key, kind) remembers what each book became, so importing the
same list again adds nothing twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, InvalidInput, NotFound
from core.jobs import submit_job
from core.text import comparison_key, fold
from media.models import MediaItem, MediaKind, MediaStatus
from readinglists import formats
from readinglists.formats import ListRow, ParsedList
from readinglists.models import ImportRow, ImportState, ListEntry, ListImport, RowOutcome
from search.matching.distance import ItemFacts
from search.matching.recommend import Recommendation, Thresholds, decide
from search.models import MetadataSettings
from search.providers.base import BookRecord, Capability, SearchQuery
from search.services.lookup import record_from_dict, record_to_dict
from search.services.providers import call_providers, rows_for
from search.services.wanted import WantedRequest, add_wanted, add_wanted_by_hand, find_existing

logger = logging.getLogger(__name__)
JOB_KIND = "readinglists.import"
PREVIEW_ROWS = 25
TOP_CANDIDATES = 5
_OWNED = {MediaStatus.IN_LIBRARY, MediaStatus.POST_PROCESSED_SUCCESS, MediaStatus.DOWNLOADED}
_RERUNNABLE = (ImportState.READY, ImportState.DONE, ImportState.FAILED)


# --- Upload and preview ---------------------------------------------------------------------
def create_import(data: bytes, *, filename: str = "", user=None) -> ListImport:
    """Parse an upload (InvalidInput says what is wrong with it) and keep it for the preview."""
    parsed = formats.parse(data)
    text, _ = formats.decode(data)
    return ListImport.objects.create(
        created_by=user if getattr(user, "pk", None) else None,
        filename=PurePath(filename.replace("\\", "/")).name[:255] if filename else "",
        source_format=parsed.format, content=text, row_count=len(parsed.rows),
        shelves=parsed.shelf_counts(), warnings=parsed.warnings,
        wanted_shelves=list(default_shelves(parsed)),
    )


def get_import(import_id: int) -> ListImport:
    found = ListImport.objects.filter(pk=import_id).first()
    if found is None:
        raise NotFound(f"Reading-list import {import_id} does not exist")
    return found


def _parsed(list_import: ListImport) -> ParsedList:
    return formats.parse(list_import.content.encode("utf-8"))


def default_shelves(parsed: ParsedList) -> tuple[str, ...]:
    """The format's to-read shelf when the list has it; a list without shelves: everything."""
    shelves = parsed.shelf_counts()
    chosen = tuple(s for s in formats.DEFAULT_SHELVES[parsed.format] if s in shelves)
    return chosen or (tuple(shelves) if parsed.format == formats.Format.PLAIN else ())


def is_chosen(row: ListRow, wanted_shelves: list[str] | tuple[str, ...]) -> bool:
    return bool(set(row.shelves or (formats.NO_SHELF,)) & set(wanted_shelves))


def preview(list_import: ListImport) -> dict[str, Any]:
    """The detected format, the shelves with their rows, and the first rows as they would go."""
    parsed = _parsed(list_import)
    wanted = list_import.wanted_shelves
    return {
        "format": parsed.format,
        "format_label": formats.FORMAT_LABELS[parsed.format],
        "rows": len(parsed.rows),
        "shelves": [{"name": name, "rows": count, "wanted": name in wanted}
                    for name, count in parsed.shelf_counts().items()],
        "sample": [{"number": r.number, "title": r.title, "authors": list(r.authors), "isbn13": r.isbn13,
                    "shelves": list(r.shelves),
                    "action": "skip" if r.problem else ("want" if is_chosen(r, wanted) else "not chosen"),
                    "problem": r.problem or r.note}
                   for r in parsed.rows[:PREVIEW_ROWS]],
        "warnings": list_import.warnings,
    }


# --- Run ------------------------------------------------------------------------------------
def start_import(import_id: int, *, wanted_shelves: list[str] | None = None, kind: str | None = None,
                 user=None) -> ListImport:
    """Choose the shelves and kind, then run the import as a background job."""
    list_import = get_import(import_id)
    fields: dict[str, Any] = {}
    if wanted_shelves is not None:
        unknown = [s for s in wanted_shelves if s not in list_import.shelves]
        if unknown:
            raise Conflict(f"The list has no shelf {unknown[0]!r}",
                               hint=f"Its shelves: {', '.join(repr(s) for s in list_import.shelves)}")
        fields["wanted_shelves"] = list(dict.fromkeys(wanted_shelves))
    if kind is not None:
        if kind not in MediaKind.values:
            raise InvalidInput(f"Unknown media kind {kind!r}")
        fields["kind"] = kind
    with transaction.atomic():
        claimed = ListImport.objects.filter(pk=import_id, state__in=_RERUNNABLE).update(
            state=ImportState.QUEUED, counts={}, error="", finished_at=None, **fields)
        if claimed != 1:
            raise Conflict(f"Reading-list import {import_id} is already {list_import.get_state_display().lower()}")
        job = submit_job(JOB_KIND, target=f"readinglist:{import_id}", params={"import_id": import_id}, user=user)
        ListImport.objects.filter(pk=import_id).update(job_id=job.pk)
    return get_import(import_id)


def run_import(import_id: int, *, progress: Callable[[int, int, str], None] | None = None) -> dict[str, int]:
    """The job: every row to an outcome, a report line each, the counts at the end."""
    runnable = (ImportState.QUEUED, ImportState.RUNNING, ImportState.FAILED)  # FAILED: the job's retry
    claimed = ListImport.objects.filter(pk=import_id, state__in=runnable).update(
        state=ImportState.RUNNING, started_at=timezone.now())
    if claimed != 1:
        return {}
    list_import = get_import(import_id)
    try:
        counts = _run_rows(list_import, _parsed(list_import), progress)
    except Exception as exc:
        ListImport.objects.filter(pk=import_id).update(state=ImportState.FAILED, error=str(exc)[:4000],
                                                       finished_at=timezone.now())
        raise
    ListImport.objects.filter(pk=import_id).update(state=ImportState.DONE, counts=counts, finished_at=timezone.now())
    return counts


def _run_rows(list_import: ListImport, parsed: ParsedList, progress) -> dict[str, int]:
    ImportRow.objects.filter(list_import=list_import).delete()
    counts = {o: 0 for o in RowOutcome.values}
    seen: dict[str, int] = {}
    thresholds = _thresholds()
    total = len(parsed.rows)
    for done, row in enumerate(parsed.rows, start=1):
        outcome, reason, entry, item = _process(list_import, row, seen, thresholds)
        seen.setdefault(row.key, row.number)
        counts[outcome] += 1
        ImportRow.objects.create(
            list_import=list_import, number=row.number, title=row.title[:500],
            authors=", ".join(row.authors)[:500], isbn13=row.isbn13, shelves=", ".join(row.shelves)[:500],
            outcome=outcome, reason=reason[:500], entry=entry, item=item)
        ListImport.objects.filter(pk=list_import.pk).update(counts={**counts, "done": done, "total": total})
        if progress:
            progress(done, total, f"Row {done} of {total}: {row.title[:80]}")
    return {**counts, "done": total, "total": total}


def _thresholds() -> Thresholds:
    options = MetadataSettings.load()
    return Thresholds(options.strong_distance, options.medium_distance, options.min_gap)


Result = tuple[str, str, ListEntry | None, MediaItem | None]


def _process(list_import: ListImport, row: ListRow, seen: dict[str, int], thresholds: Thresholds) -> Result:
    if row.problem:
        return RowOutcome.SKIPPED, row.problem, None, None
    if row.key in seen:
        return RowOutcome.SKIPPED, f"the same book as row {seen[row.key]}", None, None
    if not is_chosen(row, list_import.wanted_shelves):
        shelves = ", ".join(row.shelves) or "no shelf"
        return RowOutcome.SKIPPED, f"shelf not chosen ({shelves})", None, None
    entry = ListEntry.objects.filter(source_format=list_import.source_format, key=row.key,
                                     kind=list_import.kind).select_related("item").first()
    if entry is not None and entry.dismissed:
        return RowOutcome.SKIPPED, "dismissed at review in an earlier import", entry, None
    if entry is not None and entry.outcome in (RowOutcome.ADDED, RowOutcome.MATCHED) and entry.item is not None:
        return (RowOutcome.SKIPPED, f"already imported: {entry.item.title!r} (#{entry.item_id}, "
                f"{entry.item.get_status_display().lower()})", entry, entry.item)
    outcome, reason, item, candidates = identify_row(row, list_import.kind, thresholds)
    if row.note:
        reason = f"{reason}; {row.note}"
    entry = _save_entry(list_import, row, entry, outcome=outcome, reason=reason, item=item, candidates=candidates)
    return outcome, reason, entry, item


def _save_entry(list_import: ListImport, row: ListRow, entry: ListEntry | None, **values: Any) -> ListEntry:
    values = {**values, "title": row.title[:500], "authors": list(row.authors), "isbn13": row.isbn13,
              "last_import": list_import, "updated_at": timezone.now()}
    if entry is None:
        entry, _ = ListEntry.objects.update_or_create(source_format=list_import.source_format, key=row.key,
                                                      kind=list_import.kind, defaults=values)
        return entry
    for name, value in values.items():
        setattr(entry, name, value)
    entry.save()
    return entry


# --- Identification of one row --------------------------------------------------------------
Identified = tuple[str, str, MediaItem | None, list[dict]]


def identify_row(row: ListRow, kind: str, thresholds: Thresholds | None = None) -> Identified:
    existing = _existing(row, kind)
    if existing is not None:
        return existing
    records, transient = _gather(row, kind)
    if not records:
        return _without_provider(row, kind, transient)
    decision = decide(_facts(row, kind), records, thresholds or _thresholds())
    candidates = [_candidate(m) for m in decision.matches[:TOP_CANDIDATES]]
    if decision.recommendation is not Recommendation.STRONG:
        return RowOutcome.REVIEW, f"not a safe match ({decision.recommendation}): {decision.reason}", None, candidates
    return (*_add_record(decision.best.record, row, kind, why=decision.reason), candidates)


def _existing(row: ListRow, kind: str) -> Identified | None:
    item, _ = find_existing(kind=kind, isbn=row.isbn13) if row.isbn13 else (None, "")
    how = "same ISBN"
    if item is None:
        item, how = _same_title_and_author(row, kind), "same title and author"
    if item is None:
        return None
    return RowOutcome.MATCHED, f"{_held(item)} ({how})", item, []


def _held(item: MediaItem) -> str:
    state = "owned" if item.status in _OWNED else item.get_status_display().lower()
    return f"matched {item.title!r} (#{item.pk}, {state})"


def _same_title_and_author(row: ListRow, kind: str) -> MediaItem | None:
    if not row.authors:
        return None
    key, wanted = comparison_key(row.title), {fold(a) for a in row.authors}
    for item in MediaItem.objects.filter(kind=kind, title__iexact=row.title).prefetch_related(
            "contributions__author").order_by("pk")[:20]:
        names = {fold(c.author.name) for c in item.contributions.all()}
        if comparison_key(item.title) == key and names & wanted:
            return item
    return None


def _facts(row: ListRow, kind: str) -> ItemFacts:
    return ItemFacts(kind=kind, title=row.title, authors=row.authors, isbn13=row.isbn13, asin=row.asin,
                     year=row.year)


def _gather(row: ListRow, kind: str) -> tuple[list[BookRecord], bool]:
    """Provider records: by ISBN where there is one, else by title and author. `transient`
    when no provider could be asked (none enabled, down, rate-limited)."""
    provider_rows = rows_for(kind, Capability.SEARCH)
    query = SearchQuery(title=row.title, author=row.author, kind=kind, limit=5)

    def run(provider) -> list[BookRecord]:
        if row.isbn13 and Capability.LOOKUP in provider.info.capabilities:
            found = provider.lookup("isbn13", row.isbn13)
            if found is not None:
                return [found]
        return provider.search(query)

    outcomes = call_providers(provider_rows, run)
    records = [r for o in outcomes if o.ok for r in o.result or []]
    return records, not any(o.ok for o in outcomes)


def _without_provider(row: ListRow, kind: str, transient: bool) -> Identified:
    if not transient:
        return RowOutcome.REVIEW, "no metadata provider knows this book", None, []
    if not row.isbn13:
        return RowOutcome.REVIEW, "no metadata provider could be asked and the row has no ISBN", None, []
    try:
        item = add_wanted_by_hand(WantedRequest(provider="", external_id="", kind=kind, title=row.title,
                                                authors=row.authors, isbn13=row.isbn13, year=row.year))
    except Conflict as exc:
        return _conflict(exc)
    return (RowOutcome.ADDED, "added from the list's title and ISBN (no metadata provider could be asked; "
            "identification can improve it later)", item, [])


def _add_record(record: BookRecord, row: ListRow, kind: str, *, why: str) -> tuple[str, str, MediaItem | None]:
    item, _ = find_existing(kind=kind, provider=record.provider, external_id=record.external_id,
                            isbn=record.isbn13)
    if item is not None:
        return RowOutcome.MATCHED, f"{_held(item)} (the provider's record)", item
    try:
        item = add_wanted(WantedRequest(provider=record.provider, external_id=record.external_id, kind=kind,
                                        title=row.title, authors=row.authors, isbn13=row.isbn13, asin=row.asin,
                                        year=row.year))
    except Conflict as exc:
        return _conflict(exc)[:3]
    return RowOutcome.ADDED, f"added as wanted: {record.provider} {record.external_id} ({why})", item


def _conflict(exc: Conflict) -> Identified:
    item = MediaItem.objects.filter(pk=(exc.details or {}).get("item_id")).first()
    if item is None:
        return RowOutcome.REVIEW, exc.message[:500], None, []
    return RowOutcome.MATCHED, _held(item), item, []


def _candidate(match) -> dict:
    record = match.record
    return {"provider": record.provider, "external_id": record.external_id, "title": record.title,
            "authors": [a.name for a in record.authors], "year": record.year, "isbn13": record.isbn13,
            "distance": round(match.distance.total, 4), "why": match.distance.explain()[:6],
            "record": record_to_dict(record)}


# --- Review ---------------------------------------------------------------------------------
def review_entries():
    return ListEntry.objects.filter(outcome=RowOutcome.REVIEW, dismissed=False).order_by("-updated_at", "-id")


def resolve_entry(entry_id: int, *, action: str, candidate: int | None = None, user=None) -> ListEntry:
    """A row left for review: `accept` one of its candidates, `add` it as typed in the list
    (title, authors, ISBN), or `dismiss` it (later imports skip it)."""
    entry = ListEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(f"List entry {entry_id} does not exist")
    if entry.outcome != RowOutcome.REVIEW or entry.dismissed:
        raise Conflict(f"List entry {entry_id} is not waiting for review (it is {entry.outcome})")
    if action == "dismiss":
        entry.dismissed, entry.outcome, entry.reason = True, RowOutcome.SKIPPED, "dismissed at review"
    elif action == "accept":
        if candidate is None or not 0 <= candidate < len(entry.candidates):
            raise Conflict(f"List entry {entry_id} has no candidate {candidate}",
                           hint=f"It has {len(entry.candidates)} candidate(s), numbered from 0.")
        record = record_from_dict(entry.candidates[candidate]["record"])
        row = ListRow(0, entry.key, entry.title, tuple(entry.authors), entry.isbn13)
        entry.outcome, entry.reason, entry.item = _add_record(record, row, entry.kind, why="chosen at review")
    elif action == "add":
        request = WantedRequest(provider="", external_id="", kind=entry.kind, title=entry.title,
                                authors=tuple(entry.authors), isbn13=entry.isbn13)
        try:
            entry.item = add_wanted_by_hand(request, user=user)
            entry.outcome, entry.reason = RowOutcome.ADDED, "added at review as written in the list"
        except Conflict as exc:
            entry.outcome, entry.reason, entry.item, _ = _conflict(exc)
    else:
        raise InvalidInput(f"Unknown review action {action!r}", hint="accept, add or dismiss")
    entry.updated_at = timezone.now()
    entry.save()
    return entry


def public_import(list_import: ListImport) -> dict[str, Any]:
    counts = list_import.counts or {}
    return {"id": list_import.pk, "filename": list_import.filename, "format": list_import.source_format,
            "format_label": formats.FORMAT_LABELS.get(list_import.source_format, list_import.source_format),
            "state": list_import.state, "kind": list_import.kind, "rows": list_import.row_count,
            "shelves": list_import.shelves, "wanted_shelves": list_import.wanted_shelves,
            "warnings": list_import.warnings, "job_id": list_import.job_id,
            "counts": {k: int(counts.get(k, 0)) for k in (*RowOutcome.values, "done", "total")},
            "error": list_import.error, "created_at": list_import.created_at,
            "finished_at": list_import.finished_at}


def public_entry(entry: ListEntry) -> dict[str, Any]:
    return {"id": entry.pk, "source": entry.source_format, "kind": entry.kind, "title": entry.title,
            "authors": entry.authors, "isbn13": entry.isbn13, "outcome": entry.outcome, "reason": entry.reason,
            "item_id": entry.item_id,
            "candidates": [{k: v for k, v in c.items() if k != "record"} for c in entry.candidates],
            "updated_at": entry.updated_at}
