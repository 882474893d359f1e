"""Pure, explainable release scoring: a weighted sum of named parts in [0, 1] plus
bonuses, and a list of rejection reasons. A release is acceptable when nothing rejects it."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from core.text import comparison_key
from indexers import qualities
from indexers.clients.base import Release
from indexers.releases import AUDIO_FORMATS, COMIC_FORMATS, EBOOK_FORMATS, ParsedRelease

WEIGHTS = {"title": 40.0, "author": 25.0, "format": 15.0, "size": 10.0, "age": 5.0, "availability": 5.0}
MIN_TITLE = 0.6
MIN_AUTHOR = 0.5
KIND_FORMATS = {"ebook": EBOOK_FORMATS, "audiobook": AUDIO_FORMATS, "comic": (*COMIC_FORMATS, "pdf")}
SIZE_RANGES = {  # bytes: what a sane release of this kind weighs
    "ebook": (10 * 1024, 300 * 1024**2),
    "audiobook": (5 * 1024**2, 15 * 1024**3),
    "comic": (300 * 1024, 3 * 1024**3),
}


@dataclass(frozen=True)
class WantedBook:
    kind: str
    title: str
    authors: tuple[str, ...] = ()
    series_index: str = ""
    isbn13: str = ""
    year: int | None = None


@dataclass(frozen=True)
class ScoringPrefs:
    """The item's format profile as the scorer needs it: `formats` are quality keys best first
    (`indexers.qualities`: a plain format such as "epub", or a narrower "epub_retail"); a release
    in none of them is rejected. `min_score` rejects lower totals; `beat` is the quality the
    library has already (a release must rank above it: an upgrade), '' when it has no file."""

    formats: tuple[str, ...]
    torrent_client_available: bool = False
    min_score: float = 0.0
    beat: str = ""


@dataclass(frozen=True)
class ScorePart:
    name: str
    weight: float
    value: float
    points: float
    detail: str


@dataclass(frozen=True)
class Score:
    total: float
    parts: tuple[ScorePart, ...]
    rejections: tuple[str, ...]

    @property
    def accepted(self) -> bool:
        return not self.rejections

    def breakdown(self) -> list[dict]:
        return [
            {
                "name": p.name,
                "weight": p.weight,
                "value": round(p.value, 3),
                "points": round(p.points, 1),
                "detail": p.detail,
            }
            for p in self.parts
        ]


def score_release(wanted: WantedBook, release: Release, parsed: ParsedRelease, prefs: ScoringPrefs) -> Score:
    rejections: list[str] = []
    measures = [
        ("title", *_title(wanted, parsed)),
        ("author", *_author(wanted, parsed)),
        ("format", *_format(wanted.kind, parsed, prefs, rejections)),
        ("size", *_size(wanted.kind, release.size, rejections)),
        ("age", *_age(release.age_days)),
        ("availability", *_availability(release, prefs, rejections)),
    ]
    parts = [
        ScorePart(name, WEIGHTS[name], value, WEIGHTS[name] * value, detail)
        for name, value, detail in measures
    ]
    title_value, author_value = parts[0].value, parts[1].value
    if title_value < MIN_TITLE:
        rejections.insert(0, f"title does not match ({title_value:.0%} similar)")
    if parsed.authors and wanted.authors and author_value < MIN_AUTHOR:
        rejections.insert(0, f"author {', '.join(parsed.authors)!r} does not match ({author_value:.0%})")
    if not parsed.authors and wanted.authors and author_value == 0.0:
        rejections.insert(0, "release names no author: a title match alone is not enough")
    parts += _bonuses(wanted, parsed, rejections)
    if release.passworded:
        rejections.append("password-protected release")
    total = round(max(0.0, min(100.0, sum(p.points for p in parts))), 1)
    if prefs.min_score and total < prefs.min_score:
        rejections.append(f"score {total:g} is below the profile's minimum {prefs.min_score:g}")
    return Score(total, tuple(parts), tuple(rejections))


def _key(value: str) -> str:
    return comparison_key(value or "")


def _similarity(a: str, b: str) -> float:
    a, b = _key(a), _key(b)
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) / 100.0


def _title(wanted: WantedBook, parsed: ParsedRelease) -> tuple[float, str]:
    targets = {wanted.title, wanted.title.split(":")[0]}
    candidates = [parsed.title]
    if parsed.authors:  # "Title - Author" releases: try the other reading too
        candidates.append(" ".join(parsed.authors))
    else:  # unstructured: whatever is left after removing the wanted author's words
        author_words = set(" ".join(_key(a) for a in wanted.authors).split())
        remainder = " ".join(w for w in _key(parsed.title).split() if w not in author_words)
        candidates.append(remainder)
    best = (
        max((_similarity(t, c), c) for t in targets for c in candidates if t and c)
        if candidates
        else (0.0, "")
    )
    return best[0], f"{best[1]!r} vs wanted {wanted.title!r}"


def _author(wanted: WantedBook, parsed: ParsedRelease) -> tuple[float, str]:
    if not wanted.authors:
        return 1.0, "no author to compare"
    if parsed.authors:
        names = list(parsed.authors) + ([parsed.title] if parsed.title else [])
        best = max(_similarity(w, p) for w in wanted.authors for p in names)
        return best, f"{', '.join(parsed.authors)!r} vs wanted {', '.join(wanted.authors)!r}"
    text = set(_key(parsed.raw).split())
    best = 0.0
    for author in wanted.authors:
        words = _key(author).split()
        if words and all(w in text for w in words):
            best = max(best, 0.9)
        elif words and words[-1] in text:
            best = max(best, 0.6)
    detail = (
        "author's name found in the release name"
        if best
        else "release names no author (rejected: a title match alone could be another book)"
    )
    return best, detail


def _format(
    kind: str, parsed: ParsedRelease, prefs: ScoringPrefs, rejections: list[str]
) -> tuple[float, str]:
    if not parsed.formats:
        if prefs.beat:
            rejections.append("format unknown: cannot tell whether it is an upgrade")
        return 0.4, "format unknown"
    allowed = KIND_FORMATS.get(kind, EBOOK_FORMATS)
    usable = [f for f in parsed.formats if f in allowed]
    if not usable:
        rejections.append(f"format {parsed.format} is not {_a(kind)} format")
        return 0.0, f"{parsed.format} is not {_a(kind)} format"
    keys = qualities.ReleaseQuality(tuple(usable), parsed.retail, qualities.kbps(parsed.quality)).keys(kind)
    rank = qualities.rank(prefs.formats, keys)
    if rank is None:
        shown = qualities.label(kind, keys[0]) if keys else usable[0].upper()
        rejections.append(f"{shown} is not in the format profile ({qualities.labels(kind, prefs.formats)})")
        return 0.0, f"{shown} is not in the format profile"
    found = qualities.label(kind, prefs.formats[rank])
    if prefs.beat:
        beat = qualities.rank_of(kind, prefs.formats, prefs.beat)
        if beat is not None and rank >= beat:
            rejections.append(
                f"not an upgrade: {found} is no better than the {qualities.label(kind, prefs.beat)} in the library"
            )
    value = max(0.3, 1.0 - rank * (0.7 / max(1, len(prefs.formats) - 1)))
    return value, f"{found} is preference #{rank + 1}"


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _size(kind: str, size: int, rejections: list[str]) -> tuple[float, str]:
    if size <= 0:
        return 0.5, "size unknown"
    low, high = SIZE_RANGES.get(kind, SIZE_RANGES["ebook"])
    if low <= size <= high:
        return 1.0, f"{_human(size)} is a sane size for {_a(kind)}"
    rejections.append(f"size {_human(size)} is outside {_human(low)}-{_human(high)} expected for {_a(kind)}")
    return 0.0, f"{_human(size)} outside {_human(low)}-{_human(high)}"


def _age(age_days: float | None) -> tuple[float, str]:
    if age_days is None:
        return 0.5, "age unknown"
    if age_days <= 365:
        return 1.0, f"{age_days:.0f} days old"
    value = max(0.2, 1.0 - (age_days - 365) / 3000)
    return value, f"{age_days:.0f} days old"


def _availability(release: Release, prefs: ScoringPrefs, rejections: list[str]) -> tuple[float, str]:
    if release.protocol == "torrent":
        return _torrent_health(release, prefs, rejections)
    if release.protocol == "unknown":
        rejections.append("unknown download protocol")
        return 0.0, "unknown protocol"
    return 1.0, "usenet"


def _torrent_health(release: Release, prefs: ScoringPrefs, rejections: list[str]) -> tuple[float, str]:
    """Seeders decide whether a torrent can finish: none is a rejection, ten or more is full
    marks; an indexer that does not say gets a low mark, not a rejection."""
    if not prefs.torrent_client_available:
        rejections.append("torrent release: no torrent client is configured")
    leechers = f", {release.leechers} leechers" if release.leechers is not None else ""
    if release.seeders is None:
        return 0.3, "seeders unknown"
    if release.seeders <= 0:
        rejections.append(f"torrent has no seeders{leechers}: it cannot finish")
        return 0.0, f"0 seeders{leechers}"
    return min(release.seeders, 10) / 10.0, f"{release.seeders} seeders{leechers}"


def _bonuses(wanted: WantedBook, parsed: ParsedRelease, rejections: list[str]) -> list[ScorePart]:
    parts = []
    if parsed.retail:
        parts.append(ScorePart("retail", 5.0, 1.0, 5.0, "retail release"))
    if parsed.repack or parsed.proper:
        fix = "REPACK" if parsed.repack else "PROPER"
        parts.append(ScorePart("fix", 3.0, 1.0, 3.0, f"{fix}: fixes a flawed earlier release"))
    if wanted.kind == "audiobook" and parsed.unabridged is True:
        parts.append(ScorePart("unabridged", 5.0, 1.0, 5.0, "unabridged"))
    if wanted.kind == "audiobook" and parsed.unabridged is False:
        parts.append(ScorePart("abridged", -15.0, 1.0, -15.0, "abridged edition"))
    if (
        wanted.series_index
        and parsed.series_number
        and _number(wanted.series_index) != _number(parsed.series_number)
    ):
        rejections.append(f"series number {parsed.series_number} is not the wanted {wanted.series_index}")
    return parts


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None
