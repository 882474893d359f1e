"""One book or audiobook name (a file stem or a folder name) taken apart: the notes people
add are read and removed (`(Unabridged)`, `[Retail]`, `(z-lib.org)`, ISBNs, `{Narrator}`,
`(Series, #3)`, `(2019)`), then the ` - `-separated parts are classed (year, series index,
`Series 03`, `Series Book 3: Title`, `Side Stories`...). Which of the remaining text parts is
the author and which the title is for the caller to say: it knows the folders
(`scanning.extractors.book_names`). Pure and fast: plain regular expressions, no Django."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from core.isbn import to_isbn13
from core.text import author_display_name

_NUMBER = r"\d{1,3}(?:\.\d{1,2})?"
_MARKER = r"(?:#\s*|(?:book|bk|vol(?:ume)?|part|pt|tome|no|nr)\.?\s*)"
_DIGIT = re.compile(r"\d")
_SEPARATOR = re.compile(r"(?:\s+(?:--?|[\u2013\u2014]))+\s+")
_BRACKET = re.compile(r"[\(\[]([^\(\)\[\]]*)[\)\]]")
_NARRATOR = re.compile(r"\{([^{}]*)\}")
_NARRATED = re.compile(r"^(?:narrated|read|performed)\s+by\s+(?P<names>.+)$", re.I)
_ISBN = re.compile(r"(?:\bISBN(?:-1[03])?[:\s]*)?(?<![\w-])(97[89][\d\s-]{10,14}|\d{9}[\dXx])(?![\w-])", re.I)
_YEAR = re.compile(r"^\(?((?:1[5-9]|20)\d\d)\)?$")
_VERSION = re.compile(r"\s+v\d+(?:\.\d+)+$", re.I)
_ASIN = re.compile(r"^B0[0-9A-Z]{8}$")
_COUNT = re.compile(r"^(?:(?:part|disc|cd|book)\s*)?\d+\s+of\s+\d+$", re.I)  # '(1 of 12)': a track's place
_INDEX_PART = re.compile(rf"^{_MARKER}?(?P<n>{_NUMBER})\.?$", re.I)
_PREFIXED = re.compile(rf"^(?:(?:{_MARKER})(?P<a>{_NUMBER})\.?|(?P<b>{_NUMBER})\.|(?P<c>0\d))\s+(?P<title>.+)$", re.I)
_SERIES_MARKED = re.compile(rf"^(?P<series>.+?)(?:,\s*|\s+){_MARKER}(?P<n>{_NUMBER})(?:\s*-\s*#?{_NUMBER})?$", re.I)
_SERIES_BARE = re.compile(rf"^(?P<series>.*\D)(?:,\s*|\s+)(?P<n>{_NUMBER})(?:\s*-\s*{_NUMBER})?$")
_SERIES_TITLE = re.compile(rf"^(?P<series>.+?),?\s+{_MARKER}(?P<n>{_NUMBER})\s*:\s+(?P<title>.+)$", re.I)
_SERIES_NOVEL = re.compile(r"^(?:an?|the)\s+(?P<series>.+?)\s+(?:novel|novella|story|mystery|thriller|romance)$", re.I)
_SERIES_PHRASE = re.compile(
    r"^(?:(?:side|short|extra|bonus)\s+stor(?:y|ies)|omnibus|gaiden|extras?|prequel|anthology|another\s+story"
    r"|spin-?off|short\s+story\s+collection)$",
    re.I,
)
_NOTE_PARTS = frozenset({"a novel", "a novella", "novel", "a short story"})
_TAG_WORDS = frozenset(
    """
    unabridged abridged retail illustrated edition ed epub epub3 kepub mobi azw azw3 kf8 kfx pdf djvu
    fb2 lit rtf txt doc docx ebook e-book audiobook audio-book mp3 m4b m4a aac flac ogg opus kindle nook
    kobo hq lq ocr ocred scan scanned z-lib z-lib.org z-library zlib zlibrary libgen 1lib b-ok anna's
    annas archive calibre proofed converted dramatized dramatised dramatization full cast annotated
    revised expanded updated special anniversary deluxe collector's collectors uncut unexpurgated
    definitive english eng first second third new version vbr cbr kbps mono stereo true and
    """.split()  # noqa: SIM905 (a word list reads best as words)
)
_TAG_PATTERN = re.compile(
    r"^(?:\d+\s?k(?:bps)?|v\d+(?:\.\d+)*|\d+(?:st|nd|rd|th)|[\w-]+\.(?:org|com|net|to|se|is|io|me|cc|ws|ru|info|li|ac|la|sk|gs|gl|vip))$"
)
_TAG_SPLIT = re.compile(r"[\s,;/+&]+")
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|&|\+|\band\b|\bwith\b)\s*", re.I)
_LIST_MARKS = (",", ";", "&", "+", " and ", " with ", " et al", " et. al")
_ET_AL = re.compile(r",?\s+(?:et\.?\s+al\.?|and\s+others)$", re.I)
_INITIALS = re.compile(r"^(?:[A-Z]\.?)+$")
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "la", "le", "ter", "bin"})
_TITLE_WORDS = frozenset(
    """
    the a an of and in on at to for from with by my your our his her their its into over under is are
    was were be this that these those or nor but not no
    """.split()  # noqa: SIM905 (a word list reads best as words)
)


@dataclass
class Name:
    """What one name says. `texts` are the parts not yet given a role (author, title...)."""

    texts: list[str] = field(default_factory=list)
    whole: str = ""  # the name without its notes: the title when no part is left for it
    series: str = ""
    index: float | None = None
    year: int | None = None
    isbn: str = ""
    narrators: list[str] = field(default_factory=list)
    person_note: str = ""  # '(Jane Doe)': an author (ebooks) or a narrator (audiobooks)
    series_title: str = ""  # a 'Series 03' part, the title when nothing else is
    series_before_index: bool = False  # 'X - Vol 12': X is the series, or the title of a series' book


def clean(raw: str) -> str:
    """NFC; `_` and scene dots as spaces (a bare `-` between such words as ` - `); a `_ `
    (a colon replaced by calibre and others) as `: `; one space; no outer ' .-'."""
    text = unicodedata.normalize("NFC", raw)
    if " " not in text and ("_" in text or text.count(".") >= 2):
        text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text) if "_" not in text else text
        text = text.replace("_", " ")
        if " - " not in text:
            text = re.sub(r"(?<=\w)-(?=[^\W\d])|(?<=[^\W\d])-(?=\w)", " - ", text)
    else:
        text = text.replace("_ ", ": ").replace("_", " ")
    return " ".join(text.split()).strip(" .-")


def is_tag(text: str) -> bool:
    """An edition, format or source note: `Unabridged`, `Retail, EPUB`, `z-lib.org`, `64kbps`."""
    low = text.lower()
    if low in _TAG_WORDS:
        return True
    words = [w for w in _TAG_SPLIT.split(low) if w]
    return bool(words) and all(w in _TAG_WORDS or _TAG_PATTERN.match(w) for w in words)


def is_person(text: str) -> bool:
    """Reads like a person's name: 2-5 capitalised words or initials, no digits, no title words."""
    words = text.split()
    if not 2 <= len(words) <= 5 or _DIGIT.search(text):
        return False
    for i, word in enumerate(words):
        low = word.lower()
        if low in _TITLE_WORDS or (not word[0].isupper() and not (i and low in _PARTICLES)):
            return False
    return True


