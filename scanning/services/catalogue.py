"""Writes one batch of prepared files into the catalogue in a single transaction:
series, items, authors, contributions, identifiers, tags, match keys and library files, all
with bulk inserts (hundreds of rows per statement), never a commit per file. The search
rows of the items it creates are built from the values it wrote, not read back."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from core.bulk import insert_returning, insert_rows
from core.text import author_display_name, author_sort_name, comparison_key, fold, sort_title
from media import scanned_values, search_index, works
from media.models import (
    Author,
    Contribution,
    FileState,
    Identifier,
    ItemTag,
    LibraryFile,
    MediaItem,
    MediaStatus,
    Series,
)
from media.search_index import IndexSource
from scanning import provenance
from scanning.extractors import ExtractedMetadata
from scanning.models import ItemMatchKey, PendingCover
from scanning.services.gather import Prepared

_ROLES = {"author", "narrator", "editor", "translator", "illustrator", "writer", "penciller"}


@dataclass
class CatalogueCache:
    """Author and series rows seen during one scan (saves a query per batch for repeats)."""

    authors: dict[str, int] = field(default_factory=dict)  # normalized name -> id
    author_names: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (name, sort name)
    series: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, normalized) -> id
    series_titles: dict[int, str] = field(default_factory=dict)
    author_keys: dict[str, str] = field(default_factory=dict)

    def author_key(self, raw: str) -> str:
        """The normalized form an author is stored under (computed once per name and scan)."""
        key = self.author_keys.get(raw)
        if key is None:
            key = self.author_keys[raw] = fold(author_display_name(raw))
        return key

    def add_author(self, pk: int, normalized: str, name: str, sort_name: str) -> None:
        self.authors.setdefault(normalized, pk)
        self.author_names[pk] = (name, sort_name)

    def add_series(self, pk: int, kind: str, normalized: str, title: str) -> None:
        self.series.setdefault((kind, normalized), pk)
        self.series_titles[pk] = title


@dataclass
class BatchResult:
    added: int = 0
    updated: int = 0
    corrupt: int = 0
    covers: int = 0


def _item_values(meta: ExtractedMetadata, kind: str, series_id: int | None) -> dict:
    """The MediaItem fields this metadata gives (by column name), cut to the columns' sizes."""
    title = meta.title or "Untitled"
    if kind == "comic" and meta.series and meta.issue and not meta.title:
        title = f"{meta.series} #{meta.issue}"
    return {
        "kind": kind,
        "title": title[:500],
        "sort_title": sort_title(title)[:500],
        "subtitle": meta.subtitle[:500],
        "description": meta.description,
        "language": meta.language[:8],
        "publisher": meta.publisher[:255],
        "published": meta.published[:32],
        "year": meta.year if meta.year and 0 < meta.year < 32768 else None,
        "series_id": series_id,
        "series_index": Decimal(str(round(meta.series_index, 2))) if meta.series_index is not None else None,
        "isbn13": meta.isbn13,
        "page_count": meta.page_count,
        "duration_seconds": int(meta.duration_seconds) if meta.duration_seconds else None,
        "issue_number": meta.issue[:16],
        "volume": meta.volume[:16],
        "rating": meta.rating if meta.rating and 0 < meta.rating <= 10 else None,
        "cover_path": "",  # stored later by the cover job
    }


@dataclass
class NewItem:
    """An item this batch inserts: its id, its values, and what its search row needs."""

    values: dict
    pk: int = 0
    authors: list[tuple[str, str]] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    files: list[tuple[int, str]] = field(default_factory=list)

    def index_source(self, cache: CatalogueCache) -> IndexSource:
        v = self.values
        series_id = v["series_id"]
        return IndexSource(
            pk=self.pk,
            title=v["title"],
            subtitle=v["subtitle"],
            description=v["description"],
            publisher=v["publisher"],
            isbn13=v["isbn13"],
            year=v["year"],
            language=v["language"],
            cover_path=v["cover_path"],
            series_index=v["series_index"],
            series_title=cache.series_titles.get(series_id, "") if series_id else "",
            authors=self.authors,
            identifiers=self.identifiers,
            tags=self.tags,
            files=self.files,
        )


def _series_key(kind: str, meta: ExtractedMetadata) -> tuple[str, str]:
    return kind, comparison_key(meta.series)


