"""Text normalisation shared by matching, scanning and naming: accent/case folding,
title comparison keys, author display and sort names (the rules live in core.authors)."""

from __future__ import annotations

import re
import unicodedata

from core.authors import parse_name

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_LEADING_ARTICLES = ("the ", "a ", "an ")


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


def author_display_name(raw: str) -> str:
    """One author's name as shown: 'Le Guin, Ursula K.' -> 'Ursula K. Le Guin' (core.authors)."""
    return parse_name(raw).display


def author_sort_name(raw: str) -> str:
    """One author's calibre-compatible sort name: 'Robert Doe Jr.' -> 'Doe, Robert Jr.' (core.authors)."""
    return parse_name(raw).sort


def mask_secret(value: str) -> str:
    """'••••1234' for a long key (its last four characters), '••••' for anything shorter, '' when unset."""
    if not value:
        return ""
    return "••••" + (value[-4:] if len(value) >= 16 else "")


def valid_host(host: str) -> bool:
    """An IP address or a DNS name the resolver accepts (labels of 1-63 characters, 253 in all)."""
    if ":" in host:  # IPv6, already checked by urlsplit's brackets
        return True
    try:
        encoded = host.encode("idna")
    except UnicodeError:
        return False
    return len(encoded) <= 253 and all(0 < len(label) <= 63 for label in encoded.rstrip(b".").split(b"."))