def are_people(text: str) -> bool:
    """`is_person` for every name of 'A & B', 'Last, First', 'A, B'..."""
    names = split_people(text)
    return bool(names) and all(is_person(n) for n in names)


def split_people(raw: str) -> list[str]:
    """'A & B', 'A and B', 'A; B', 'A, B' (two full names), 'Last, First', 'Last, First & Last, First'."""
    low = raw.lower()
    if not any(mark in low for mark in _LIST_MARKS):  # one name, as most are
        return [raw.strip(" ,")] if raw else []
    names: list[str] = []
    for piece in _AUTHOR_SPLIT.split(_ET_AL.sub("", raw)):
        piece = piece.strip(" ,")
        if "," not in piece:
            names.extend([piece] if piece else [])
            continue
        bits = [b.strip() for b in piece.split(",") if b.strip()]
        if len(bits) == 2 and _inverted(bits[0], bits[1]):
            names.append(author_display_name(piece))
        elif bits and all(len(b.split()) == 1 for b in bits) and len(bits) % 2 == 0:  # 'Lee, Ann, Roe, Bo'
            names.extend(author_display_name(f"{a}, {b}") for a, b in zip(bits[::2], bits[1::2], strict=True))
        else:
            names.extend(bits)
    return names


def _inverted(last: str, first: str) -> bool:
    """'Le Guin, Ursula K.' / 'Osei, N.K.' / 'Calder, Neve' are one name; 'Neve Calder, Kofi Osei' two."""
    last_words, first_words = last.split(), first.split()
    if len(first_words) > 3:
        return False
    return (
        len(last_words) == 1
        or len(first_words) == 1
        or last_words[0].lower() in _PARTICLES
        or all(_INITIALS.match(w) for w in first_words)
    )


def read_name(raw: str, *, audio: bool = False) -> Name:
    """Take one name apart (see the module's docstring)."""
    name = Name()
    text = _take_notes(clean(raw), name, audio=audio)
    parts = [p.strip() for p in _SEPARATOR.split(text) if p.strip(" -")]
    name.whole = " - ".join(parts) or text
    _read_parts(parts, name)
    return name