def _series_ids(specs: list[tuple[str, ExtractedMetadata]], cache: CatalogueCache) -> None:
    wanted = {_series_key(kind, m): m.series for kind, m in specs if m.series}
    missing = {k: v for k, v in wanted.items() if k not in cache.series}
    if not missing:
        return
    for s in Series.objects.filter(normalized__in={n for _, n in missing}).order_by("pk"):
        if (s.kind, s.normalized) not in cache.series:
            cache.add_series(s.pk, s.kind, s.normalized, s.title)
    new = [
        Series(title=title[:255], normalized=norm[:255], kind=kind)
        for (kind, norm), title in missing.items()
        if (kind, norm) not in cache.series
    ]
    for s in Series.objects.bulk_create(new):
        cache.add_series(s.pk, s.kind, s.normalized, s.title)


def _author_ids(names: dict[str, str], cache: CatalogueCache) -> None:
    """`names`: raw name -> the sort name the metadata gives ('' to work it out). A known
    author keeps the sort name it has."""
    missing = {cache.author_key(n): (n, sort) for n, sort in names.items()}
    missing = {k: v for k, v in missing.items() if k and k not in cache.authors}
    if not missing:
        return
    for a in Author.objects.filter(normalized__in=list(missing)).order_by("pk"):
        if a.normalized not in cache.authors:
            cache.add_author(a.pk, a.normalized, a.name, a.sort_name)
    new = [
        Author(
            name=author_display_name(raw)[:255],
            sort_name=(sort.strip() or author_sort_name(raw))[:255],
            normalized=norm[:255],
        )
        for norm, (raw, sort) in missing.items()
        if norm not in cache.authors
    ]
    for a in Author.objects.bulk_create(new):
        cache.add_author(a.pk, a.normalized, a.name, a.sort_name)


def _resolve_items(files: list[Prepared]) -> tuple[dict[int, int | None], dict[int, int]]:
    """For every readable file: the existing item id it belongs to (or None), and for new
    ones the index of the first file of the batch that describes the same new item."""
    keys = {k for p in files for k in p.keys}
    known: dict[str, int] = {}
    for key, item_id in ItemMatchKey.objects.filter(key__in=keys).order_by("pk").values_list("key", "item_id"):
        known.setdefault(key, item_id)
    existing: dict[int, int | None] = {}
    leader: dict[int, int] = {}
    batch_keys: dict[str, int] = {}
    for i, prepared in enumerate(files):
        existing[i] = next((known[k] for k in prepared.keys if k in known), None)
        if existing[i] is not None:
            continue
        first = next((batch_keys[k] for k in prepared.keys if k in batch_keys), i)
        leader[i] = first
        for k in prepared.keys:
            batch_keys.setdefault(k, first)
    return existing, leader


def _new_items(readable: list[Prepared], leader: dict[int, int], cache: CatalogueCache) -> dict[int, NewItem]:
    """Insert one item per leading file; keyed by that file's index."""
    leaders = sorted(set(leader.values()))
    _series_ids([(readable[i].kind, readable[i].meta) for i in leaders], cache)  # type: ignore[misc]
    durations: dict[int, float] = defaultdict(float)
    for i, first in leader.items():
        durations[first] += readable[i].meta.duration_seconds or 0  # type: ignore[union-attr]
    items: dict[int, NewItem] = {}
    for i in leaders:
        meta, kind = readable[i].meta, readable[i].kind
        series_id = cache.series.get(_series_key(kind, meta)) if meta.series else None  # type: ignore[arg-type,union-attr]
        values = _item_values(meta, kind, series_id)  # type: ignore[arg-type]
        if kind == "audiobook" and durations[i]:
            values["duration_seconds"] = int(durations[i])
        items[i] = NewItem(values)
    if not items:
        return items
    now = timezone.now()  # one instant for the batch
    columns = (*next(iter(items.values())).values, "status", "added_at", "updated_at")
    rows = [(*item.values.values(), MediaStatus.IN_LIBRARY.value, now, now) for item in items.values()]
    ids = insert_returning(MediaItem, columns, rows, ("id",))
    for item, (pk,) in zip(items.values(), ids, strict=True):
        item.pk = pk
    return items


def _people(items: dict[int, NewItem], readable: list[Prepared], cache: CatalogueCache) -> None:
    people = {i: [p for p in readable[i].meta.people if p.role in _ROLES] for i in items}  # type: ignore
    names: dict[str, str] = {}
    for person in (p for ps in people.values() for p in ps):
        names[person.name] = names.get(person.name) or person.file_as
    _author_ids(names, cache)
    rows, seen = [], set()
    for i, persons in people.items():
        item = items[i]
        for position, person in enumerate(persons):
            author_id = cache.authors.get(cache.author_key(person.name))
            if author_id and (item.pk, author_id, person.role) not in seen:
                seen.add((item.pk, author_id, person.role))
                rows.append((item.pk, author_id, person.role, position))
                item.authors.append(cache.author_names[author_id])
    insert_rows(Contribution, ("item_id", "author_id", "role", "position"), rows, on_conflict="ignore")


