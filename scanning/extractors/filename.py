"""The weakest source: what a path says. Understands `Author - Series NN - Title`,
`Author/Title (Year)/...`, calibre's `Author/Title (id)/Title - Author.ext`, audiobook
folders with disc sub-folders, and comics like `Series v2 #012 (2019)`."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

from core.text import comparison_key
from scanning.extractors.base import ExtractedMetadata, Person, build
from scanning.extractors.comic_names import issue_number, parse_comic_name

CONFIDENCE = 0.3
_DISC = re.compile(r"^(?:cd|disc|disk|part|teil|vol(?:ume)?)[\s._-]*\d+\b.*$", re.I)
_YEAR_SUFFIX = re.compile(r"\s*[\(\[]((?:1[5-9]|20)\d\d)[\)\]]\s*$")
_ID_SUFFIX = re.compile(r"\s*\((\d{1,7})\)\s*$")  # calibre's book id folder suffix
_BRACKETS = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]")
_SERIES_PART = re.compile(
    r"^\[?(?P<series>.+?)[\s,]+(?:#|no\.?\s*|book\s+|vol\.?\s*)?(?P<index>\d+(?:\.\d+)?)\]?$", re.I
)
_PART_SEPARATOR = re.compile("\\s+[-\u2013\u2014]\\s+")
_AUTHOR_SEPARATOR = re.compile(r"\s*(?:;|&|\band\b)\s*")
_LEADING_NUMBER = re.compile(r"^(?P<index>\d{1,3}(?:\.\d+)?)\s*[-._)]\s*(?P<title>.+)$")


def _clean(name: str) -> str:
    """NFC, underscores as spaces, whitespace runs as one space, no leading or trailing ' .-'.
    (str.split() and re's \\s agree on what whitespace is; the outer spaces go either way.)"""
    text = unicodedata.normalize("NFC", name).replace("_", " ")
    return " ".join(text.split()).strip(" .-")


def _split(stem: str) -> list[str]:
    """'Author - Series 01 - Title' -> parts; a leading track/book number is not a part."""
    parts = [p.strip() for p in _PART_SEPARATOR.split(stem) if p.strip()]
    return [stem] if parts and parts[0].replace(".", "").isdigit() else parts


def _year(text: str) -> tuple[str, int | None]:
    match = _YEAR_SUFFIX.search(text)
    return (text[: match.start()].strip(), int(match.group(1))) if match else (text, None)


def _series(part: str) -> tuple[str, float | None]:
    match = _SERIES_PART.match(part)
    if match and not part.isdigit():
        return _clean(match.group("series")), float(match.group("index"))
    return "", None


def _meta(source_parts: dict[str, object]) -> ExtractedMetadata:
    return build("filename", CONFIDENCE, **source_parts)


def _authors(raw: str) -> tuple[Person, ...]:
    names = (_clean(n) for n in _AUTHOR_SEPARATOR.split(raw))
    return tuple(Person(n) for n in names if n)


def parse_ebook(path: str) -> ExtractedMetadata:
    p = PurePath(path)
    stem = _clean(p.stem)
    folders = [_clean(x) for x in p.parts[:-1] if x not in ("/", "")]
    parent_title, parent_year = _year(folders[-1]) if folders else ("", None)
    if parent_year is None:
        parent_title = _ID_SUFFIX.sub("", parent_title)  # calibre's 'Title (123)'
    parent = parent_title
    grandparent = folders[-2] if len(folders) > 1 else ""
    stem, year = _year(stem)
    parts = _split(stem)
    values: dict[str, object] = {"year": year}
    if len(parts) == 2 and comparison_key(parts[0]) == comparison_key(parent_title) and grandparent:
        parts = [parts[1], parts[0]]  # calibre: 'Title - Author' inside Author/Title (id)/
    if len(parts) >= 3:
        series, index = _series(parts[1])
        values.update(
            people=_authors(parts[0]),
            series=series or parts[1],
            series_index=index,
            title=" - ".join(parts[2:]),
        )
    elif len(parts) == 2:
        values.update(people=_authors(parts[0]), title=parts[1])
    else:
        number = _LEADING_NUMBER.match(stem)
        title = number.group("title") if number else stem
        if number and grandparent:  # Author/Series/03 - Title.epub
            values.update(
                series=parent_title, series_index=float(number.group("index")), people=_authors(grandparent)
            )
        elif parent and comparison_key(parent_title) == comparison_key(title) and grandparent:
            values.update(people=_authors(grandparent))  # Author/Title (Year)/Title.epub
        elif parent:
            values.update(people=_authors(parent))  # Author/Title.epub
        values.update(title=title)
    values["year"] = values.get("year") or parent_year
    values["title"] = _BRACKETS.sub("", str(values.get("title", ""))).strip() or values.get("title", "")
    return _meta(values)


def parse_comic(path: str) -> ExtractedMetadata:
    """See scanning.extractors.comic_names; the title is made up (`Series #3`) when the name has none."""
    name = parse_comic_name(path)
    made_up = f"{name.series} #{name.issue}" if name.series and name.issue else name.series
    return _meta(
        {
            "series": name.series,
            "volume": name.volume,
            "issue": name.issue,
            "series_index": issue_number(name.issue) if name.issue else None,
            "year": name.year,
            "title": name.title or made_up,
            "issue_count": name.issue_count,
            "special": name.special,
        }
    )


def audiobook_folder(path: str) -> PurePath:
    """The folder that is the book: the file's folder, or its parent for CD1/Disc 2/Part 3."""
    folder = PurePath(path).parent
    while _DISC.match(folder.name) and folder.parent != folder:
        folder = folder.parent
    return folder


def parse_audiobook(path: str) -> ExtractedMetadata:
    folder = audiobook_folder(path)
    names = [_clean(x) for x in folder.parts if x not in ("/", "")]
    if not names:
        return parse_ebook(path)
    title, year = _year(names[-1])
    parts = _split(title)
    values: dict[str, object] = {"year": year}
    number = _LEADING_NUMBER.match(title)
    if len(parts) >= 2:
        values.update(people=_authors(parts[0]), title=parts[-1])
        if len(parts) >= 3:
            series, index = _series(parts[1])
            values.update(series=series or parts[1], series_index=index)
    elif number and len(names) >= 3:  # Author/Series/01 - Title
        values.update(
            people=_authors(names[-3]),
            series=names[-2],
            series_index=float(number.group("index")),
            title=number.group("title"),
        )
    else:
        values.update(title=title, people=_authors(names[-2]) if len(names) >= 2 else ())
    return _meta(values)


PARSERS = {"ebook": parse_ebook, "comic": parse_comic, "audiobook": parse_audiobook}


def parse_path(path: str, kind: str) -> ExtractedMetadata:
    return PARSERS[kind](path)


def as_json(meta: ExtractedMetadata) -> dict[str, object]:
    """The command-line view: title, authors, series, series_index, volume, issue, year + extras."""
    out: dict[str, object] = {
        "title": meta.title,
        "authors": [p.name for p in meta.authors],
        "series": meta.series or None,
        "series_index": meta.series_index,
        "volume": meta.volume or None,
        "issue": meta.issue or None,
        "year": meta.year,
    }
    narrators = [p.name for p in meta.people if p.role == "narrator"]
    if narrators:
        out["narrators"] = narrators
    if meta.issue_count is not None:
        out["issue_count"] = meta.issue_count
    if meta.special:
        out["special"] = meta.special
    return out
