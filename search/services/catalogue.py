"""Authors and series as first-class records: find-or-create by normalised name (and
aliases), rename and merge without silent duplicates."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from core.errors import Conflict, InvalidInput
from core.text import author_display_name, author_sort_name, comparison_key
from media.models import Author, Contribution, ContributorRole, MediaItem, Series, SeriesChangeAction, SeriesMembership
from search.models import AuthorAlias
from search.normalise import author_key, series_gaps
from search.services.series import Placement, merge_snapshot, placements, record


def find_authors(text: str):
    """Authors whose name or an alias holds every word of `text` (folded), by sort name; all without text."""
    found = Author.objects.all()
    for word in comparison_key(text).split()[:8]:
        found = found.filter(Q(normalized__contains=word) | Q(aliases__normalized__contains=word))
    return found.distinct().order_by("sort_name", "id")


def find_author(name: str) -> Author | None:
    key = author_key(name)
    if not key:
        return None
    author = Author.objects.filter(normalized=key).order_by("id").first()
    if author is None:
        alias = AuthorAlias.objects.select_related("author").filter(normalized=key).first()
        author = alias.author if alias else None
    return author


def get_or_create_author(name: str) -> Author:
    display = author_display_name(name)
    if not display:
        raise InvalidInput("An author needs a name")
    author = find_author(display)
    if author is None:
        author = Author.objects.create(name=display[:255], sort_name=author_sort_name(display)[:255],
                                       normalized=author_key(display)[:255])
    return author


def get_or_create_series(title: str, kind: str, *, item: MediaItem | None = None) -> Series:
    """The series of that name; of several kept apart (same name, other authors), the one
    that shares an author with `item`. A second one is never created here: that takes a
    confirmed rename with `keep_apart`."""
    key = comparison_key(title)
    if not key:
        raise InvalidInput("A series needs a title")
    same = list(Series.objects.filter(normalized=key, kind=kind).order_by("id"))
    if len(same) > 1 and item is not None and item.pk:
        mine = Contribution.objects.filter(item=item, role=ContributorRole.AUTHOR).values("author_id")
        shared = set(Contribution.objects.filter(item__series__in=same, author_id__in=mine)
                     .values_list("item__series_id", flat=True))
        same = [s for s in same if s.pk in shared] or same
    return same[0] if same else Series.objects.create(title=title.strip()[:255], normalized=key[:255], kind=kind)


@transaction.atomic
def set_shared_universe(series_id: int, shared: bool, *, user=None) -> Series:
    """Mark a series as a shared universe or collaboration: books by other authors are intended."""
    series = Series.objects.select_for_update().get(pk=series_id)
    if series.shared_universe != shared:
        record(series, SeriesChangeAction.SHARED_UNIVERSE, {"shared_universe": series.shared_universe},
               {"shared_universe": shared}, user=user)
    series.shared_universe = shared
    series.save(update_fields=["shared_universe"])
    return series


@transaction.atomic
def rename_author(author_id: int, new_name: str, *, confirm_merge: bool = False) -> Author:
    """Rename; if the new name is another author's, merge only when confirmed."""
    author = Author.objects.select_for_update().get(pk=author_id)
    display = author_display_name(new_name)
    if not display:
        raise InvalidInput("The new name is empty")
    other = find_author(display)
    if other is not None and other.pk != author.pk:
        if not confirm_merge:
            raise Conflict(f"'{display}' is already the author #{other.pk} ({other.name})",
                           hint="Confirm to merge both authors.", details={"existing_author_id": other.pk})
        return merge_authors(author.pk, other.pk)
    old_name = author.name
    author.name, author.sort_name, author.normalized = display, author_sort_name(display), author_key(display)
    author.save(update_fields=["name", "sort_name", "normalized"])
    _add_alias(author, old_name)
    return author


@transaction.atomic
def merge_authors(source_id: int, target_id: int) -> Author:
    """Move every contribution and alias of `source` to `target`; the old name stays an alias."""
    if source_id == target_id:
        raise Conflict("Cannot merge an author into itself", hint="Choose another author to merge into")
    source = Author.objects.select_for_update().get(pk=source_id)
    target = Author.objects.select_for_update().get(pk=target_id)
    for contribution in Contribution.objects.filter(author=source):
        clash = Contribution.objects.filter(item_id=contribution.item_id, author=target, role=contribution.role)
        if clash.exists():
            contribution.delete()
        else:
            Contribution.objects.filter(pk=contribution.pk).update(author=target)
    AuthorAlias.objects.filter(author=source).update(author=target)
    name = source.name
    source.delete()
    _add_alias(target, name)
    return target


def _add_alias(author: Author, name: str) -> None:
    key = author_key(name)
    if key and key != author.normalized:
        AuthorAlias.objects.update_or_create(normalized=key[:255], defaults={"author": author, "name": name[:255]})


