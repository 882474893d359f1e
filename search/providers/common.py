"""Small parsing helpers shared by the provider adapters (dates, languages, text)."""

from __future__ import annotations

import html
import re

from core import isbn as isbn_tools

_SPACES = re.compile(r"\s+")
_TAGS = re.compile(r"<[^>]+>")
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}

# ISO 639-2 (B and T) and English/native names -> ISO 639-1
LANGUAGES: dict[str, str] = {
    "eng": "en", "english": "en", "fre": "fr", "fra": "fr", "french": "fr", "français": "fr", "francais": "fr",
    "ger": "de", "deu": "de", "german": "de", "deutsch": "de", "spa": "es", "spanish": "es", "español": "es",
    "espanol": "es", "ita": "it", "italian": "it", "italiano": "it", "por": "pt", "portuguese": "pt",
    "português": "pt", "dut": "nl", "nld": "nl", "dutch": "nl", "nederlands": "nl", "rus": "ru", "russian": "ru",
    "jpn": "ja", "japanese": "ja", "chi": "zh", "zho": "zh", "chinese": "zh", "kor": "ko", "korean": "ko",
    "rum": "ro", "ron": "ro", "romanian": "ro", "română": "ro", "pol": "pl", "polish": "pl", "polski": "pl",
    "swe": "sv", "swedish": "sv", "svenska": "sv", "nor": "no", "nob": "nb", "norwegian": "no", "dan": "da",
    "danish": "da", "dansk": "da", "fin": "fi", "finnish": "fi", "suomi": "fi", "cze": "cs", "ces": "cs",
    "czech": "cs", "hun": "hu", "hungarian": "hu", "gre": "el", "ell": "el", "greek": "el", "tur": "tr",
    "turkish": "tr", "ara": "ar", "arabic": "ar", "heb": "he", "hebrew": "he", "hin": "hi", "hindi": "hi",
    "lat": "la", "latin": "la", "cat": "ca", "catalan": "ca", "ukr": "uk", "ukrainian": "uk", "vie": "vi",
    "vietnamese": "vi", "ind": "id", "indonesian": "id", "ice": "is", "isl": "is", "icelandic": "is",
    "wel": "cy", "cym": "cy", "welsh": "cy", "gle": "ga", "irish": "ga", "epo": "eo", "esperanto": "eo",
}
ISO_639_1 = frozenset(LANGUAGES.values()) | {"en", "fr", "de", "es", "it", "pt", "nl", "ja", "zh"}


def clean_text(value: object) -> str:
    """Collapse whitespace; None -> ''."""
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value)).strip()


def strip_html(value: object) -> str:
    return clean_text(html.unescape(_TAGS.sub(" ", str(value or ""))))


def language_code(raw: object) -> str:
    """'/languages/eng', 'eng', 'English', 'en-US', 'pt_BR' -> ISO 639-1 ('en', 'pt'); unknown -> ''."""
    value = clean_text(raw).lower()
    if not value:
        return ""
    value = value.rsplit("/", 1)[-1]
    base = re.split(r"[-_]", value, maxsplit=1)[0]
    if len(base) == 2 and base.isalpha():
        return base
    return LANGUAGES.get(base, LANGUAGES.get(value, ""))


def parse_date(raw: object) -> tuple[str, int | None]:
    """Provider dates ('2008', '2020-11', 'July 28, 2008', '2007-10-01') -> ('YYYY[-MM[-DD]]', year)."""
    value = clean_text(raw)
    if not value:
        return "", None
    iso = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?(?:[ T].*)?", value)
    if iso:
        parts = [iso.group(1)] + [p.zfill(2) for p in iso.groups()[1:] if p]
        return "-".join(parts), int(iso.group(1))
    words = re.fullmatch(r"([A-Za-z]+)\.? (\d{1,2}),? (\d{4})", value)
    if words and words.group(1).lower() in _MONTHS:
        month = _MONTHS[words.group(1).lower()]
        return f"{words.group(3)}-{month:02d}-{int(words.group(2)):02d}", int(words.group(3))
    year = _YEAR.search(value)
    return (year.group(1), int(year.group(1))) if year else ("", None)


def best_isbn13(values: list[str] | tuple[str, ...]) -> str:
    for raw in values:
        converted = isbn_tools.to_isbn13(str(raw))
        if converted:
            return converted
    return ""


def to_int(value: object) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None