def _tags(items: dict[int, NewItem], readable: list[Prepared]) -> None:
    """The subjects (calibre's tags) of the new items."""
    rows = []
    for i, item in items.items():
        seen: set[str] = set()
        for name in readable[i].meta.subjects:  # type: ignore[union-attr]
            normalized = fold(name)[:128]
            if normalized and normalized not in seen:
                seen.add(normalized)
                rows.append((item.pk, name[:128], normalized))
                item.tags.append(name[:128])
    insert_rows(ItemTag, ("item_id", "name", "normalized"), rows, on_conflict="ignore")


def _identifiers_and_keys(readable: list[Prepared], item_of: dict[int, int], new: dict[int, NewItem]) -> None:
    ids, keys = set(), set()
    for i, prepared in enumerate(readable):
        for scheme, value in prepared.meta.identifiers:  # type: ignore[union-attr]
            ids.add((item_of[i], scheme[:32], value[:128]))
        keys.update((k, item_of[i]) for k in prepared.keys)
    insert_rows(Identifier, ("item_id", "scheme", "value"), sorted(ids), on_conflict="ignore")
    insert_rows(ItemMatchKey, ("key", "item_id"), sorted(keys), on_conflict="ignore")
    works.link_items(item_id for item_id, scheme, value in ids if works.work_key(scheme, value))
    for item_id, _, value in ids:
        if item_id in new:
            new[item_id].identifiers.append(value)


def _add_durations(readable: list[Prepared], existing: dict[int, int | None]) -> None:
    extra: dict[int, float] = defaultdict(float)
    for i, item_id in existing.items():
        prepared = readable[i]
        if item_id is not None and prepared.kind == "audiobook" and prepared.existing_file_id is None:
            extra[item_id] += prepared.meta.duration_seconds or 0  # type: ignore[union-attr]
    for item_id, seconds in extra.items():
        if seconds:
            MediaItem.objects.filter(pk=item_id, duration_seconds__isnull=False).update(
                duration_seconds=F("duration_seconds") + int(seconds)
            )


_FILE_COLUMNS = ("item_id", "path", "size", "mtime_ns", "format", "partial_hash", "sha256", "state", "error")


def _file_values(prepared: Prepared, item_id: int | None) -> tuple:
    e = prepared.entry
    state = FileState.CORRUPT if prepared.meta is None else FileState.PRESENT
    return (
        item_id,
        e.path,
        e.size,
        e.mtime_ns,
        e.ext[:8],
        prepared.hashes.partial,
        prepared.hashes.full,
        state.value,
        prepared.error,
    )


def _file_row(prepared: Prepared, item_id: int | None) -> LibraryFile:
    return LibraryFile(
        pk=prepared.existing_file_id, **dict(zip(_FILE_COLUMNS, _file_values(prepared, item_id), strict=True))
    )


def _write_files(
    batch: list[Prepared], item_of: dict[int, int], readable: list[Prepared], new: dict[int, NewItem]
) -> None:
    index_of = {id(p): i for i, p in enumerate(readable)}
    old_items = dict(
        LibraryFile.objects.filter(pk__in=[p.existing_file_id for p in batch if p.existing_file_id]).values_list(
            "pk", "item_id"
        )
    )
    new_rows, changed_rows = [], []
    now = timezone.now()
    for prepared in batch:
        item_id = item_of.get(index_of[id(prepared)]) if id(prepared) in index_of else None
        if prepared.existing_file_id:
            item_id = old_items.get(prepared.existing_file_id) or item_id
            changed_rows.append(_file_row(prepared, item_id))
        else:
            new_rows.append((*_file_values(prepared, item_id), now, now))
        if item_id in new:  # every file of a new item is in this batch, none missing
            new[item_id].files.append((prepared.entry.size, prepared.entry.ext[:8]))
    insert_rows(LibraryFile, (*_FILE_COLUMNS, "added_at", "updated_at"), new_rows)
    LibraryFile.objects.bulk_update(
        changed_rows, ["item", "size", "mtime_ns", "format", "partial_hash", "sha256", "state", "error"]
    )


# the provenance field each fillable column belongs to
_FILLABLE_FIELD = {"series_id": "series", "series_index": "series"}
_FILLABLE = (
    "series_id",
    "series_index",
    "isbn13",
    "language",
    "publisher",
    "published",
    "year",
    "description",
    "page_count",
    "rating",
)


