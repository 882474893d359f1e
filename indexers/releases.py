"""Pure release-title parsing: from a release name get author(s), title, series and number,
format(s), retail/unabridged/repack/proper flags, language, quality, year, narrator and group.

Conventions handled (see tests/names/data/release_titles.jsonl for one case each and more):
- scene names with no spaces, fields joined by `.-.`, `_-_` or a bare `-` between dotted or
  underscored fields: `Jane.Doe-The.Long.Road.RETAIL.EPUB.eBook-GRP`, `Jane_Doe-The_Long_Road-2019-GRP`,
  audiobook scene tails (`-AUDIOBOOK-WEB-EN-2022-GRP`, `-Unabridged-2CD-2019-GRP`);
- spaced words with fields joined by bare hyphens when the first field names people and a tag
  field follows (`Jane Doe-The Long Road-2019-GRP`; `Half-Lit Tower` stays one title);
- the release group after the last tag or bracket: `Title [EPUB]-GRP`, `...EPUB-GRP`;
- trailing technical words, cut at the first sure tag even when unknown scene words follow:
  years, bitrates (`64kbps`, `MP3 @256`, `{MP3 256 kbps}`), `2CD`, `lossless`, `RETAIL`, `eBook`,
  `Unabridged`, `M4B`, glued tags (`[EAC-FLAC]`, `EPUB-eBook`, `AZW3.MOBI`), tag lists
  (`Title - 2017, EPUB, retail`), REPACK/PROPER;
- `Author - Title (Year) [epub]`, `Author - Series 03 - Title`, `Author - [Series 03] - Title`,
  `Author - Title (Series #3)`, `Title (Series #3) - Author`, `Author - Title (retail) (epub)`;
- MAM style `Title by Author [ENG / M4B]`, also `A and B - Subtitle by Writer [ENG / pdf]`;
- narrators: `[Narrated by X]`, `(read by X)`, `- Read by X`, `(Narrator: X)`; `[Author] Title`;
- comics: `Batman 050 (2018) (Digital) (Zone-Empire)`.
No I/O, no Django: the same input always gives the same `ParsedRelease`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from indexers.release_names import looks_like_people, split_authors
from indexers.release_words import (
    ALL_FORMATS,
    AUDIO_FORMATS,
    COMIC_FORMATS,
    EBOOK_FORMATS,
    HARD,
    Tag,
    classify,
    is_glued_tag,
    looks_scene_cased,
)

__all__ = ["ALL_FORMATS", "AUDIO_FORMATS", "COMIC_FORMATS", "EBOOK_FORMATS", "ParsedRelease", "parse_release"]

_EXTENSION = re.compile(r"\.(nzb|torrent|zip|rar|7z|" + "|".join(ALL_FORMATS) + r")$", re.I)
_GROUP = re.compile(r"-([A-Za-z0-9]{2,24})$")
_BRACKETS = re.compile(r"[\[\(\{]([^\[\]\(\)\{\}]*)[\]\)\}]")
_SEGMENT_SPLIT = re.compile(r"\s+[-\u2013\u2014~]+\s+")
_LIST_SPLIT = re.compile(r"[\s/,|+_;&]+")
_PART_SPLIT = re.compile(r"[-.]|(?=@)")
_WORD_SPLIT = re.compile(r"[\s._\-]")
_DOTTED = re.compile(r"\w[._]\w")
_SCENE_DASH = re.compile(r"[._]+-+[._]+")
_SCENE_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)|_")
_KBPS = re.compile(r"(?<=\d)\s+(?=(?:kbps|kbit/?s?|kb/s|kbs)\b)|(?<=@)\s+(?=\d)", re.I)
_SERIES_MARK = "\x01"
_LEADING_AUTHOR = "\x02"
_CONTROL = dict.fromkeys(range(32), " ")  # control characters (and our two markers) never survive
_LEADING_AUTHOR_SEPARATOR = re.compile(r"\s*\x02\s*(?:[-\u2013\u2014~]+\s+)?")
_NARRATOR = re.compile(
    r"(?:^|[\s,;]+)(?:narrated|read|performed|narr\.?)\s+by:?\s+(?P<name>[^,;]+?)\s*$"
    r"|^(?:narrator|narr\.?):?\s+(?P<alone>.+)$",
    re.I,
)
_SERIES_IN_BRACKETS = re.compile(
    r"^(?P<series>.+?)(?:,|\s)\s*(?:book|bk\.?|vol\.?|volume|part|#|no\.?)\s*(?P<number>\d+(?:\.\d+)?)$", re.I
)
_BOOK_OF_SERIES = re.compile(
    r"^(?:book|bk\.?|vol\.?|volume)\s*(?P<number>\d+(?:\.\d+)?)\s+(?:of|in)\s+(?:the\s+)?(?P<series>.+)$", re.I
)
_SERIES_SEGMENT = re.compile(
    r"^(?P<series>.*?)\s*(?:,\s*)?(?:book\s*|bk\.?\s*|vol\.?\s*|volume\s*|part\s*|#|no\.?\s*)?"
    r"(?P<number>\d{1,3}(?:\.\d+)?)$",
    re.I,
)
_TRAILING_NUMBER = re.compile(r"^(?P<series>.+?)\s+#?(?P<number>\d{1,4}(?:\.\d+)?)$")
_BY = re.compile(r"\s+by\s+", re.I)


@dataclass(frozen=True)
class ParsedRelease:
    raw: str
    title: str = ""
    authors: tuple[str, ...] = ()
    series: str = ""
    series_number: str = ""
    format: str = ""
    formats: tuple[str, ...] = ()
    retail: bool = False
    unabridged: bool | None = None
    year: int | None = None
    group: str = ""
    language: str = ""
    quality: str = ""
    narrator: str = ""
    kind_hint: str = ""  # ebook | audiobook | comic | "" (unknown)
    repack: bool = False  # REPACK/RERIP: a fixed re-release of the same group's release
    proper: bool = False  # PROPER: another group's fix of a flawed release

    def as_dict(self) -> dict:
        data = asdict(self)
        data["authors"] = list(self.authors)
        data["formats"] = list(self.formats)
        return data


@dataclass
class _Tags:
    formats: list[str] = field(default_factory=list)
    retail: bool = False
    unabridged: bool | None = None
    years: list[int] = field(default_factory=list)
    language: str = ""
    quality: str = ""
    kinds: list[str] = field(default_factory=list)
    repack: bool = False
    proper: bool = False

    def add(self, tag: Tag) -> None:
        kind, value = tag.kind, tag.value
        if kind == "format":
            if value not in self.formats:
                self.formats.append(value)
        elif kind == "year":
            self.years.append(int(value))
        elif kind == "language":
            self.language = self.language or value
        elif kind == "quality":
            self.quality = self.quality or value
        elif kind == "kind":
            self.kinds.append(value)
        elif kind == "retail":
            self.retail = True
        elif kind == "unabridged":
            self.unabridged = True
        elif kind == "abridged":
            self.unabridged = False
        elif kind == "repack":
            self.repack = True
        elif kind == "proper":
            self.proper = True

    def add_all(self, found: Iterable[Tag]) -> None:
        for tag in found:
            self.add(tag)


@dataclass
class _Extra:
    series: str = ""
    series_number: str = ""
    narrator: str = ""
    mam: bool = False  # a `[ENG / EPUB]` bracket: the `Title by Author` style
    scene: bool = False  # no spaces in the name: dots and underscores were separators
    leftovers: list[str] = field(default_factory=list)


def parse_release(raw: str) -> ParsedRelease:
    """Parse one release title. Never raises on odd input; unknown parts stay empty."""
    text = " ".join((raw or "").translate(_CONTROL).split())[:1000]
    if not text:
        return ParsedRelease(raw=raw or "")
    tags, extra = _Tags(), _Extra()
    text = _strip_extension(text, tags)
    text, group = _take_group(text)
    text = _unscene(text, extra)
    if "@" in text or "kb" in text.lower():
        text = _KBPS.sub("", text)
    if "(" in text or "[" in text or "{" in text:
        text = _extract_brackets(text, tags, extra)
    author_part, title, series, number = _split_structure(text, tags, extra)
    series, number = series or extra.series, number or extra.series_number
    comic = _is_comic(tags)
    if comic and not series and not number:
        series, number = _comic_issue(title)
    if comic and not group and extra.leftovers:
        group = extra.leftovers[-1]
    formats = _in_written_order(tags.formats, raw)
    return ParsedRelease(
        raw=raw,
        title=title,
        authors=split_authors(author_part, scene=extra.scene),
        series=series,
        series_number=_clean_number(number),
        format=formats[0] if formats else "",
        formats=formats,
        retail=tags.retail,
        unabridged=tags.unabridged,
        year=tags.years[-1] if tags.years else None,
        group=group,
        language=tags.language,
        quality=tags.quality,
        narrator=extra.narrator,
        kind_hint=_kind(tags),
        repack=tags.repack,
        proper=tags.proper,
    )


def _in_written_order(formats: list[str], raw: str) -> tuple[str, ...]:
    """`AZW3.MOBI` -> (azw3, mobi) although the extension `.MOBI` was read first; aliases (kindle) last."""
    if len(formats) < 2:
        return tuple(formats)
    lowered = raw.lower()
    return tuple(sorted(formats, key=lambda f: lowered.find(f) if f in lowered else len(lowered)))


def _token_tags(token: str, *, two_letter: bool = False) -> tuple[Tag, ...] | None:
    """The tags a token stands for (`EPUB-eBook`, `AZW3.MOBI` are two), or None if any part is not one."""
    return _cached_token_tags(token, two_letter)


@lru_cache(maxsize=16384)
def _cached_token_tags(token: str, two_letter: bool) -> tuple[Tag, ...] | None:
    tag = classify(token, two_letter_language=two_letter)
    if tag:
        return (tag,)
    parts = [p for p in _PART_SPLIT.split(token) if p]
    if len(parts) < 2:
        return None
    found = tuple(classify(p, two_letter_language=two_letter) for p in parts)
    return None if None in found else found  # type: ignore[return-value]


def _list_tags(text: str, *, two_letter: bool, tolerant: bool = False) -> list[Tag] | None:
    """Tags of a tag list (`EPUB, retail, 2017`, `ENG / M4B`), or None if a word is not a tag.
    Scene-cased unknown words (`iNTERNAL`) are tolerated beside a sure tag; in a bracket
    (`tolerant`) any unknown words are, when fewer than the tags (`[EPUB RETAIL FoXiE]`)."""
    found: list[Tag] = []
    unknown = 0
    for token in _LIST_SPLIT.split(text):
        if not token:
            continue
        tags = _token_tags(token, two_letter=two_letter)
        if tags:
            found.extend(tags)
        elif tolerant or looks_scene_cased(token):
            unknown += 1
        else:
            return None
    if not found or (unknown and (unknown >= len(found) or all(t.strength < HARD for t in found))):
        return None
    return found


def _strip_extension(text: str, tags: _Tags) -> str:
    for _ in range(2):  # `x.epub.torrent`
        match = _EXTENSION.search(text)
        if not match:
            break
        ext = match.group(1).lower()
        if ext in ALL_FORMATS:
            tags.add(Tag("format", ext, HARD))
        text = text[: match.start()]
    return text


def _take_group(text: str) -> tuple[str, str]:
    """`...EPUB-GRP`, `Title [EPUB]-GRP`, `...-2019-GRP`: a group follows a tag or a bracket."""
    match = _GROUP.search(text)
    if not match or is_glued_tag(match.group(1)):
        return text, ""
    before = text[: match.start()]
    if before.endswith((")", "]", "}")):
        return before.rstrip(), match.group(1)
    last = _WORD_SPLIT.split(before)[-1]
    if last and _token_tags(last, two_letter=last.isupper()):
        return before, match.group(1)
    return text, ""


def _unscene(text: str, extra: _Extra) -> str:
    """Scene names have no spaces: dots/underscores separate words, `.-.` or a bare `-` between
    dotted fields separates fields (`Jane.Doe-The.Long.Road-2019`); `Spider-Man.Homecoming` stays."""
    if " " in text:
        text = " ".join(text.replace("_", " ").split())
        return _spaced_fields(text) if "-" in text and not _SEGMENT_SPLIT.search(text) else text
    extra.scene = True
    parts = []
    for part in _SCENE_DASH.split(text):
        fields = part.split("-")
        merged = [fields[0]]
        for item in fields[1:]:
            if _is_field(merged[-1]) and _is_field(item):
                merged.append(item)
            else:
                merged[-1] = f"{merged[-1]}-{item}"
        parts.extend(merged)
    spaced = (_SCENE_DOT.sub(" ", p).strip() for p in parts)
    return " - ".join(p for p in spaced if p)


def _is_field(text: str, *, spaced: bool = False) -> bool:
    if not text:
        return False
    if (" " in text if spaced else _DOTTED.search(text)) or (text[0] in "([{" and text[-1] in ")]}"):
        return True
    return bool(_list_tags(text, two_letter=text.isupper()))


def _spaced_fields(text: str) -> str:
    """`Dylan Hale-Cautionary Tale-CD-FLAC-2016`: spaced words, fields joined by bare hyphens, read
    as fields only beside a tag field and when the first one names people (`Half-Blood Prince` stays)."""
    fields = text.split("-")
    if len(fields) < 3 or not any(_list_tags(f, two_letter=f.isupper()) for f in fields[1:]):
        return text
    merged = [fields[0]]
    for item in fields[1:]:
        first = len(merged) == 1
        if (
            _is_field(merged[-1], spaced=True)
            and _is_field(item, spaced=True)
            and (not first or looks_like_people(merged[0]))
        ):
            merged.append(item)
        else:
            merged[-1] = f"{merged[-1]}-{item}"
    return " - ".join(m.strip() for m in merged)


def _extract_brackets(text: str, tags: _Tags, extra: _Extra) -> str:
    def replace(match: re.Match) -> str:
        inner = match.group(1).strip(" ._-")
        if match.start() == 0 and looks_like_people(inner) and not _list_tags(inner, two_letter=True):
            return f"{inner} {_LEADING_AUTHOR} "  # `[Jane Doe] Title`: the author in front
        return _bracket(inner, tags, extra) if inner else " "

    text, count = _BRACKETS.subn(replace, text)
    while count and ("(" in text or "[" in text or "{" in text):  # nested brackets: innermost first
        text, count = _BRACKETS.subn(replace, text)
    if _LEADING_AUTHOR in text:
        text = _LEADING_AUTHOR_SEPARATOR.sub(" - ", text, count=1)
    return " ".join(text.replace("[", " ").replace("]", " ").split())


def _bracket(inner: str, tags: _Tags, extra: _Extra) -> str:
    """What a bracket is: tags, narrator, series (left as a marker for the structure), or leftover."""
    narrator = _NARRATOR.search(inner)
    if narrator:
        extra.narrator = extra.narrator or (narrator.group("name") or narrator.group("alone")).strip()
        return " "
    found = _list_tags(inner, two_letter=True, tolerant=True)
    if found:
        tags.add_all(found)
        extra.mam = extra.mam or "/" in inner
        return " "
    series = _SERIES_IN_BRACKETS.match(inner) or _BOOK_OF_SERIES.match(inner) or _SERIES_SEGMENT.match(inner)
    if series and series.group("series").strip(" ,") and not extra.series:
        extra.series, extra.series_number = series.group("series").strip(" ,"), series.group("number")
        return f" {_SERIES_MARK} "
    head = classify(inner.split("-", 1)[0])
    if head and head.value == "comic":  # `(Digital-Empire)`: the scanner's group tag
        tags.add(head)
    extra.leftovers.append(inner)
    return " "


def _shouty(token: str) -> bool:
    """`WEB`, `iNTERNAL`: written as a scene tag, not as a title word (`Web`, `web`)."""
    return not (token.islower() or token.istitle())


def _running_tag(token: str, found: tuple[Tag, ...] | None) -> bool:
    """Whether a word inside running text is a tag: sure tags and years always, words that are
    also ordinary words (Proper, German) only when written as scene tags."""
    if not found:
        return False
    return all(t.strength == HARD or t.kind == "year" for t in found) or _shouty(token)


def _unglue(tokens: list[str]) -> list[str]:
    """`Road-EPUB-eBook` -> `Road`, `EPUB-eBook` (a tag glued to a title word by a hyphen)."""
    out = []
    for token in tokens:
        cut = token.find("-", 1) if len(token) > 2 else -1
        while cut > 0:
            suffix = token[cut + 1 :]
            if not suffix.istitle() and _token_tags(suffix, two_letter=suffix.isupper()):
                out.append(token[:cut])
                token = token[cut + 1 :]
                break
            cut = token.find("-", cut + 1)
        out.append(token)
    return out


def _strip_tail(segment: str, tags: _Tags) -> str:
    """Remove the technical tail: from the first sure tag after which tags are at least as many
    as unknown words (unknown scene words do not stop it), then tags just before it."""
    tokens = segment.split()
    if "-" in segment:
        tokens = _unglue(tokens)
    found = [_token_tags(t, two_letter=len(t) == 2 and t.isupper()) for t in tokens]
    cut = len(tokens)
    for index in range(1, len(tokens)):
        here = found[index]
        if here and any(t.strength == HARD for t in here):
            known = sum(1 for f in found[index:] if f)
            if known * 2 >= len(tokens) - index:
                cut = index
                break
    while cut > 1 and (
        _running_tag(tokens[cut - 1], found[cut - 1]) or (cut < len(tokens) and looks_scene_cased(tokens[cut - 1]))
    ):
        cut -= 1
    for item in found[cut:]:
        if item:
            tags.add_all(item)
    return " ".join(tokens[:cut]).strip(" -:,;")


def _narrator_out(segment: str, extra: _Extra) -> str:
    match = _NARRATOR.search(segment)
    if not match:
        return segment
    extra.narrator = extra.narrator or (match.group("name") or match.group("alone")).strip()
    return segment[: match.start()].strip(" ,;-")


def _segments(text: str, tags: _Tags, extra: _Extra) -> list[str]:
    """The content segments between ` - `; tag-only segments are absorbed (a lone year or
    two-letter word stays when it is the only candidate for the title: `George Orwell - 1984`)."""
    cleaned: list[tuple[str, list[Tag] | None]] = []
    for raw in _SEGMENT_SPLIT.split(text):
        found = _list_tags(raw, two_letter=raw.isupper())
        if found is None and " " not in raw and cleaned and cleaned[-1][1] and extra.scene:
            found = []  # an unknown scene word among the tag fields: `-AUDIOBOOK-WEB-XX-2021-`
        segment = raw if found is not None else _narrator_out(_strip_tail(raw, tags), extra)
        if segment.replace(_SERIES_MARK, "").strip() or found is not None:
            cleaned.append((segment, found))
        elif _SERIES_MARK in segment:
            cleaned.append((_SERIES_MARK, None))
    others = sum(1 for _, found in cleaned if found is None)
    hard = [bool(f) and any(t.strength == HARD for t in f) for _, f in cleaned]
    kept = []
    for index, (segment, found) in enumerate(cleaned):
        beside_hard = (index and hard[index - 1]) or (index + 1 < len(hard) and hard[index + 1])
        if found is not None and (others >= 2 or not found or hard[index] or beside_hard):
            tags.add_all(found)
        else:
            kept.append(segment)
    return kept


def _split_structure(text: str, tags: _Tags, extra: _Extra) -> tuple[str, str, str, str]:
    """-> (author part, title, series, series number)."""
    segments = _segments(text, tags, extra)
    marked = [_SERIES_MARK in s for s in segments]
    segments = [" ".join(s.replace(_SERIES_MARK, " ").split()) for s in segments]
    contents = [s for s in segments if s]
    if not contents:
        return "", "", "", ""
    by_split = _by_split(contents, extra)
    if by_split:
        return by_split
    if len(contents) == 1:
        return "", contents[0], "", ""
    if len(contents) == 2 and marked[0] and segments[0]:  # `Title (Series #3) - Author`
        return contents[1], contents[0], "", ""
    author, rest = contents[0], contents[1:]
    if len(rest) == 1:
        return author, rest[0], "", ""
    for index, segment in enumerate(rest[:-1]):
        match = _SERIES_SEGMENT.match(segment)
        if match:
            series_name = match.group("series").strip(" ,") or " - ".join(rest[:index])
            return author, " - ".join(rest[index + 1 :]), series_name, match.group("number")
    return author, " - ".join(rest), "", ""


def _by_split(contents: list[str], extra: _Extra) -> tuple[str, str, str, str] | None:
    """`Title by Author` (MAM); with ` - ` segments only when the part before ` - ` is not itself a
    list of people (`Pride and Prejudice - Notes by Jane Doe`, not `Ann Lee - Stand by Me`)."""
    last = contents[-1]
    parts = _BY.split(last)
    if len(parts) < 2 or not parts[0] or not parts[-1]:
        return None
    author = parts[-1]
    if len(contents) > 1 and not extra.mam and (looks_like_people(contents[0]) or not looks_like_people(author)):
        return None
    title = " - ".join([*contents[:-1], " by ".join(parts[:-1])])
    return author, title, "", ""


def _is_comic(tags: _Tags) -> bool:
    return any(f in COMIC_FORMATS for f in tags.formats) or "comic" in tags.kinds


def _comic_issue(title: str) -> tuple[str, str]:
    match = _TRAILING_NUMBER.match(title)
    if not match:
        return "", ""
    return match.group("series"), match.group("number")


def _clean_number(number: str) -> str:
    if not number:
        return ""
    if "." in number:
        whole, frac = number.split(".", 1)
        return f"{int(whole)}.{frac}"
    return str(int(number))


def _kind(tags: _Tags) -> str:
    if any(f in AUDIO_FORMATS for f in tags.formats) or "audiobook" in tags.kinds or tags.unabridged is not None:
        return "audiobook"
    if _is_comic(tags):
        return "comic"
    if any(f in EBOOK_FORMATS for f in tags.formats) or "ebook" in tags.kinds:
        return "ebook"
    return ""
