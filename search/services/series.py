"""Series beyond their name: omnibus memberships (a book at several positions or in several
series), description, genres and cover, and the history of every series change with its revert.
No change here moves a file."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, InvalidInput
from core.text import comparison_key
from media import covers as media_covers
from media.models import MediaItem, Series, SeriesChange, SeriesChangeAction, SeriesMembership
from search.services import cover_images

MAX_POSITION = Decimal("999999")
MAX_RANGE = 500  # positions one omnibus may cover


def position(value: float | int | str | Decimal) -> Decimal:
    index = Decimal(str(value)).quantize(Decimal("0.01"))
    if not index.is_finite() or abs(index) > MAX_POSITION:
        raise InvalidInput("A series position is a number between -999999 and 999999")
    return index


def _text(index: Decimal | None) -> str | None:
    return None if index is None else f"{index.normalize():f}"


def record(series: Series | None, action: str, old, new, *, user=None) -> SeriesChange:
    return SeriesChange.objects.create(series=series, action=action, old_value=old, new_value=new,
                                       user=user if getattr(user, "pk", None) else None)


@dataclass(frozen=True)
class Placement:
    """One book at one position (or range) of one series."""

    item_id: int
    start: Decimal | None
    end: Decimal | None
    membership_id: int | None  # None: the primary membership without a range row

    def covers(self) -> list[Decimal]:
        """Every position it holds: a range 1-3 holds 1, 2 and 3 (and its start if not whole)."""
        if self.start is None:
            return []
        if self.end is None or self.end <= self.start:
            return [self.start]
        whole = range(int(self.start.to_integral_value(rounding="ROUND_CEILING")), int(self.end) + 1)
        found = [Decimal(n) for n in list(whole)[:MAX_RANGE]]
        return found if self.start in found else [self.start, *found]

    @property
    def text(self) -> str:
        if self.end is not None and self.start is not None and self.end > self.start:
            return f"{_text(self.start)}\N{EN DASH}{_text(self.end)}"
        return _text(self.start) or ""


def placements(series_id: int, primary: list[MediaItem]) -> dict[int, list[Placement]]:
    """Per item id, where the books of a series stand: the primary books (`primary`, already
    filtered for the viewer) with their ranges, and the other books placed there by a membership
    (read from the rows; the caller filters those it may not show)."""
    rows = list(SeriesMembership.objects.filter(series_id=series_id).select_related("item"))
    out: dict[int, list[Placement]] = {}
    ends = {}
    for row in rows:
        if row.item.series_id == series_id and row.position == row.item.series_index:
            ends[row.item_id] = (row.position_end, row.pk)
    for item in primary:
        end, pk = ends.get(item.pk, (None, None))
        out.setdefault(item.pk, []).append(Placement(item.pk, item.series_index, end, pk))
    for row in rows:
        if row.item.series_id == series_id and row.position == row.item.series_index:
            continue
        out.setdefault(row.item_id, []).append(Placement(row.item_id, row.position, row.position_end, row.pk))
    return out


def _membership_json(row: SeriesMembership) -> dict:
    return {"item_id": row.item_id, "series_id": row.series_id, "position": _text(row.position),
            "position_end": _text(row.position_end)}


@transaction.atomic
def add_membership(series_id: int, item_id: int, start, end=None, *, user=None) -> SeriesMembership:
    """Place a book at a position or range of a series. A book in no series gets it as its
    primary series; its primary series at its primary position only gains the range's end."""
    series = Series.objects.select_for_update().get(pk=series_id)
    item = MediaItem.objects.select_for_update().get(pk=item_id)
    first = position(start)
    last = None if end is None else position(end)
    if last is not None and last <= first:
        raise InvalidInput("A range ends after it starts (1-3)")
    if last is not None and last - first > MAX_RANGE:
        raise InvalidInput(f"A range covers at most {MAX_RANGE} positions")
    at_primary = item.series_id == series.pk and item.series_index == first
    if (at_primary and last is None) or SeriesMembership.objects.filter(item=item, series=series,
                                                                        position=first).exists():
        raise Conflict(f"{item.title} is already at #{_text(first)} of {series.title}",
                       hint="Remove that membership first to change its range.")
    was_primary = {"series_id": item.series_id, "series_index": _text(item.series_index)}
    if item.series_id is None or (item.series_id == series.pk and item.series_index is None):
        item.series, item.series_index = series, first  # kept in step: the primary membership
        item.save(update_fields=["series", "series_index", "updated_at"])
    row = SeriesMembership.objects.create(item=item, series=series, position=first, position_end=last)
    record(series, SeriesChangeAction.ADD_BOOK, {"primary": was_primary},
           {**_membership_json(row), "membership_id": row.pk}, user=user)
    return row