@dataclass
class Filled:
    """What `_fill_blanks` changed: the items, which fields each file filled, and the items
    still without a cover."""

    items: set[int] = field(default_factory=set)
    fields: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))  # file index -> fields
    coverless: set[int] = field(default_factory=set)


def _fill_blanks(readable: list[Prepared], item_of: dict[int, int], sources: set[int], cache: CatalogueCache) -> Filled:
    """A further format of a known item (MOBI after EPUB, ...) fills fields the item lacks;
    it never overwrites a known value. `sources` are the files new items were made from."""
    others = [i for i in range(len(readable)) if i not in sources and readable[i].kind != "audiobook"]
    filled = Filled()
    if not others:
        return filled
    items = MediaItem.objects.in_bulk({item_of[i] for i in others})
    changed: dict[int, MediaItem] = {}
    for i in others:
        item, meta, prepared = items.get(item_of[i]), readable[i].meta, readable[i]
        if item is None or meta is None:
            continue
        series_id = cache.series.get(_series_key(prepared.kind, meta)) if meta.series else None
        if series_id is None and meta.series:
            _series_ids([(prepared.kind, meta)], cache)
            series_id = cache.series.get(_series_key(prepared.kind, meta))
        candidate = _item_values(meta, prepared.kind, series_id)
        for name in _FILLABLE:
            if getattr(item, name) in (None, "") and candidate[name] not in (None, ""):
                setattr(item, name, candidate[name])
                changed[item.pk] = item
                filled.fields[i].add(_FILLABLE_FIELD.get(name, name))
    if changed:
        MediaItem.objects.bulk_update(list(changed.values()), list(_FILLABLE))
    filled.items = set(changed)
    filled.coverless = {item.pk for item in items.values() if not item.cover_path}
    return filled


def _report_provenance(
    readable: list[Prepared], item_of: dict[int, int], made: dict[int, NewItem], filled: Filled
) -> None:
    """Tell the provenance keepers (the metadata app) what each file said and which values
    of the items it gave."""
    if not scanned_values.has_hooks():
        return
    records = []
    for i, prepared in enumerate(readable):
        fields = provenance.scanned_fields(prepared.meta)  # type: ignore[arg-type]
        new = made.get(i)
        if new is not None:  # the values the item was written with (a comic's made-up title, summed duration)
            for name in ("title", "duration_seconds"):
                if name in fields and new.values[name]:
                    fields[name] = (new.values[name], *fields[name][1:])
        written = frozenset(fields) if new is not None else frozenset(filled.fields.get(i, ()))
        overridden = provenance.overridden_fields(prepared.meta)  # type: ignore[arg-type]
        records.append(scanned_values.ScannedValues(item_of[i], prepared.kind, fields, written, overridden))
    scanned_values.notify(records)


def write_batch(batch: list[Prepared], cache: CatalogueCache, *, queue_covers: bool = True) -> BatchResult:
    """Insert one batch (the caller holds the transaction). The batch's items are indexed for
    library search at the end (bulk inserts fire no signals), so they are searchable as soon
    as the batch commits. New items, and known ones still without a cover that got a file,
    are queued for the cover job."""
    with search_index.deferred():
        readable = [p for p in batch if p.meta is not None]
        existing, leader = _resolve_items(readable)
        made = _new_items(readable, leader, cache)
        new = {item.pk: item for item in made.values()}
        item_of = {i: existing[i] if existing[i] is not None else made[leader[i]].pk for i in range(len(readable))}
        _people(made, readable, cache)
        _tags(made, readable)
        filled = _fill_blanks(readable, item_of, set(made), cache)
        _report_provenance(readable, item_of, made, filled)
        _identifiers_and_keys(readable, item_of, new)
        _add_durations(readable, existing)
        _write_files(batch, item_of, readable, new)
        search_index.index_new_items([item.index_source(cache) for pk, item in new.items() if pk not in filled.items])
        search_index.reindex_items([pk for pk in set(item_of.values()) if pk not in new or pk in filled.items])
        covers = sorted(set(new) | filled.coverless) if queue_covers else []
        insert_rows(PendingCover, ("item_id",), [(pk,) for pk in covers], on_conflict="ignore")
    return BatchResult(
        added=sum(1 for p in batch if not p.existing_file_id and p.meta is not None),
        updated=sum(1 for p in batch if p.existing_file_id and p.meta is not None),
        corrupt=sum(1 for p in batch if p.meta is None),
        covers=len(covers),  # queued for the cover job
    )