@transaction.atomic
def rename_series(series_id: int, new_title: str, *, confirm_merge: bool = False, keep_apart: bool = False,
                  user=None) -> Series:
    """Rename; a title another series has asks first: merge both (`confirm_merge`) or keep
    them apart as two series of the same name (`keep_apart`: a reboot, another author's)."""
    series = Series.objects.select_for_update().get(pk=series_id)
    key = comparison_key(new_title)
    if not key:
        raise InvalidInput("The new title is empty")
    other = Series.objects.filter(normalized=key, kind=series.kind).exclude(pk=series.pk).first()
    if other is not None and not keep_apart:
        if not confirm_merge:
            raise Conflict(f"A series '{other.title}' (#{other.pk}) already exists",
                           hint="Confirm to merge both series, or keep them apart as two series of that name.",
                           details={"existing_series_id": other.pk})
        record(other, SeriesChangeAction.MERGE, merge_snapshot(series), {"into": other.pk}, user=user)
        MediaItem.objects.filter(series=series).update(series=other)
        for row in SeriesMembership.objects.filter(series=series):
            if SeriesMembership.objects.filter(item_id=row.item_id, series=other, position=row.position).exists():
                row.delete()  # the book already stands there in the series it joins
            else:
                SeriesMembership.objects.filter(pk=row.pk).update(series=other)
        series.delete()
        return other
    if new_title.strip()[:255] != series.title:
        record(series, SeriesChangeAction.RENAME, {"title": series.title}, {"title": new_title.strip()[:255]},
               user=user)
    series.title, series.normalized = new_title.strip()[:255], key[:255]
    series.save(update_fields=["title", "normalized"])
    return series


OWNED_STATUSES = ("in_library", "post_processed_success")


@dataclass(frozen=True)
class Completion:
    """How complete a series is: the same figures on the series list and the series page."""

    owned: int
    known: int  # books of the series in the catalogue, any status
    gaps: tuple[int, ...]  # whole positions missing between 1 and the highest known one
    cover_item_id: int | None = None  # the first book with a cover (the list's image)

    @property
    def gaps_text(self) -> str:
        """'1-4, 7' with en dashes: runs of missing positions."""
        runs: list[list[int]] = []
        for gap in self.gaps:
            if runs and gap == runs[-1][-1] + 1:
                runs[-1].append(gap)
            else:
                runs.append([gap])
        return ", ".join(f"{r[0]}\N{EN DASH}{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def completion_of(rows: list[tuple[Decimal | None, str]], cover_item_id: int | None = None,
                  covered: list[Decimal] | None = None) -> Completion:
    """`rows`: (series index, status) of every book of one series; `covered`: every position its
    books hold when some hold several (an omnibus 1-3 holds 1, 2 and 3), else their indexes."""
    owned = sum(1 for _, status in rows if status in OWNED_STATUSES)
    positions = [i for i, _ in rows] if covered is None else covered
    return Completion(owned, len(rows), tuple(series_gaps(positions)), cover_item_id)


def series_completions(series_ids: list[int], *, hidden: Q | None = None) -> dict[int, Completion]:
    """Completion of several series in one query (a page of the series list), without the
    `hidden` books (core.visibility: ones the viewer may not see)."""
    rows: dict[int, list[tuple[Decimal | None, str]]] = {pk: [] for pk in series_ids}
    covers: dict[int, int] = {}
    books = MediaItem.objects.filter(series_id__in=series_ids).order_by("series_index", "sort_title", "pk")
    books = books if hidden is None else books.exclude(hidden)
    covered: dict[int, list[Decimal]] = {pk: [] for pk in series_ids}
    primary: dict[tuple[int, int], Decimal | None] = {}
    for series_id, index, status, pk, cover in books.values_list("series_id", "series_index", "status", "pk",
                                                                 "cover_path"):
        rows[series_id].append((index, status))
        primary[(series_id, pk)] = index
        if cover and series_id not in covers:
            covers[series_id] = pk
    extra = SeriesMembership.objects.filter(series_id__in=series_ids)
    extra = extra if hidden is None else extra.exclude(hidden_items_ref(hidden))
    seen: set[tuple[int, int]] = set(primary)
    ranged: set[tuple[int, int]] = set()
    for series_id, item_id, start, end, status in extra.values_list("series_id", "item_id", "position",
                                                                    "position_end", "item__status"):
        if primary.get((series_id, item_id), "none") == start:
            ranged.add((series_id, item_id))  # the range of its primary position
        elif (series_id, item_id) not in seen:
            seen.add((series_id, item_id))
            rows[series_id].append((start, status))
        covered[series_id] += Placement(item_id, start, end, None).covers()
    for (series_id, item_id), index in primary.items():
        if (series_id, item_id) not in ranged and index is not None:
            covered[series_id].append(index)
    return {pk: completion_of(found, covers.get(pk), covered[pk]) for pk, found in rows.items()}


