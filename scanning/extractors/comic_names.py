"""Comic file names as people write them: `Series v2 #012 (of 6) (2019) (digital) (Group).cbz`,
manga `Series v01 c003`, `Series Vol.1 Ch.3`, other languages' markers (Tome, T03, Band, Том,
Глава, 第3巻, 3권, เล่ม 3), a volume year before the issue (`Ravens (1988) #12 (1990)`), a date
(`Ravens, 1999-04-01 (#03)`), suffixed and fractional issues (`12.HU`, `7A`, `½`, `-1`), ranges
(`1-6`), flags (Annual, TPB, One-Shot, Special, GN, HC) and the folders above the file
(`Series (2019)/`, `Series/Volume 2/`). Pure: no Django, no files read.

How a name is read: bracketed groups are taken out and classified (year, date, `of N`, `#N`,
volume, flag, or a release tag that is dropped); marked numbers (`#`, `No.`, `Vol.`, `c003`,
CJK counters...) become tokens; then the issue is the marked one, or else the last plain
number that is not a year after another number, nor a number starting the series (`100
Bullets`). Text before the first number or marker is the series (a `Title - Subtitle 02`
series keeps its dash: `:` cannot be in a file name); text after the issue is the title."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_NUM = r"-?(?:\d+(?:\.\d+)?[½¼¾]?|[½¼¾])(?:-\d+(?:\.\d+)?)?(?:\.?[A-Za-z]{1,3}(?![A-Za-z]))?"
_END = r"(?![\w½¼¾])"
_VOLUME_MARK = re.compile(
    rf"(?<![\w'\x01])(?:(?:volumen|volume|vol\.?|tome|tomo|band|bd\.|livre|deel|book|том|т\.)\s*|[vt]\.?)({_NUM}){_END}",
    re.I,
)
_ISSUE_MARK = re.compile(
    rf"(?:#\s*|(?<![\w'\x01])(?:(?:№|n[º°]\.?|no\.?|nr\.?|issue|iss\.|chapter|chap\.?|ch\.?|episode|ep\.?|глава|гл\.|"
    rf"выпуск|heft|cap[ií]tulo|cap\.|chapitre|kapitel|capitolo|num[ée]ro)\s*|c))({_NUM}){_END}",
    re.I,
)
_CJK_VOLUME = re.compile(r"(?:第|제)?\s*(\d+(?:\.\d+)?)\s*(?:巻|卷|권|冊)|เล่ม(?:ที่)?\s*(\d+(?:\.\d+)?)")
_CJK_ISSUE = re.compile(r"(?:第|제)?\s*(\d+(?:\.\d+)?)\s*(?:話|话|回|화|章|集)|ตอน(?:ที่)?\s*(\d+(?:\.\d+)?)")
_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)-(?:0[1-9]|1[0-2])(?:-\d\d)?(?!\d)")
_TAG_WORDS = re.compile(r"(?<!\w)(?:c2c|ctc)(?!\w)", re.I)
_ONE_SHOT = re.compile(r"\bone[\s-]?shot\b", re.I)
_GRAPHIC_NOVEL = re.compile(r"\bgraphic[\s-]novel\b", re.I)
_GROUP = re.compile(r"[(\[{]([^()\[\]{}]*)[)\]}]")
_BARE_NUM = re.compile(_NUM)
_NAME_DOT = re.compile(r"(?<!\d)\.|\.(?!\d{1,2}(?!\d))")  # not the dot of `12.5`
_PAGE = re.compile(r"p\d{1,4}", re.I)  # a page marker in scanlation names: `c003 (v01) - p000`
_YEAR = re.compile(r"((?:19|20)\d\d)(?:\s*-\s*(?:(?:19|20)\d\d)?)?")
_DATE_GROUP = re.compile(
    r"(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s*|\d{1,2}(?:,?\s|[-/.]))*"
    r"((?:19|20)\d\d)(?:[-/. ]\d{1,2}){0,2}",
    re.I,
)
_OF = re.compile(r"(?:(?P<issue>[^\s]+)\s+)?(?:of|de|из|/)\s*(?P<count>\d{1,4})", re.I)
_ISSUE_ONLY = re.compile(rf"#\s*({_NUM})")
_DIGITS = str.maketrans({chr(0xFF10 + d): str(d) for d in range(10)})  # full-width digits
_FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75}
_LEADING_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_DASHES = frozenset({"-", "\u2013", "\u2014", ":", "|", "~"})
_TAGS = frozenset({"c2c", "ctc", "digital", "webrip", "web-rip", "noads", "repack", "hd", "hq"})
# flag -> (name given, kept in the series): an Annual is a series of its own on Comic Vine
_SPECIALS = {
    "annual": ("Annual", True),
    "special": ("Special", True),
    "tpb": ("TPB", False),
    "one-shot": ("One-Shot", False),
    "oneshot": ("One-Shot", False),
    "gn": ("GN", False),
    "ogn": ("GN", False),
    "graphic-novel": ("GN", False),
    "hc": ("HC", False),
    "omnibus": ("Omnibus", False),
    "fcbd": ("FCBD", False),
}
_COMIC_SUFFIXES = frozenset(
    {"cbz", "cbr", "cb7", "cbt", "cba", "zip", "rar", "7z", "tar", "pdf", "epub", "jpg", "jpeg", "png", "webp"}
)
_GENERIC_FOLDERS = frozenset(
    {"comics", "comic", "manga", "mangas", "books", "library", "downloads", "download", "incoming", "complete"}
)
_STRUCTURAL = frozenset({"volume", "issue", "date", "year", "group", "flag", "of"})
_MAX_YEAR = 2039  # a bare 4-digit number past this is part of the name (`Space Patrol 2099`)


@dataclass(frozen=True)
class ComicName:
    series: str = ""
    issue: str = ""
    volume: str = ""
    year: int | None = None
    title: str = ""
    issue_count: int | None = None
    special: str = ""


@dataclass
class _Found:
    """What the groups and marked tokens of one name said."""

    issue: str = ""
    volume: str = ""
    year: int | None = None
    volume_year: int | None = None
    issue_count: int | None = None
    special: str = ""


def parse_comic_name(path: str) -> ComicName:
    """The comic a path names; `path` may hold folders ('/' or '\\')."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts:
        return ComicName()
    stem = _normalise(_strip_suffix(parts[-1]))
    folder, volume_folder = _from_folders(parts[:-1])
    confirmed = bool(folder.series) and _starts_with(stem, folder.series)
    own = _parse_stem(stem[len(folder.series) :] if confirmed else stem, series=folder.series if confirmed else "")
    if own.series and not confirmed:  # the folder names some other series
        folder = ComicName()
    return ComicName(
        series=own.series or folder.series,
        issue=own.issue,
        volume=own.volume or volume_folder or folder.volume,
        year=own.year or folder.year,
        title=own.title,
        issue_count=own.issue_count,
        special=own.special,
    )


