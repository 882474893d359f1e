"""Title comparison that knows a sequel, a companion or an omnibus from the first book.

Containment is not identity: "Dune Messiah" holds every word of "Dune" and is another book.
Two titles agree only when their main titles have the same significant words (small spelling
differences allowed), their numbers (book, volume, part, issue) are the same and neither is a
collection the other is not. A subtitle on one side only costs a little ("Sapiens" and
"Sapiens: A Brief History of Humankind" are one book); two different subtitles are a conflict.
Pure: no ORM."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from rapidfuzz import fuzz

from core.text import comparison_key
from search.normalise import detect_series, read_number

# Words that do not tell two books apart (articles and particles of the common catalogue languages).
_STOPWORDS = (
    "the a an and of or in on at to for with from by le la les l de des du et un une d der die das und ein eine "
    "dem den el los las y del il lo gli e di o os as do da um uma")
STOPWORDS = frozenset(_STOPWORDS.split())
# Words an edition adds to the same book ("Dune: Deluxe Edition", "The Hobbit (Illustrated)").
_EDITION_WORDS = (
    "edition ed illustrated annotated anniversary deluxe special collectors collector revised unabridged "
    "paperback hardcover hardback kindle ebook novel reprint classics classic tie movie film media "
    "version english original")
EDITION_WORDS = frozenset(_EDITION_WORDS.split())
_ORDINAL = re.compile(r"^\d+(st|nd|rd|th)$")
_NUMBER = r"(\d+(?:\.\d+)?|[ivxlc]+\b|one|two|three|four|five|six|seven|eight|nine|ten)"
_MARKED = re.compile(rf"(?:^|\s|,|\()(?:book|bk|volume|vol|part|pt|tome|band|issue|no|nr|n°|#)\.?\s*{_NUMBER}",
                     re.I)
_COLLECTION = re.compile(
    r"\b(omnibus|collection|collected|anthology|compendium|bundle|box(?:ed)?\s*set|boxset|trilogy|quartet|"
    r"quintet|the complete|complete (?:series|works|novels|stories|saga|chronicles|collection)|"
    r"(?:books|volumes|vols?\.?)\s*\d+\s*(?:-|\u2013|to|&|and|through)\s*\d+|\d+\s*(?:-|in)\s*1\b|\d+[- ]book)\b",
    re.I)
_SUBTITLE_SPLIT = re.compile(r"\s*(?::|;|\s-\s|\s\u2013\s|\s\u2014\s|\(|\[|,\s+(?:or|ou|oder|o)\b)\s*", re.I)
SAME_WORD = 85  # rapidfuzz ratio at which two words are one spelled differently (colour/color)
SAME_SUBTITLE = 0.85
ONE_SIDED_SUBTITLE = 0.1


@dataclass(frozen=True)
class TitleParts:
    main: tuple[str, ...]  # significant words of the main title
    subtitle: tuple[str, ...]  # significant words after ':' / ' - ' / '(' ...
    number: Decimal | None  # book, volume, part or issue number named in the title
    series_note: bool  # the number came from a trailing "(Series, #3)": a series position, not a volume
    collection: bool  # omnibus, box set, "books 1-3", trilogy...


@dataclass(frozen=True)
class TitleComparison:
    penalty: float
    conflicts: tuple[str, ...] = ()
    # another book of the same family: a title with more words, another number, an omnibus
    sequel_risk: bool = False


def significant_words(text: str) -> tuple[str, ...]:
    """The words that tell books apart; all words when a title has nothing else ("It", "Them")."""
    words = tuple(comparison_key(text).split())
    kept = tuple(w for w in words if w not in STOPWORDS and w not in EDITION_WORDS and not _ORDINAL.match(w)
                 and (len(w) > 1 or w.isdigit()))
    return kept or tuple(w for w in words if w not in EDITION_WORDS)


def _marked_number(text: str) -> tuple[Decimal | None, str]:
    found = _MARKED.search(text)
    if not found:
        return None, text
    return read_number(found.group(1)), (text[:found.start()] + " " + text[found.end():]).strip(" ,:")


@lru_cache(maxsize=4096)  # an item's title is compared with each of its candidates
def title_parts(title: str) -> TitleParts:
    text = " ".join(title.split())
    collection = bool(_COLLECTION.search(text))
    guess = detect_series(text)
    number = guess.index if guess else None
    series_note = bool(guess and guess.title != text and text.endswith((")", "]")))
    if guess and guess.title != text:  # "Title (Series, #3)" -> "Title"; "Series, Vol. 1: Title" -> "Series: Title"
        text = guess.title if series_note else f"{guess.series}: {guess.title}"
    marked, text = _marked_number(text)
    number = number if number is not None else marked
    main, _, rest = _split_subtitle(text)
    return TitleParts(significant_words(main), significant_words(rest), number, series_note, collection)


def _split_subtitle(text: str) -> tuple[str, str, str]:
    found = _SUBTITLE_SPLIT.search(text)
    if not found or found.start() == 0:
        return text, "", ""
    return text[:found.start()], found.group(0), text[found.end():]


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if a.isdigit() or b.isdigit() or min(len(a), len(b)) < 4:
        return False
    return fuzz.ratio(a, b) >= SAME_WORD


def _unmatched(words: tuple[str, ...], others: tuple[str, ...]) -> list[str]:
    return [w for w in words if not any(_same_word(w, o) for o in others)]


def _words_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a and not b:
        return 1.0
    return fuzz.token_sort_ratio(" ".join(a), " ".join(b)) / 100.0


def _main_conflict(a: TitleParts, b: TitleParts) -> tuple[float, str, bool]:
    """Penalty, conflict and whether one title contains the other (a sequel's shape)."""
    extra_a, extra_b = _unmatched(a.main, b.main), _unmatched(b.main, a.main)
    if not extra_a and not extra_b:
        return 0.0, "", False
    penalty = round(max(0.5, 1.0 - _words_similarity(a.main, b.main)), 4)
    if extra_a and extra_b:
        return penalty, f"different titles ({' '.join(extra_a)} / {' '.join(extra_b)})", False
    extra = extra_a or extra_b
    return penalty, f"one title has more words ({' '.join(extra)}): a sequel or companion?", True


def _subtitle_penalty(a: TitleParts, b: TitleParts) -> tuple[float, str]:
    if not a.subtitle or not b.subtitle:
        return (ONE_SIDED_SUBTITLE if a.subtitle or b.subtitle else 0.0), ""
    if _words_similarity(a.subtitle, b.subtitle) >= SAME_SUBTITLE:
        return 0.0, ""
    if not _unmatched(a.subtitle, b.subtitle) or not _unmatched(b.subtitle, a.subtitle):
        return ONE_SIDED_SUBTITLE, ""  # one subtitle is the other with more words ("A Novel of ...")
    return 0.6, f"different subtitles ({' '.join(a.subtitle)} / {' '.join(b.subtitle)})"


def _number_conflict(a: TitleParts, b: TitleParts) -> str:
    if a.number is not None and b.number is not None and a.number != b.number:
        return f"numbered {a.number:g} / {b.number:g}"
    one = a if b.number is None else b if a.number is None else None
    if one is not None and one.number is not None and one.number != 1 and not one.series_note:
        return f"numbered {one.number:g} on one side only"
    return ""


def compare_titles(a: str, b: str) -> TitleComparison:
    """Penalty in [0, 1] and the reasons two titles name different books (empty: compatible)."""
    pa, pb = title_parts(a), title_parts(b)
    if not (pa.main or pa.subtitle) or not (pb.main or pb.subtitle):
        return TitleComparison(1.0, ("a title is empty",))
    penalty, main, contained = _main_conflict(pa, pb)
    sub_penalty, sub = _subtitle_penalty(pa, pb)
    conflicts = [c for c in (main, sub) if c]
    penalty = max(penalty, sub_penalty) if sub else min(1.0, penalty + sub_penalty)
    number = _number_conflict(pa, pb)
    if number:
        conflicts.append(number)
        penalty = 1.0
    if pa.collection != pb.collection:
        conflicts.append("a collection or omnibus against a single book")
        penalty = max(penalty, 0.8)
    sequel_risk = contained or bool(number) or pa.collection != pb.collection
    return TitleComparison(round(min(1.0, penalty), 4), tuple(conflicts), sequel_risk)


def best_title_comparison(title: str, others: tuple[str, ...]) -> TitleComparison:
    """The most favourable reading among a record's title variants (with and without its subtitle)."""
    results = [compare_titles(title, o) for o in others if o]
    if not results:
        return TitleComparison(1.0, ("a title is empty",))
    return min(results, key=lambda r: (len(r.conflicts), r.penalty))