@transaction.atomic
def remove_membership(series_id: int, membership_id: int, *, user=None) -> None:
    """Take a book out of one position of a series; at its primary position it leaves the
    series (MediaItem.series is cleared too: one source of truth)."""
    row = SeriesMembership.objects.select_for_update().select_related("item", "series").get(
        pk=membership_id, series_id=series_id)
    item = row.item
    was_primary = {"series_id": item.series_id, "series_index": _text(item.series_index)}
    if item.series_id == series_id and item.series_index == row.position:
        item.series, item.series_index = None, None
        item.save(update_fields=["series", "series_index", "updated_at"])
    record(row.series, SeriesChangeAction.REMOVE_BOOK, {**_membership_json(row), "primary": was_primary}, None,
           user=user)
    row.delete()


@transaction.atomic
def set_metadata(series_id: int, *, description: str | None = None, genres: list[str] | None = None,
                 cover_item_id: int | bool | None = False, uploaded_cover: str = "", user=None) -> Series:
    """Description, genres (books without any inherit them) and the cover: one of its books'
    (`cover_item_id`; None: the default mosaic) or an uploaded image already stored
    (`uploaded_cover`, see upload_cover). Leaves what is not given (cover_item_id False,
    uploaded_cover empty) unchanged."""
    series = Series.objects.select_for_update().get(pk=series_id)
    old = _metadata_json(series)
    if description is not None:
        series.description = description.strip()
    if genres is not None:
        series.genres = _clean_genres(genres)
    if cover_item_id is not False:
        if cover_item_id is not None and not in_series(series.pk).filter(pk=cover_item_id).exists():
            raise InvalidInput("The cover is chosen from the series' own books")
        series.cover_item_id, series.cover_path = cover_item_id, ""
    if uploaded_cover:
        series.cover_item_id, series.cover_path = None, uploaded_cover
    new = _metadata_json(series)
    if new != old:
        series.save(update_fields=["description", "genres", "cover_item", "cover_path"])
        record(series, SeriesChangeAction.METADATA, old, new, user=user)
    return series


def upload_cover(series_id: int, data: bytes, *, user=None) -> Series:
    """An uploaded image as the series' cover: validated and re-encoded as a JPEG
    (cover_images.reencoded_jpeg), stored as book covers are (content-addressed, never under the
    name it was sent with), recorded in the history like any metadata change."""
    Series.objects.get(pk=series_id)  # a missing series is not worth decoding an image for
    jpeg = cover_images.reencoded_jpeg(data, what="The uploaded file")
    relative = media_covers.store_image(jpeg, "jpg")
    media_covers.make_thumbnail(relative, jpeg)
    return set_metadata(series_id, uploaded_cover=relative, user=user)


def _clean_genres(genres: list[str]) -> list[str]:
    seen, cleaned = set(), []
    for genre in (g.strip()[:64] for g in genres):
        if comparison_key(genre) and comparison_key(genre) not in seen:
            seen.add(comparison_key(genre))
            cleaned.append(genre)
    return cleaned[:32]


def _metadata_json(series: Series) -> dict:
    return {"description": series.description, "genres": list(series.genres or []),
            "cover_item_id": series.cover_item_id, "cover_path": series.cover_path}


def cover_source(series: Series) -> str:
    """'uploaded', 'book' (one of its books' covers) or 'mosaic' (the default)."""
    return "uploaded" if series.cover_path else "book" if series.cover_item_id else "mosaic"


def in_series(series_id: int):
    """Every book of a series: primary or by a membership."""
    from django.db.models import Q

    return MediaItem.objects.filter(Q(series_id=series_id) | Q(series_memberships__series_id=series_id)).distinct()


