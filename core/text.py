"""Text normalisation shared by matching, scanning and naming: accent/case folding,
title comparison keys, author display and sort names."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_LEADING_ARTICLES = ("the ", "a ", "an ")
_PARTICLES = {"van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "la", "le", "st.", "ter", "ten",
              "dos", "das", "do", "y", "bin", "ibn", "al", "el"}
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v", "phd", "ph.d.", "md", "m.d."}
_CORPORATE = re.compile(r"\b(inc|ltd|llc|press|publishing|books|society|association|committee|staff|"
                        r"university|institute|corporation|company|co\.|group|team|anonymous|various)\b", re.I)


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def fold(value: str) -> str:
    """Case- and accent-insensitive form: 'Émile Zola' -> 'emile zola'."""
    if value.isascii():  # the common case, exactly the same result: NFKD leaves ASCII alone
        return _SPACES.sub(" ", value.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.replace("ß", "ss").replace("æ", "ae").replace("ø", "o")).strip()


def comparison_key(value: str) -> str:
    """Folded, punctuation-free, single-spaced: what two titles are compared on."""
    return _SPACES.sub(" ", _NON_WORD.sub(" ", fold(value).replace("&", " and "))).strip()


def sort_title(title: str) -> str:
    """'The Hobbit' -> 'Hobbit, The' style key without the article (for sorting only)."""
    lowered = title.lower()
    for article in _LEADING_ARTICLES:
        if lowered.startswith(article) and len(title) > len(article):
            return title[len(article):].strip()
    return title.strip()


def split_initials(name: str) -> str:
    """'J.R.R. Tolkien' -> 'J. R. R. Tolkien' (initials spaced consistently)."""
    return _SPACES.sub(" ", re.sub(r"\b([A-Z])\.(?=[A-Z])", r"\1. ", name)).strip()


def is_corporate_name(name: str) -> bool:
    return bool(_CORPORATE.search(name))


def author_display_name(raw: str) -> str:
    """'Le Guin, Ursula K.' -> 'Ursula K. Le Guin'; corporate names untouched."""
    name = _SPACES.sub(" ", nfc(raw)).strip().strip(",")
    if not name or is_corporate_name(name):
        return name
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if first and first.lower().rstrip(".") not in {s.rstrip(".") for s in _SUFFIXES}:
            name = f"{first} {last}"
    return split_initials(name)


def author_sort_name(raw: str) -> str:
    """'Ursula K. Le Guin' -> 'Le Guin, Ursula K.'; 'Martin Luther King Jr.' -> 'King, Martin Luther, Jr.';
    'Ludwig van Beethoven' -> 'van Beethoven, Ludwig'; corporate and single names unchanged."""
    name = author_display_name(raw)
    if not name or is_corporate_name(name):
        return name
    parts = name.split(" ")
    suffix = ""
    if len(parts) > 2 and parts[-1].lower().rstrip(",") in _SUFFIXES:
        suffix = parts.pop().rstrip(",")
        parts[-1] = parts[-1].rstrip(",")
    if len(parts) < 2:
        return name
    start = len(parts) - 1
    while start > 1 and parts[start - 1].lower() in _PARTICLES:
        start -= 1
    last = " ".join(parts[start:])
    first = " ".join(parts[:start])
    return f"{last}, {first}" + (f", {suffix}" if suffix else "")
