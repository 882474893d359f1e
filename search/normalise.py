"""Normalisation of provider and file metadata: authors (split, keys), series detection
from titles, language codes, subjects -> a small genre taxonomy, series gaps."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from core.authors import WRITER_ROLES, parse_people
from core.text import author_display_name, author_sort_name, comparison_key, fold
from search.providers.common import language_code

__all__ = [
    "SeriesGuess",
    "author_key",
    "author_names",
    "detect_series",
    "genres_for",
    "language_code",
    "read_number",
    "series_gaps",
    "split_authors",
]

_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_NUM = r"(-?\d+(?:\.\d+)?|[ivxlc]+|" + "|".join(_WORDS) + r")"
_MARK = r"(?:book|bk\.?|vol\.?|volume|part|tome|band|#|no\.|n°)"
# "Title (Series, #4)", "Title (Series Book 1)", "Title (Series, Vol. 2)"
_IN_PARENS = re.compile(rf"^(?P<title>.+?)\s*[(\[](?P<series>[^()\[\]]+?),?\s*{_MARK}\s*{_NUM}[)\]]\s*$", re.I)
# "Series 03 - Title", "Series #3 - Title", "Series Book 3: Title"
_PREFIX = re.compile(rf"^(?P<series>.+?)\s*(?:,\s*)?(?:{_MARK}\s*)?{_NUM}\s*(?:-|\u2013|:)\s+(?P<title>.+)$", re.I)
# "Series Book 3", "Series, Vol. II", "Series #2.5"
_SUFFIX = re.compile(rf"^(?P<series>.+?),?\s+{_MARK}\s*{_NUM}$", re.I)


@dataclass(frozen=True)
class SeriesGuess:
    title: str
    series: str
    index: Decimal | None


def read_number(raw: str) -> Decimal | None:
    """'II', 'three', '2.5' -> a number; None when the text is not one."""
    value = raw.strip().lower()
    if re.fullmatch(r"-?\d+(?:\.\d+)?", value):
        return Decimal(value)
    if value in _WORDS:
        return Decimal(_WORDS[value])
    if re.fullmatch(r"[ivxlc]+", value):
        total, previous = 0, 0
        for ch in reversed(value):
            number = _ROMAN[ch]
            total = total - number if number < previous else total + number
            previous = max(previous, number)
        return Decimal(total)
    return None


def detect_series(title: str) -> SeriesGuess | None:
    """Series name and position from a title; None when the title names no series.
    Plain numbers without a marker ('Catch-22', 'Fahrenheit 451') are not series."""
    text = re.sub(r"\s+", " ", title).strip()
    for pattern, keeps_title in ((_IN_PARENS, True), (_PREFIX, True), (_SUFFIX, False)):
        match = pattern.match(text)
        if not match:
            continue
        index = read_number(match.group(match.re.groups - (1 if pattern is _PREFIX else 0)))
        if pattern is _PREFIX:
            index = read_number(_prefix_number(match))
            if not re.search(rf"{_MARK}\s*{_NUM}\s*(?:-|\u2013|:)|\d\s*(?:-|\u2013)\s", text, re.I):
                continue  # "Title: Subtitle" with a roman/word token is not a series prefix
        series = match.group("series").strip(" ,:-")
        if index is None or not series:
            continue
        return SeriesGuess(match.group("title").strip() if keeps_title else text, series, index)
    return None


def _prefix_number(match: re.Match) -> str:
    groups = [g for g in match.groups() if g is not None]
    return groups[1] if len(groups) >= 3 else ""


def series_gaps(indexes: list[Decimal | float | int | None]) -> list[int]:
    """Whole positions missing between 1 and the highest known one."""
    present = {int(i) for i in indexes if i is not None and Decimal(str(i)) == int(i)}
    if not present:
        return []
    return [n for n in range(1, max(present) + 1) if n not in present]


def split_authors(raw: str) -> list[str]:
    """The writers a line names, as display names: 'A & B', 'A; B', 'A, B and C',
    'Last, First; Last2, First2', 'Lee, Ann, Roe, Bo'; translators, narrators and the like
    are left out (core.authors.parse_people has them with their roles)."""
    people = parse_people(raw)
    writers = [p for p in people if p.role in WRITER_ROLES] or people
    return [p.display for p in writers]


def author_names(values: list[str] | str) -> list[str]:
    names = split_authors(values) if isinstance(values, str) else [n for v in values for n in split_authors(v)]
    seen, unique = set(), []
    for name in names:
        key = author_key(name)
        if key and key not in seen:
            seen.add(key)
            unique.append(name)
    return unique


def author_key(name: str) -> str:
    """'Tolkien, J.R.R.' == 'J. R. R. Tolkien' == 'j.r.r. tolkien' -> 'j r r tolkien'."""
    return comparison_key(author_display_name(name))


def author_sort_key(name: str) -> str:
    return author_sort_name(name)


GENRES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Science Fiction",
        ("science fiction", "sci-fi", "scifi", "space opera", "cyberpunk", "dystopia", "time travel", "space warfare"),
    ),
    ("Fantasy", ("fantasy", "magic", "dragons", "wizards", "sword and sorcery")),
    ("Horror", ("horror", "ghost stories", "vampires", "zombies")),
    ("Mystery", ("mystery", "detective", "crime", "whodunit", "police procedural")),
    ("Thriller", ("thriller", "suspense", "espionage", "spy stories")),
    ("Romance", ("romance", "love stories")),
    ("Historical Fiction", ("historical fiction", "historical novel")),
    ("Young Adult", ("young adult", "juvenile fiction", "teen")),
    ("Children", ("children", "juvenile literature", "picture books")),
    ("Comics", ("comics", "graphic novels", "comic books", "manga")),
    ("Poetry", ("poetry", "poems")),
    ("Biography", ("biography", "autobiography", "memoir")),
    ("History", ("history", "historical")),
    ("Science", ("science", "physics", "astronomy", "biology", "chemistry", "mathematics", "space exploration")),
    ("Philosophy", ("philosophy",)),
    ("Religion", ("religion", "theology", "spirituality")),
    ("Business", ("business", "economics", "management", "finance")),
    ("Self-Help", ("self-help", "self help", "personal development")),
    ("Cooking", ("cooking", "cookery", "recipes")),
    ("Travel", ("travel",)),
    ("Computing", ("computers", "programming", "software")),
)


_GENRE_PATTERNS = tuple(
    (genre, tuple(re.compile(rf"(?<=\W){re.escape(k)}(?=\W)") for k in keywords)) for genre, keywords in GENRES
)


def genres_for(subjects: list[str]) -> list[str]:
    """Map free-form subjects to the small taxonomy, in taxonomy order. A phrase matched by
    a more specific genre is used up ('science fiction' does not also count as 'science')."""
    return list(_genres(tuple(subjects)))


@functools.lru_cache(maxsize=4096)  # a library's books share their subjects (and a file's sources too)
def _genres(subjects: tuple[str, ...]) -> tuple[str, ...]:
    remaining = [f" {fold(s)} " for s in subjects if s]
    found = []
    for genre, patterns in _GENRE_PATTERNS:
        for i, subject in enumerate(remaining):
            if any(p.search(subject) for p in patterns):
                for p in patterns:
                    subject = p.sub(" ", subject)
                remaining[i] = subject
                if genre not in found:
                    found.append(genre)
    return tuple(found)