def inherited_genres(item: MediaItem) -> list[str]:
    """The genres of the book's series (primary first), for a book that has none of its own."""
    ids = [item.series_id] if item.series_id else []
    ids += [s for s in SeriesMembership.objects.filter(item=item).values_list("series_id", flat=True) if s not in ids]
    found: list[str] = []
    rows = {s.pk: s for s in Series.objects.filter(pk__in=ids)}
    for pk in ids:
        for genre in (rows[pk].genres or []) if pk in rows else []:
            if genre not in found:
                found.append(genre)
    return found


@transaction.atomic
def revert_change(change_id: int, *, user=None) -> SeriesChange:
    """Undo one series change (a later change of the same thing is not undone by it)."""
    change = SeriesChange.objects.select_for_update().get(pk=change_id)
    if change.reverted_at is not None:
        raise Conflict("This change is already reverted", hint="Reload the history.")
    old, new = change.old_value or {}, change.new_value or {}
    if change.series_id is None:
        raise Conflict("The series of this change no longer exists", hint="Revert its merge first.")
    series = Series.objects.select_for_update().get(pk=change.series_id)
    if change.action == SeriesChangeAction.RENAME:
        series.title, series.normalized = old["title"], comparison_key(old["title"])[:255]
        series.save(update_fields=["title", "normalized"])
    elif change.action == SeriesChangeAction.SHARED_UNIVERSE:
        series.shared_universe = bool(old["shared_universe"])
        series.save(update_fields=["shared_universe"])
    elif change.action == SeriesChangeAction.METADATA:
        series.description, series.genres = old["description"], old["genres"]
        series.cover_item_id = old["cover_item_id"] if MediaItem.objects.filter(pk=old["cover_item_id"]).exists() \
            else None
        series.cover_path = old.get("cover_path", "")  # stored covers are never deleted
        series.save(update_fields=["description", "genres", "cover_item", "cover_path"])
    elif change.action == SeriesChangeAction.ADD_BOOK:
        SeriesMembership.objects.filter(pk=new["membership_id"]).delete()
        _restore_primary(new["item_id"], old["primary"])
    elif change.action == SeriesChangeAction.REMOVE_BOOK:
        if MediaItem.objects.filter(pk=old["item_id"]).exists():
            SeriesMembership.objects.get_or_create(
                item_id=old["item_id"], series=series, position=Decimal(old["position"]),
                defaults={"position_end": None if old["position_end"] is None else Decimal(old["position_end"])})
            _restore_primary(old["item_id"], old["primary"])
    elif change.action == SeriesChangeAction.MERGE:
        _unmerge(series, old)
    change.reverted_at = timezone.now()
    change.save(update_fields=["reverted_at"])
    return change


def _restore_primary(item_id: int, primary: dict) -> None:
    series_id = primary.get("series_id")
    if series_id is not None and not Series.objects.filter(pk=series_id).exists():
        return
    index = primary.get("series_index")
    MediaItem.objects.filter(pk=item_id).update(series_id=series_id,
                                                series_index=None if index is None else Decimal(index))


def _unmerge(target: Series, old: dict) -> None:
    """Bring back a series merged into `target`, with the books and memberships it had."""
    back = Series.objects.create(title=old["title"], normalized=comparison_key(old["title"])[:255],
                                 kind=old["kind"], shared_universe=old.get("shared_universe", False),
                                 description=old.get("description", ""), genres=old.get("genres", []),
                                 cover_path=old.get("cover_path", ""))
    MediaItem.objects.filter(pk__in=old.get("item_ids", []), series=target).update(series=back)
    SeriesMembership.objects.filter(pk__in=old.get("membership_ids", []), series=target).update(series=back)


def merge_snapshot(series: Series) -> dict:
    """What a merge must remember to bring `series` back."""
    return {"series_id_was": series.pk, "title": series.title, "kind": series.kind,
            "shared_universe": series.shared_universe, "description": series.description,
            "genres": list(series.genres or []), "cover_path": series.cover_path,
            "item_ids": list(MediaItem.objects.filter(series=series).values_list("pk", flat=True)),
            "membership_ids": list(SeriesMembership.objects.filter(series=series).values_list("pk", flat=True))}


def history(series_id: int, limit: int = 50) -> list[SeriesChange]:
    return list(SeriesChange.objects.filter(series_id=series_id).select_related("user")[:limit])
