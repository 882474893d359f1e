"""Formats and qualities a format profile ranks (pure: no Django, no I/O).

A quality is a format, sometimes narrowed: `epub_retail` is an EPUB released as retail,
`mp3_320` an MP3 at 320 kbps or more. A release or a file *qualifies* for its narrow quality
and for its plain format, so a profile that lists only `epub` takes retail EPUBs too, and one
that lists `epub_retail` above `epub` ranks them higher. Ranks count from 0 (best)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexers.releases import parse_release


@dataclass(frozen=True)
class Quality:
    key: str
    label: str
    format: str
    retail: bool = False
    min_kbps: int = 0


QUALITIES: dict[str, tuple[Quality, ...]] = {
    "ebook": (
        Quality("epub_retail", "EPUB retail", "epub", retail=True),
        Quality("epub", "EPUB", "epub"),
        Quality("azw3", "AZW3", "azw3"),
        Quality("azw", "AZW", "azw"),
        Quality("mobi", "MOBI", "mobi"),
        Quality("pdf", "PDF", "pdf"),
    ),
    "audiobook": (
        Quality("m4b", "M4B", "m4b"),
        Quality("mp3_320", "MP3 320 kbps", "mp3", min_kbps=320),
        Quality("mp3", "MP3", "mp3"),
        Quality("flac", "FLAC", "flac"),
        Quality("m4a", "M4A", "m4a"),
        Quality("ogg", "OGG", "ogg"),
        Quality("opus", "Opus", "opus"),
    ),
    "comic": (
        Quality("cbz", "CBZ", "cbz"),
        Quality("cbr", "CBR", "cbr"),
        Quality("pdf", "PDF", "pdf"),
    ),
}
KINDS = tuple(QUALITIES)
ALL_KEYS: tuple[str, ...] = tuple(dict.fromkeys(q.key for qs in QUALITIES.values() for q in qs))
# What a new profile offers first (the *arr habit: the best edition first, plain formats after).
SUGGESTED: dict[str, tuple[str, ...]] = {
    "ebook": ("epub_retail", "epub", "azw3", "mobi", "pdf"),
    "audiobook": ("m4b", "mp3_320", "mp3"),
    "comic": ("cbz", "cbr"),
}
_KBPS = re.compile(r"(\d{2,4})\s*k")


def kind_of(kind: str) -> str:
    return kind if kind in QUALITIES else "ebook"


def keys_for(kind: str) -> tuple[str, ...]:
    return tuple(q.key for q in QUALITIES[kind_of(kind)])


def quality(kind: str, key: str) -> Quality | None:
    return next((q for q in QUALITIES[kind_of(kind)] if q.key == key), None)


def label(kind: str, key: str) -> str:
    found = quality(kind, key)
    return found.label if found else (key.upper() or "nothing")


def labels(kind: str, keys: tuple[str, ...] | list[str]) -> str:
    return " > ".join(label(kind, k) for k in keys)


def kbps(text: str) -> int | None:
    """'320kbps' -> 320; '' -> None."""
    match = _KBPS.match(text or "")
    return int(match.group(1)) if match else None


def qualifies(kind: str, fmt: str, *, retail: bool = False, bitrate: int | None = None) -> tuple[str, ...]:
    """The quality keys a file or release of format `fmt` qualifies for, narrowest first."""
    found = []
    for q in QUALITIES[kind_of(kind)]:
        if q.format != fmt or (q.retail and not retail):
            continue
        if q.min_kbps and (bitrate is None or bitrate < q.min_kbps):
            continue
        found.append(q.key)
    return tuple(sorted(found, key=lambda k: k == fmt))  # the plain format last


def narrowest(kind: str, fmt: str, *, retail: bool = False, bitrate: int | None = None) -> str:
    """The one key that describes a file best ('' for a format no quality of the kind names)."""
    keys = qualifies(kind, fmt, retail=retail, bitrate=bitrate)
    return keys[0] if keys else ""


def widen(kind: str, key: str) -> tuple[str, ...]:
    """A stored key and the plain format it narrows: 'epub_retail' -> ('epub_retail', 'epub')."""
    found = quality(kind, key)
    if found is None:
        return (key,) if key else ()
    return tuple(dict.fromkeys((key, found.format))) if quality(kind, found.format) else (key,)


def rank(order: tuple[str, ...], keys: tuple[str, ...]) -> int | None:
    """The best (lowest) position of any of `keys` in `order`; None when none is listed."""
    positions = [order.index(k) for k in keys if k in order]
    return min(positions) if positions else None


def rank_of(kind: str, order: tuple[str, ...], key: str) -> int | None:
    return rank(order, widen(kind, key))


@dataclass(frozen=True)
class ReleaseQuality:
    """What a release name says about its quality."""

    formats: tuple[str, ...]
    retail: bool = False
    bitrate: int | None = None

    def keys(self, kind: str) -> tuple[str, ...]:
        found: list[str] = []
        for fmt in self.formats:
            found += qualifies(kind, fmt, retail=self.retail, bitrate=self.bitrate)
        return tuple(dict.fromkeys(found))

    def file_key(self, kind: str, fmt: str) -> str:
        """The quality of a file of format `fmt` that came from this release (retail and bitrate
        belong to the release's own format, not to a file converted from it)."""
        own = fmt in self.formats
        return narrowest(kind, fmt, retail=own and self.retail, bitrate=self.bitrate if own else None)


def of_release(title: str) -> ReleaseQuality:
    parsed = parse_release(title or "")
    return ReleaseQuality(parsed.formats, parsed.retail, kbps(parsed.quality))


@dataclass(frozen=True)
class UpgradePlan:
    """Handed to the import pipeline when the item is wanted for an upgrade: the order to rank
    by, what the release is, and the quality of each file the item has now."""

    kind: str
    order: tuple[str, ...]
    release: ReleaseQuality
    existing: tuple[tuple[str, str], ...]  # (path, quality key)

    def rank(self, key: str) -> int:
        found = rank_of(self.kind, self.order, key)
        return len(self.order) if found is None else found  # outside the profile: worst