def hidden_items_ref(hidden: Q) -> Q:
    """`hidden` (built for MediaItem rows) for rows pointing at an item: their item's id in it."""
    return Q(item__in=MediaItem.objects.filter(hidden).values("pk"))


def main_authors(books: list[list[int]]) -> set[int]:
    """The series' authors from its books' author ids: those of at least half the books, else
    the most frequent ones."""
    counts = Counter(a for authors in books for a in set(authors))
    if not counts:
        return set()
    dated = sum(1 for authors in books if authors)
    main = {a for a, n in counts.items() if 2 * n >= dated}
    return main or {a for a, n in counts.items() if n == max(counts.values())}


def series_credits(series_ids: list[int], *, hidden: Q | None = None) -> dict[int, str]:
    """'Isaac Asimov, 1951\u20131993' per series: its main authors and years, what tells two
    series of the same name apart on the series list."""
    books = MediaItem.objects.filter(series_id__in=series_ids)
    books = books if hidden is None else books.exclude(hidden)
    years: dict[int, list[int]] = {}
    for series_id, year in books.exclude(year=None).values_list("series_id", "year"):
        years.setdefault(series_id, []).append(year)
    per_book: dict[int, dict[int, list[int]]] = {}
    names: dict[int, str] = {}
    credits = Contribution.objects.filter(item__in=books, role=ContributorRole.AUTHOR).order_by("position", "pk")
    for series_id, item_id, author_id, name in credits.values_list("item__series_id", "item_id", "author_id",
                                                                   "author__name"):
        per_book.setdefault(series_id, {}).setdefault(item_id, []).append(author_id)
        names[author_id] = name
    out = {}
    for pk in series_ids:
        main = main_authors(list(per_book.get(pk, {}).values()))
        parts = [", ".join(sorted(names[a] for a in main))] if main else []
        span = years.get(pk)
        if span:
            low, high = min(span), max(span)
            parts.append(str(low) if low == high else f"{low}\N{EN DASH}{high}")
        out[pk] = ", ".join(parts)
    return out


def series_conflicts(series: Series, items: list[MediaItem]) -> list[str]:
    """What looks wrong in a series, each with the likely fix: two books at the same position
    (publication or chronological, same kind), and books none of whose authors is one of the
    series' main authors (unless the series is a shared universe or a collaboration)."""
    found = []
    for attr, label in (("series_index", ""), ("series_chrono_index", " in chronological order")):
        at: dict[tuple[str, Decimal], list[MediaItem]] = {}
        for item in items:
            if getattr(item, attr) is not None:
                at.setdefault((item.kind, getattr(item, attr)), []).append(item)
        for (_, index), same in at.items():
            if len(same) > 1:
                number = f"{index.normalize():f}"
                titles = ", ".join(i.title for i in same[:-1]) + f" and {same[-1].title}"
                found.append(f"{titles} are both #{number}{label}: one of them is probably #{number}.5, "
                             "another position or another edition of the same book.")
    if not series.shared_universe:
        authors = {i.pk: [c.author_id for c in i.contributions.all() if c.role == ContributorRole.AUTHOR]
                   for i in items}
        main = main_authors(list(authors.values()))
        names = {c.author_id: c.author.name for i in items for c in i.contributions.all()}
        for item in items:
            if main and authors[item.pk] and not main & set(authors[item.pk]):
                found.append(f"{item.title} is by {item.authors_display}, not by the series' author "
                             f"({', '.join(sorted(names[a] for a in main))}): another series of the same name, "
                             "or mark this series as a shared universe or collaboration.")
    return found


def series_overview(series: Series, *, hidden: Q | None = None) -> dict:
    books = series.items.all() if hidden is None else series.items.exclude(hidden)
    items = list(books.order_by("series_index", "sort_title").prefetch_related("contributions__author"))
    others = MediaItem.objects.filter(series_memberships__series=series).exclude(series=series).distinct()
    others = list((others if hidden is None else others.exclude(hidden)).prefetch_related("contributions__author"))
    placed = placements(series.pk, items)
    shown = {i.pk for i in items + others}
    covered = [p for pk, found in placed.items() if pk in shown for pl in found for p in pl.covers()]
    indexes = [i.series_index for i in items]
    completion = completion_of([(i.series_index, i.status) for i in items + others], covered=covered)
    return {"series": series, "items": items, "others": others, "gaps": list(completion.gaps),
            "placements": {pk: found for pk, found in placed.items() if pk in shown}, "owned": completion.owned,
            "known": completion.known, "completion": completion, "conflicts": series_conflicts(series, items),
            "highest": max((i for i in indexes if i is not None), default=None),
            "expected": max((int(i) for i in indexes if i is not None and i == int(i)), default=0)}


def to_index(value: object) -> Decimal | None:
    try:
        index = Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError):
        return None
    return index if abs(index) < Decimal("1000000") else None