def _take_notes(text: str, name: Name, *, audio: bool) -> str:
    """Remove `{narrators}`, ISBNs, bracketed notes and a version suffix, recording what they say."""
    if "{" in text:
        for match in _NARRATOR.finditer(text):
            name.narrators.extend(split_people(match.group(1)))
        text = _NARRATOR.sub(" ", text)
    if _DIGIT.search(text):
        text = _ISBN.sub(lambda m: _isbn(m, name), text)
    if "(" in text or "[" in text:
        kept = _BRACKET.sub(lambda m: _note(m.group(1).strip(), name, audio=audio), text)
        text = kept if kept.strip(" -") else text  # a name that is only a note stays a name
    text = _VERSION.sub("", text)
    return " ".join(text.split()).strip(" -:,")


def _isbn(match: re.Match[str], name: Name) -> str:
    isbn = to_isbn13(match.group(1).replace(" ", "").replace("-", "")) or ""
    if not isbn:
        return match.group(0)
    name.isbn = name.isbn or isbn
    return " "


def _note(note: str, name: Name, *, audio: bool) -> str:
    """What one bracketed note says; it is removed from the name (returns ' ')."""
    year = _YEAR.match(note)
    narrated = _NARRATED.match(note)
    if year:
        name.year = name.year or int(year.group(1))
    elif narrated:
        name.narrators.extend(split_people(narrated.group("names")))
    elif _is_dropped(note) or (not name.series and name.index is None and _series_note(note, name)):
        pass
    elif is_person(note) or (audio and ", " in note and all(is_person(n) for n in split_people(note))):
        name.person_note = name.person_note or note
    return " "


def _is_dropped(note: str) -> bool:
    return not note or is_tag(note) or bool(_ASIN.match(note) or _COUNT.match(note))


def _series_note(note: str, name: Name) -> bool:
    """`(Series, #3)`, `(Series 6)`, `(Series 2-5)`, `(S1, #3; S2, #1)` (first wins),
    `[Series 03]`, `(Series Book 3)`, `(Book 3)`, `(A Series Novel)`."""
    for one in note.split(";"):
        one = one.strip()
        index = _INDEX_PART.match(one)
        series = _SERIES_MARKED.match(one) or _SERIES_BARE.match(one)
        if index:
            name.index = float(index.group("n"))
            return True
        if series and not _YEAR.match(series.group("n")):
            name.series, name.index = series.group("series").strip(" ,#"), float(series.group("n"))
            return True
        novel = _SERIES_NOVEL.match(one)
        if novel:
            name.series = novel.group("series")
            return True
    return False


def _read_parts(parts: list[str], name: Name) -> None:
    """Class each ` - ` part; what is left unclassed goes to `name.texts`, in order."""
    texts: list[str] = []
    bare: list[tuple[int, re.Match[str]]] = []
    last = len(parts) - 1
    for i, part in enumerate(parts):
        digits = _DIGIT.search(part) is not None  # most parts have none: most patterns need one
        year = _YEAR.match(part) if digits and (i < last or last > 1) else None
        index = _INDEX_PART.match(part) if digits else None
        if year and name.year is None:
            name.year = int(year.group(1))
        elif last and (is_tag(part) or part.lower() in _NOTE_PARTS):
            continue
        elif index and name.index is None:
            name.index = float(index.group("n"))
            if texts and not name.series and (i < last or len(texts) == 1):
                name.series = texts.pop()  # 'Series - Volume 01', 'Author - Series - 03 - Title'
                name.series_before_index = i == last
        elif last and _SERIES_PHRASE.match(part) and texts and not name.series:
            name.series = texts.pop()  # 'Series - Side Stories'
        elif digits:
            _read_text_part(part, texts, bare, name)
        else:
            texts.append(part)
    if bare and not name.series and name.index is None and len(texts) >= (3 if bare[0][0] else 2):
        position, match = bare[0]
        name.series, name.index = match.group("series").strip(" ,"), float(match.group("n"))
        name.series_title = texts.pop(position)
    name.texts = texts


def _read_text_part(part: str, texts: list[str], bare: list[tuple[int, re.Match[str]]], name: Name) -> None:
    """A part with a number in it: `3. Title`, `Series Book 3: Title`, `Series Vol 2`, `Series 03`."""
    prefixed = _PREFIXED.match(part)
    series_title = _SERIES_TITLE.match(part)
    marked = _SERIES_MARKED.match(part)
    if series_title and not name.series:
        name.series, name.index = series_title.group("series"), float(series_title.group("n"))
        texts.append(series_title.group("title"))
    elif prefixed and name.index is None:
        name.index = float(prefixed.group("a") or prefixed.group("b") or prefixed.group("c"))
        texts.append(prefixed.group("title"))
    elif marked and not name.series and name.index is None:
        name.series, name.index = marked.group("series").strip(" ,"), float(marked.group("n"))
        name.series_title = part
    else:
        bare_match = _SERIES_BARE.match(part)
        if bare_match and not _YEAR.match(bare_match.group("n")):
            bare.append((len(texts), bare_match))
        texts.append(part)
