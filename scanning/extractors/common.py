"""Small pure helpers shared by extractors: languages, dates, numbers, identifiers."""

from __future__ import annotations

import re

from core import isbn as isbn_lib

# ISO 639-2 (bibliographic and terminology) -> 639-1 for the languages books come in most.
_ISO639_2 = {
    "eng": "en",
    "fre": "fr",
    "fra": "fr",
    "ger": "de",
    "deu": "de",
    "spa": "es",
    "ita": "it",
    "por": "pt",
    "dut": "nl",
    "nld": "nl",
    "swe": "sv",
    "nor": "no",
    "nob": "nb",
    "dan": "da",
    "fin": "fi",
    "pol": "pl",
    "cze": "cs",
    "ces": "cs",
    "rus": "ru",
    "ukr": "uk",
    "tur": "tr",
    "gre": "el",
    "ell": "el",
    "hun": "hu",
    "rum": "ro",
    "ron": "ro",
    "jpn": "ja",
    "chi": "zh",
    "zho": "zh",
    "kor": "ko",
    "ara": "ar",
    "heb": "he",
    "hin": "hi",
    "lat": "la",
    "cat": "ca",
    "slo": "sk",
    "slk": "sk",
    "slv": "sl",
    "hrv": "hr",
    "srp": "sr",
    "bul": "bg",
    "est": "et",
    "lav": "lv",
    "lit": "lt",
    "ice": "is",
    "isl": "is",
    "ind": "id",
    "vie": "vi",
    "tha": "th",
    "per": "fa",
    "fas": "fa",
    "epo": "eo",
    "gle": "ga",
    "wel": "cy",
    "cym": "cy",
    "baq": "eu",
    "eus": "eu",
    "glg": "gl",
}
_NAMES = {
    "english": "en",
    "french": "fr",
    "german": "de",
    "spanish": "es",
    "italian": "it",
    "dutch": "nl",
    "portuguese": "pt",
    "russian": "ru",
    "swedish": "sv",
    "japanese": "ja",
    "chinese": "zh",
}
_YEAR = re.compile(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)")
_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?")
_SPACES = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]{0,2000}>")


def language_code(raw: str) -> str:
    """'en-US' -> 'en', 'eng' -> 'en', 'French' -> 'fr'; unknown -> ''."""
    value = (raw or "").strip().lower().replace("_", "-")
    if not value or value in ("und", "zxx", "mul"):
        return ""
    base = value.split("-", 1)[0]
    if len(base) == 2 and base.isalpha():
        return base
    return _ISO639_2.get(base) or _NAMES.get(base, "")


def parse_date(raw: str) -> tuple[str, int | None]:
    """'2019-03-04T00:00:00+00:00' -> ('2019-03-04', 2019); calibre's 0101-01-01 placeholder -> ('', None)."""
    match = _DATE.match(raw or "")
    if not match:
        year = find_year(raw or "")
        return (str(year), year) if year else ("", None)
    year = int(match.group(1))
    if year < 1000:
        return "", None
    parts = [p for p in match.groups() if p]
    return "-".join(parts), year


def find_year(text: str) -> int | None:
    match = _YEAR.search(text or "")
    return int(match.group(1)) if match else None


def parse_number(raw: str | None) -> float | None:
    """'3' -> 3.0, '1.5' -> 1.5, '2,5' -> 2.5, '-1' -> -1.0 (a prequel), 'abc' / '' -> None."""
    if raw is None:
        return None
    text = str(raw).strip().replace(",", ".")
    match = _NUMBER.match(text)
    if not match:
        return None
    value = float(match.group(0))
    return value if -1_000_000 < value < 1_000_000 else None


def isbn_from(raw: str) -> str:
    """Validated ISBN-13 from any ISBN-10/13 spelling, '' when invalid."""
    return isbn_lib.to_isbn13(raw or "") or ""


def clean_text(raw: str | None, limit: int = 500) -> str:
    """Whitespace runs become one space, ends trimmed, cut at `limit`. For a str,
    str.split() is the fast spelling: it and re's \\s agree on every code point."""
    if isinstance(raw, str):
        return " ".join(raw.split())[:limit]
    return _SPACES.sub(" ", raw or "").strip()[:limit]


def strip_html(raw: str | None, limit: int = 20_000) -> str:
    """Descriptions are often HTML; keep the text only (no parser needed for this)."""
    text = _TAG.sub(" ", raw or "")
    for entity, char in (
        ("&amp;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", '"'),
        ("&#39;", "'"),
        ("&nbsp;", " "),
    ):
        text = text.replace(entity, char)
    return clean_text(text, limit)
