"""The vocabulary of release titles: which words are tags (formats, flags, scene words, languages,
years, bitrates) and how sure we are that a word is a tag and not part of a title.

`classify(word)` -> `Tag` or None. A tag's `strength`:
- HARD: never a title word in practice (EPUB, M4B, 64kbps, 2CD, eBook, Unabridged, NFOFix);
- SOFT: a tag in a tag list, but also an ordinary word (Web, Proper, Digital, Internal);
- WEAK: a year or a language name.
Two-letter language codes (EN, DE, IT) are only tags where the caller says so (brackets, scene
fields), since `It` and `De` are title and name words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

EBOOK_FORMATS = ("epub", "azw3", "azw", "mobi", "pdf", "fb2", "djvu", "lit", "rtf", "txt", "doc", "docx", "html")
AUDIO_FORMATS = ("m4b", "m4a", "mp3", "flac", "aac", "ogg", "opus")
COMIC_FORMATS = ("cbz", "cbr", "cb7")
ALL_FORMATS = EBOOK_FORMATS + AUDIO_FORMATS + COMIC_FORMATS

HARD, SOFT, WEAK = 3, 2, 1
_WORDLIKE_FORMATS = {"lit", "doc", "opus"}  # `Half-Lit`, `The Old Doc`: formats only when written as tags

_FORMAT_ALIASES = {"kindle": "azw3", "kf8": "azw3", "flac24": "flac", "azw4": "azw"}
LANGUAGES = {
    "eng": "en", "english": "en", "ger": "de", "deu": "de", "german": "de", "deutsch": "de",
    "fre": "fr", "fra": "fr", "french": "fr", "francais": "fr", "spa": "es", "esp": "es", "spanish": "es",
    "espanol": "es", "ita": "it", "italian": "it", "italiano": "it", "dut": "nl", "nld": "nl", "dutch": "nl",
    "flemish": "nl", "por": "pt", "portuguese": "pt", "swe": "sv", "swedish": "sv", "rus": "ru",
    "russian": "ru", "pol": "pl", "polish": "pl", "dan": "da", "danish": "da", "nor": "no", "norwegian": "no",
    "fin": "fi", "finnish": "fi", "jpn": "ja", "japanese": "ja", "chi": "zh", "chinese": "zh", "hun": "hu",
    "hungarian": "hu", "cze": "cs", "czech": "cs",
}  # fmt: skip
TWO_LETTER_LANGUAGES = {
    "en": "en", "de": "de", "fr": "fr", "es": "es", "it": "it", "nl": "nl", "pt": "pt", "sv": "sv", "se": "sv",
    "ru": "ru", "pl": "pl", "da": "da", "dk": "da", "no": "no", "fi": "fi", "ja": "ja", "jp": "ja", "hu": "hu",
}  # fmt: skip
_KIND_WORDS = {
    "audiobook": "audiobook", "audiobooks": "audiobook", "abook": "audiobook", "hoerbuch": "audiobook",
    "horbuch": "audiobook", "luisterboek": "audiobook", "aax": "audiobook",
    "ebook": "ebook", "ebooks": "ebook", "e-book": "ebook",
}  # fmt: skip
_HARD_NOISE = {
    "multiformat", "multiformats", "freeleech", "dirfix", "nfofix", "readnfo", "samplefix", "webdl",
    "eac", "lossless", "vbr", "mp3cd", "lame", "kbps", "kbit", "nfo",
}  # fmt: skip
_SOFT_NOISE = {
    "web", "vip", "fl", "multi", "hq", "lq", "illustrated", "converted", "conv", "ocr", "cd", "rip",
    "internal", "int", "real", "fixed", "sample", "retail", "audible", "digital", "comic", "comics",
    "webrip", "c2c", "scan", "scans", "v0", "v2", "cue", "log", "incl", "bonus", "stereo", "mono",
    "abridged", "abr", "unabr", "unabridged", "repack", "rerip", "proper", "ml", "kobo", "ibooks",
}  # fmt: skip
# words that are HARD despite being in the soft list above (they never end a title in practice)
_HARD_WORDS = {"unabridged", "unabr", "webrip", "c2c", "rerip", "repack", "retail"}
_COMIC = {"digital", "comic", "comics", "webrip", "c2c", "scan", "scans"}
_YEAR = re.compile(r"^(1[5-9]\d\d|20\d\d)$")
_QUALITY = re.compile(r"^@?(\d{2,3})(?:kbps|kbit|kbits|k|kb/s|kbs)?$")
_AUDIO_TECH = re.compile(r"^(?:\d{1,2}cds?|cds?\d{1,2}|\d{1,2}(?:\.\d)?khz|\d{2}bits?|\d{2}-\d{2,3}|\d+hrs?)$")


@dataclass(frozen=True, slots=True)
class Tag:
    kind: str  # format | retail | unabridged | abridged | kind | year | quality | language | repack | proper | noise
    value: str
    strength: int


def classify(token: str, *, two_letter_language: bool = False) -> Tag | None:
    """The tag `token` is, or None. Case matters only through the caller."""
    word = token.lower().strip(".,;:!")
    if two_letter_language and word in TWO_LETTER_LANGUAGES:
        return Tag("language", TWO_LETTER_LANGUAGES[word], WEAK)
    return _classify(word)


@lru_cache(maxsize=8192)
def _classify(word: str) -> Tag | None:
    if not word:
        return None
    fmt = _FORMAT_ALIASES.get(word, word)
    if fmt in ALL_FORMATS:
        return Tag("format", fmt, SOFT if fmt in _WORDLIKE_FORMATS else HARD)
    if word in _KIND_WORDS:
        return Tag("kind", _KIND_WORDS[word], HARD)
    if _YEAR.match(word):
        return Tag("year", word, WEAK)
    if word in LANGUAGES:
        return Tag("language", LANGUAGES[word], WEAK)
    quality = _QUALITY.match(word)
    if quality and (word[0] == "@" or not word.isdigit()):
        return Tag("quality", f"{quality.group(1)}kbps", HARD)
    if _AUDIO_TECH.match(word):
        return Tag("kind", "audiobook", HARD)
    return _classify_word(word)


def _classify_word(word: str) -> Tag | None:
    strength = HARD if word in _HARD_WORDS or word in _HARD_NOISE else SOFT
    if word in ("unabridged", "unabr"):
        return Tag("unabridged", "1", strength)
    if word in ("abridged", "abr"):
        return Tag("abridged", "1", strength)
    if word == "retail":
        return Tag("retail", "1", strength)
    if word in ("repack", "rerip"):
        return Tag("repack", "1", strength)
    if word == "proper":
        return Tag("proper", "1", strength)
    if word in _COMIC:
        return Tag("kind", "comic", strength)
    if word == "audible":
        return Tag("kind", "audiobook", strength)
    if word in _HARD_NOISE or word in _SOFT_NOISE:
        return Tag("noise", word, strength)
    return None


# tags that are glued to a name with a hyphen (`EPUB-eBook`), so never a release group
_NEVER_GROUPS = {"format", "retail", "unabridged", "abridged", "repack", "proper", "year", "quality"}


def is_glued_tag(word: str) -> bool:
    """`eBook`, `EPUB`, `2019` after the last hyphen are tags; `KiNDLE`, `DiGiTAL` may be groups."""
    tag = _classify(word.lower())
    if not tag:
        return False
    if tag.kind == "kind":
        return tag.value != "comic"
    return tag.kind in _NEVER_GROUPS and word.lower() != "kindle"


def looks_scene_cased(token: str) -> bool:
    """`NORDiC`, `iNTERNAL`, `XPLiCiT`: the scene's capitals-with-a-small-i, never a title word."""
    return "i" in token and token.replace("i", "I").isupper() and any(c.isupper() for c in token)
