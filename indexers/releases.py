"""Pure release-title parsing: from a release name get author(s), title, series and number,
format(s), retail/unabridged flags, language, quality, year and release group.

Handles the common ebook, audiobook and comic styles:
scene dots (`Andy.Weir.-.Project.Hail.Mary.2021.RETAIL.EPUB.eBook-BitBook`),
`Author - Title (Year) [epub]`, `Author - Series 03 - Title`, `Title by Author`,
MAM-style `Title by Author [ENG / M4B]` and comic `Batman 050 (2018) (Digital) (Zone-Empire)`.
No I/O, no Django: the same input always gives the same `ParsedRelease`."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from core.text import author_display_name

EBOOK_FORMATS = (
    "epub",
    "azw3",
    "azw",
    "mobi",
    "pdf",
    "fb2",
    "djvu",
    "lit",
    "rtf",
    "txt",
    "doc",
    "docx",
    "html",
)
AUDIO_FORMATS = ("m4b", "m4a", "mp3", "flac", "aac", "ogg", "opus")
COMIC_FORMATS = ("cbz", "cbr", "cb7")
ALL_FORMATS = EBOOK_FORMATS + AUDIO_FORMATS + COMIC_FORMATS
_FORMAT_ALIASES = {"kindle": "azw3", "kf8": "azw3", "flac24": "flac"}
_LANGUAGES = {
    "eng": "en",
    "en": "en",
    "english": "en",
    "ger": "de",
    "german": "de",
    "deutsch": "de",
    "de": "de",
    "fre": "fr",
    "fra": "fr",
    "french": "fr",
    "fr": "fr",
    "spa": "es",
    "spanish": "es",
    "es": "es",
    "ita": "it",
    "italian": "it",
    "it": "it",
    "dut": "nl",
    "nld": "nl",
    "dutch": "nl",
    "nl": "nl",
    "por": "pt",
    "portuguese": "pt",
    "swe": "sv",
    "swedish": "sv",
    "rus": "ru",
    "russian": "ru",
}
_AUDIO_WORDS = {"audiobook", "audiobooks", "abook", "audible", "aax"}
_EBOOK_WORDS = {"ebook", "ebooks", "e-book"}
_COMIC_WORDS = {"digital", "comic", "comics", "webrip", "c2c", "scan", "scans"}
_NOISE_WORDS = {
    "web",
    "vip",
    "fl",
    "freeleech",
    "repack",
    "proper",
    "multiformat",
    "multi",
    "hq",
    "lq",
    "nfo",
    "illustrated",
    "converted",
    "conv",
    "ocr",
    "cd",
    "mp3cd",
    "rip",
}
_RETAIL = {"retail"}
_UNABRIDGED = {"unabridged", "unabr"}
_ABRIDGED = {"abridged", "abr"}
_QUALITY = re.compile(r"^(\d{2,3})\s?(?:kbps|kbit|kbits|k|kb/s)$", re.I)
_YEAR = re.compile(r"^(1[5-9]\d\d|20\d\d)$")
_EXTENSION = re.compile(r"\.(nzb|torrent|" + "|".join(ALL_FORMATS) + r"|zip|rar)$", re.I)
_BRACKETS = re.compile(r"[\[\(\{]([^\[\]\(\)\{\}]*)[\]\)\}]")
_SEGMENT_SPLIT = re.compile(r"\s+[-\u2013\u2014~]\s+")
_TOKEN_SPLIT = re.compile(r"[\s/,|+_\-]+")
_NARRATOR = re.compile(r"^(?:narrated|read|narr\.?)\s+by\s+(?P<name>.+)$", re.I)
_SERIES_IN_BRACKETS = re.compile(
    r"^(?P<series>.+?)(?:,|\s)\s*(?:book|bk\.?|vol\.?|volume|part|#|no\.?)\s*(?P<number>\d+(?:\.\d+)?)$", re.I
)
_BOOK_OF_SERIES = re.compile(
    r"^(?:book|bk\.?|vol\.?|volume)\s*(?P<number>\d+(?:\.\d+)?)\s+of\s+(?P<series>.+)$", re.I
)
_SERIES_SEGMENT = re.compile(
    r"^(?P<series>.*?)\s*(?:,\s*)?(?:book\s*|bk\.?\s*|vol\.?\s*|volume\s*|part\s*|#|no\.?\s*)?"
    r"(?P<number>\d{1,3}(?:\.\d+)?)$",
    re.I,
)
_TRAILING_NUMBER = re.compile(r"^(?P<series>.+?)\s+#?(?P<number>\d{1,4}(?:\.\d+)?)$")
_BY = re.compile(r"\s+by\s+", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:&|;|\band\b|\bund\b)\s*", re.I)


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

    def absorb(self, token: str, *, two_letter_language: bool = False) -> bool:
        """Record `token` if it is a tag; return whether it was one."""
        word = token.lower().strip(".")
        if not word:
            return True
        if two_letter_language and len(word) == 2 and word in _LANGUAGES:
            self.language = self.language or _LANGUAGES[word]
            return True
        fmt = _FORMAT_ALIASES.get(word, word)
        if fmt in ALL_FORMATS:
            if fmt not in self.formats:
                self.formats.append(fmt)
            return True
        return self._absorb_word(word)

    def _absorb_word(self, word: str) -> bool:
        if word in _RETAIL:
            self.retail = True
        elif word in _UNABRIDGED:
            self.unabridged = True
        elif word in _ABRIDGED:
            self.unabridged = False
        elif word in _AUDIO_WORDS:
            self.kinds.append("audiobook")
        elif word in _EBOOK_WORDS:
            self.kinds.append("ebook")
        elif word in _COMIC_WORDS:
            self.kinds.append("comic")
        elif _YEAR.match(word):
            self.years.append(int(word))
        elif _QUALITY.match(word):
            self.quality = f"{_QUALITY.match(word).group(1)}kbps"
        elif word in _LANGUAGES and len(word) > 2:
            self.language = self.language or _LANGUAGES[word]
        elif word in _NOISE_WORDS:
            pass
        else:
            return False
        return True

    def absorb_all(self, text: str, *, allow_two_letter_language: bool = False) -> bool:
        """Absorb every token of `text` if all are tags; otherwise change nothing."""
        tokens = [t for t in _TOKEN_SPLIT.split(text.strip()) if t]
        if not tokens:
            return True
        trial = _Tags(
            list(self.formats),
            self.retail,
            self.unabridged,
            list(self.years),
            self.language,
            self.quality,
            list(self.kinds),
        )
        for token in tokens:
            if not trial.absorb(token, two_letter_language=allow_two_letter_language):
                return False
        self.__dict__.update(trial.__dict__)
        return True


@dataclass
class _Extra:
    series: str = ""
    series_number: str = ""
    narrator: str = ""
    leftovers: list[str] = field(default_factory=list)


def parse_release(raw: str) -> ParsedRelease:
    """Parse one release title. Never raises on odd input; unknown parts stay empty."""
    text = " ".join((raw or "").split())[:1000]
    if not text:
        return ParsedRelease(raw=raw or "")
    tags, extra = _Tags(), _Extra()
    text = _strip_extension(text, tags)
    text, group = _split_scene(text, tags)
    text = _extract_brackets(text, tags, extra)
    author_part, title, series, number = _split_structure(text, tags)
    series, number = series or extra.series, number or extra.series_number
    if not series and not number and _is_comic(tags):
        series, number, title = _comic_issue(title)
    if not group and _is_comic(tags) and extra.leftovers:
        group = extra.leftovers[-1]
    return ParsedRelease(
        raw=raw,
        title=title,
        authors=_authors(author_part),
        series=series,
        series_number=_clean_number(number),
        format=tags.formats[0] if tags.formats else "",
        formats=tuple(tags.formats),
        retail=tags.retail,
        unabridged=tags.unabridged,
        year=tags.years[-1] if tags.years else None,
        group=group,
        language=tags.language,
        quality=tags.quality,
        narrator=extra.narrator,
        kind_hint=_kind(tags),
    )


def _strip_extension(text: str, tags: _Tags) -> str:
    match = _EXTENSION.search(text)
    if not match:
        return text
    ext = match.group(1).lower()
    if ext in ALL_FORMATS:
        tags.absorb(ext)
    return text[: match.start()]


def _split_scene(text: str, tags: _Tags) -> tuple[str, str]:
    """Scene names have no spaces: `Author.-.Title.2021.RETAIL.EPUB.eBook-GROUP`. Returns the
    spaced text and the group (only when the name before `-GROUP` ends in a tag)."""
    if " " in text:
        return text, ""
    group = ""
    match = re.search(r"-([A-Za-z0-9]{2,24})$", text)
    if match:
        before = re.split(r"[._\-]", text[: match.start()])[-1]
        if _Tags().absorb(before):
            group, text = match.group(1), text[: match.start()]
    text = re.sub(r"[._]-[._]", " - ", text)
    halves = text.split("-")
    if " - " not in text and len(halves) == 2 and all(re.search(r"\w[._]\w", h) for h in halves):
        text = f"{halves[0]} - {halves[1]}"  # Test.Author-Test.Book
    text = re.sub(r"(?<=\w)[._](?=[\w(\[])|(?<=[\])])[._](?=\w)", " ", text)
    text = text.replace("_", " ")
    return " ".join(text.split()), group


def _extract_brackets(text: str, tags: _Tags, extra: _Extra) -> str:
    def replace(match: re.Match) -> str:
        inner = match.group(1).strip()
        if not inner or tags.absorb_all(inner, allow_two_letter_language=True):
            return " "
        narrator = _NARRATOR.match(inner)
        if narrator:
            extra.narrator = narrator.group("name").strip()
            return " "
        series = (
            _SERIES_IN_BRACKETS.match(inner) or _BOOK_OF_SERIES.match(inner) or _SERIES_SEGMENT.match(inner)
        )
        if series and series.group("series").strip(" ,") and not extra.series:
            extra.series, extra.series_number = series.group("series").strip(" ,"), series.group("number")
            return " "
        extra.leftovers.append(inner)
        return " "

    previous = None
    while previous != text:  # nested brackets: innermost first
        previous, text = text, _BRACKETS.sub(replace, text)
    return " ".join(text.replace("[", " ").replace("]", " ").split())


def _strip_tags(segment: str, tags: _Tags, *, keep_last: bool) -> str:
    """Remove tag tokens from the end of a segment (a lone year stays if it is all there is)."""
    tokens = segment.split()
    while tokens:
        last = tokens[-1]
        parts = [p for p in last.split("-") if p]
        if keep_last and len(tokens) == 1 and _YEAR.match(last):
            break
        if parts and _Tags().absorb_all(last):
            tags.absorb_all(last)
            tokens.pop()
            continue
        hyphen = re.match(r"^(.+?)-(.+)$", last)
        if hyphen and tags.absorb_all(hyphen.group(2), allow_two_letter_language=True):
            tokens[-1] = hyphen.group(1)
            continue
        break
    return " ".join(tokens).strip(" -:,")


def _split_structure(text: str, tags: _Tags) -> tuple[str, str, str, str]:
    """-> (author part, title, series, series number)."""
    segments = [s for s in (_strip_tags(s, tags, keep_last=True) for s in _SEGMENT_SPLIT.split(text)) if s]
    segments = [s for s in segments if _YEAR.match(s) or not tags.absorb_all(s)] or segments
    if not segments:
        return "", "", "", ""
    if len(segments) == 1:
        return _title_by_author(segments[0])
    author, rest = segments[0], segments[1:]
    if len(rest) == 1:
        return author, rest[0], "", ""
    for index, segment in enumerate(rest[:-1]):
        match = _SERIES_SEGMENT.match(segment)
        if match:
            series_name = match.group("series").strip(" ,") or " ".join(rest[:index])
            return author, " - ".join(rest[index + 1 :]), series_name, match.group("number")
    return author, " - ".join(rest), "", ""


def _title_by_author(segment: str) -> tuple[str, str, str, str]:
    parts = _BY.split(segment)
    if len(parts) >= 2 and parts[-1] and parts[0]:
        return parts[-1], " by ".join(parts[:-1]), "", ""
    return "", segment, "", ""


def _authors(author_part: str) -> tuple[str, ...]:
    if not author_part:
        return ()
    names = [author_display_name(n) for n in _AUTHOR_SPLIT.split(author_part) if n.strip()]
    return tuple(n for n in names if n)


def _is_comic(tags: _Tags) -> bool:
    return any(f in COMIC_FORMATS for f in tags.formats) or "comic" in tags.kinds


def _comic_issue(title: str) -> tuple[str, str, str]:
    match = _TRAILING_NUMBER.match(title)
    if not match:
        return "", "", title
    return match.group("series"), match.group("number"), title


def _clean_number(number: str) -> str:
    if not number:
        return ""
    if "." in number:
        whole, frac = number.split(".", 1)
        return f"{int(whole)}.{frac}"
    return str(int(number))


def _kind(tags: _Tags) -> str:
    if (
        any(f in AUDIO_FORMATS for f in tags.formats)
        or "audiobook" in tags.kinds
        or tags.unabridged is not None
    ):
        return "audiobook"
    if _is_comic(tags):
        return "comic"
    if any(f in EBOOK_FORMATS for f in tags.formats) or "ebook" in tags.kinds:
        return "ebook"
    return ""