def issue_number(issue: str) -> float | None:
    """'12.HU' -> 12.0, '1½' -> 1.5, '½' -> 0.5, '1-6' -> 1.0; None for '' or a negative issue."""
    match = _LEADING_NUMBER.match(issue)
    value = float(match.group(0)) if match else 0.0
    rest = issue[match.end() :] if match else issue
    value += _FRACTIONS.get(rest[:1], 0.0)
    if not match and rest[:1] not in _FRACTIONS:
        return None
    return value if value >= 0 else None


def _strip_suffix(name: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return stem if dot and suffix.lower() in _COMIC_SUFFIXES else name


def _normalise(text: str) -> str:
    """NFC, full-width digits, '_' as space; a name with dots for spaces gets its spaces back
    (but for dots inside numbers: `Series.v01.c1.5`)."""
    text = unicodedata.normalize("NFC", text).translate(_DIGITS).replace("_", " ")
    if " " not in text and text.count(".") > 1:
        text = _NAME_DOT.sub(" ", text)
    return " ".join(text.split())


def _starts_with(stem: str, prefix: str) -> bool:
    """The stem begins with the folder's series name, followed by a break (not `Echo 2` in `Echo 21`)."""
    head = stem[: len(prefix)]
    rest = stem[len(prefix) : len(prefix) + 1]
    return head.casefold() == prefix.casefold() and (not rest or not rest.isalnum())


def _from_folders(folders: list[str]) -> tuple[ComicName, str]:
    """The series (with its volume year) the nearest folders give, and the volume of a
    volume folder: `Series (2019)/`, `Series/Volume 2/`. Generic folders (`Comics`, `Manga`)
    name no series."""
    volume = ""
    for folder in reversed(folders[-3:]):
        text = _normalise(folder)
        marked = _VOLUME_MARK.fullmatch(text) or _CJK_VOLUME.fullmatch(text)
        if marked and not volume:
            volume = _trim_zeros(next(g for g in marked.groups() if g))
            continue
        series = _clean_series(_GROUP.sub(" ", text))
        if not series or series.casefold() in _GENERIC_FOLDERS:
            break
        years = (m.group(1) for g in _GROUP.finditer(text) if (m := _YEAR.fullmatch(g.group(1).strip())))
        year = next(years, "")
        return ComicName(series=series, volume=year, year=int(year) if year else None), volume
    return ComicName(), volume


def _parse_stem(stem: str, series: str = "") -> ComicName:
    found = _Found()
    plain, groups = _take_groups(stem)
    tokens = _mark(plain).split()
    kinds = _of_between_numbers([_kind(t) for t in tokens])
    issue_at = kinds.index("issue") if "issue" in kinds else _choose_issue(tokens, kinds, groups)
    marks = [i for i, k in enumerate(kinds) if k in ("volume", "issue") or i == issue_at]
    start = next((i for i, k in enumerate(kinds) if k not in ("group", "tag")), len(tokens))  # `[Group] Series`
    first = min((i for i in range(start, len(tokens)) if kinds[i] in _STRUCTURAL or i == issue_at), default=len(tokens))
    for at, kind in enumerate(kinds):
        _apply(tokens[at], kind, at == issue_at, issue_at is not None and at < issue_at, found, groups)
    if found.issue_count is None and issue_at is not None and _followed_by_of(kinds, issue_at):
        found.issue_count = int(tokens[issue_at + 2])
    own_series = " ".join(t for t, k in zip(tokens[start:first], kinds[start:first], strict=True) if k != "tag")
    return ComicName(
        series=series or _clean_series(own_series),
        issue=_trim_zeros(found.issue),
        volume=_trim_zeros(found.volume) or (str(found.volume_year) if found.volume_year else ""),
        year=found.year or found.volume_year,
        title=_title(tokens, kinds, marks[-1]) if marks else "",
        issue_count=found.issue_count,
        special=found.special,
    )


def _take_groups(stem: str) -> tuple[str, list[str]]:
    """The name with each bracketed group replaced by a token `\\x00<n>`, and the groups."""
    groups: list[str] = []

    def keep(match: re.Match[str]) -> str:
        groups.append(match.group(1).strip())
        return f" \x00{len(groups) - 1} "

    plain = _GROUP.sub(keep, stem)
    return plain.replace("(", " ").replace(")", " ").replace("[", " ").replace("]", " "), groups


def _mark(plain: str) -> str:
    """Marked numbers become `\\x01v<n>` (volume), `\\x01i<n>` (issue), `\\x01y<year>` (date)."""
    plain = _TAG_WORDS.sub(" ", plain)
    plain = _ONE_SHOT.sub("one-shot", _GRAPHIC_NOVEL.sub("graphic-novel", plain))
    plain = _DATE.sub(lambda m: f" \x01y{m.group(1)} ", plain)
    plain = _CJK_VOLUME.sub(lambda m: f" \x01v{m.group(1) or m.group(2)} ", plain)
    plain = _CJK_ISSUE.sub(lambda m: f" \x01i{m.group(1) or m.group(2)} ", plain)
    plain = _VOLUME_MARK.sub(lambda m: f" \x01v{m.group(1)} ", plain)
    return _ISSUE_MARK.sub(lambda m: f" \x01i{m.group(1)} ", plain)


def _kind(token: str) -> str:
    first = token[0]
    if first == "\x01":
        return {"v": "volume", "i": "issue", "y": "date"}[token[1]]
    if first == "\x00":
        return "group"
    low = token.lower()
    if token in _DASHES:
        return "dash"
    if low == "of":
        return "of"
    if low in _SPECIALS:
        return "flag" if not _SPECIALS[low][1] else "word"
    if low in _TAGS or _PAGE.fullmatch(token):
        return "tag"
    if _BARE_NUM.fullmatch(token) and not low.endswith(("st", "nd", "rd", "th")):
        return "num"
    return "word"


def _of_between_numbers(kinds: list[str]) -> list[str]:
    """'of' counts only in `2 of 6`; elsewhere it is a word (`Tales of the Reach`)."""
    for at, kind in enumerate(kinds):
        if kind == "of" and not (
            0 < at < len(kinds) - 1 and kinds[at - 1] in ("num", "issue") and kinds[at + 1] == "num"
        ):
            kinds[at] = "word"
    return kinds


def _choose_issue(tokens: list[str], kinds: list[str], groups: list[str]) -> int | None:
    """The index of the plain number that is the issue (no number is marked). A year-like
    number after another number is the year (`Series 001 2019`); a lone one is the year
    (`Lantern 2022`) unless a bracketed year is there or it is past _MAX_YEAR (then it is
    part of the series: `Nights 1984 (2019)`, `Space Patrol 2099`). The year's token becomes
    kind 'year'."""
    nums = [i for i, k in enumerate(kinds) if k == "num" and not _is_count(kinds, i)]
    padded = [i for i in nums if tokens[i][0] == "0" and i + 1 < len(kinds) and kinds[i + 1] == "dash"]
    if padded:
        return padded[0]  # `Series 004 - Title 2`
    for at in reversed(nums):
        if at == 0 and len(tokens) > 1 and kinds[1] in ("word", "num"):
            return None  # `100 Bullets` starts with a number and has no issue
        if not _year_like(tokens[at]):
            return at
        if at > 0 and kinds[at - 1] == "num":
            kinds[at] = "year"
            continue
        if len(nums) > 1:
            return at
        if at > 0 and int(tokens[at]) <= _MAX_YEAR and not any(_YEAR.fullmatch(g) for g in groups):
            kinds[at] = "year"
        return None
    return None


def _is_count(kinds: list[str], at: int) -> bool:
    return at >= 2 and kinds[at - 1] == "of" and kinds[at - 2] in ("num", "issue")


def _followed_by_of(kinds: list[str], at: int) -> bool:
    return at + 2 < len(kinds) and kinds[at + 1] == "of" and kinds[at + 2] == "num"


def _year_like(token: str) -> bool:
    return len(token) == 4 and token.isdigit() and token[:2] in ("19", "20")


def _apply(token: str, kind: str, is_issue: bool, before_issue: bool, found: _Found, groups: list[str]) -> None:
    if kind == "issue" and not found.issue:
        found.issue = token[2:]
    elif kind == "volume" and not found.volume:
        found.volume = token[2:]
    elif kind in ("date", "year"):
        found.year = found.year or int(token[2:] if kind == "date" else token)
    elif is_issue:
        found.issue = token
    elif kind in ("flag", "word") and token.lower() in _SPECIALS and not found.special:
        found.special = _SPECIALS[token.lower()][0]
    elif kind == "group":
        _group(groups[int(token[1:])], found, before_issue=before_issue)


def _group(text: str, found: _Found, *, before_issue: bool) -> None:
    """One bracketed group: a year (a volume year when before the issue), a date, `of N`,
    `1 of 3`, `#N`, a volume, a flag; anything else is a release tag."""
    if text.lower() in _TAGS:
        return  # `(c2c)` is no chapter 2c
    year = _YEAR.fullmatch(text)
    if year:
        if before_issue and found.volume_year is None:
            found.volume_year = int(year.group(1))
        else:
            found.year = found.year or int(year.group(1))
        return
    count = _OF.fullmatch(text)
    if count and (count.group("issue") is None or _BARE_NUM.fullmatch(count.group("issue"))):
        found.issue_count = int(count.group("count"))
        found.issue = found.issue or (count.group("issue") or "")
        return
    for pattern, name in ((_ISSUE_ONLY, "issue"), (_ISSUE_MARK, "issue"), (_VOLUME_MARK, "volume")):
        marked = pattern.fullmatch(text)
        if marked:
            setattr(found, name, getattr(found, name) or marked.group(1))
            return
    special = _SPECIALS.get(_ONE_SHOT.sub("one-shot", _GRAPHIC_NOVEL.sub("graphic-novel", text)).lower())
    if special:
        found.special = found.special or special[0]
        return
    date = _DATE_GROUP.fullmatch(text)
    if date:
        found.year = found.year or int(date.group(1))


def _title(tokens: list[str], kinds: list[str], last: int) -> str:
    words: list[str] = []
    for token, kind in zip(tokens[last + 1 :], kinds[last + 1 :], strict=True):
        if kind in ("group", "volume", "issue", "of"):
            break
        if kind not in ("tag", "flag", "year"):
            words.append(token)
    while words and words[0] in _DASHES:
        words.pop(0)
    while words and words[-1] in _DASHES:
        words.pop()
    return " ".join(words)


def _clean_series(text: str) -> str:
    return " ".join(text.split()).strip(" -\u2013\u2014:,;#|~")


def _trim_zeros(number: str) -> str:
    """'004' -> '4', '000' -> '0', '012.HU' -> '12.HU', '-01' -> '-1', '01-06' -> '1-6'."""
    if "-" in number[1:]:
        low, _, high = number.rpartition("-")
        return f"{_trim_zeros(low)}-{_trim_zeros(high)}"
    sign = "-" if number.startswith("-") else ""
    body = number[len(sign) :]
    trimmed = body.lstrip("0")
    if not trimmed or not trimmed[0].isdigit():
        trimmed = "0" + trimmed if body[:1] == "0" else trimmed
    return sign + trimmed
