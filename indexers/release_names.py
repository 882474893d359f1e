"""People in release titles: whether a part of a title is a list of names, and splitting an
author part into display names (`Ann Lee & Bo Roe`, `Lee, Ann`, `J.R.R.Tolkien` from a scene name).
Pure; people are read by `core.authors` (the same rules as everywhere else)."""

from __future__ import annotations

import re

from core.authors import WRITER_ROLES, parse_people

AUTHOR_SPLIT = re.compile(r"\s*(?:&|;|\band\b|\bund\b|\bwith\b|\bfeat\.?)\s*", re.I)
_BARE_INITIAL = re.compile(r"\b([A-Z])(?= \S)")
_ENDS_IN_INITIAL = re.compile(r"\b[A-Z]\.?$")
_PARTICLES = {"van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "la", "le", "st.", "bin", "al"}


def looks_like_people(text: str) -> bool:
    """`Ann Lee & Bo Roe`, `J. Doe`, `Jane van Dyke`: every name two to five capitalised words."""
    names = [n for n in AUTHOR_SPLIT.split(text) if n.strip()]
    if not names:
        return False
    for name in names:
        words = name.replace(",", " ").split()
        if not 2 <= len(words) <= 5:
            return False
        if not all(w[0].isupper() or w.lower() in _PARTICLES for w in words):
            return False
    return True


def split_authors(author_part: str, *, scene: bool) -> tuple[str, ...]:
    """The writers named by an author part, as `core.authors` reads people everywhere."""
    if not author_part:
        return ()
    if scene:  # `J R R Tolkien` from `J.R.R.Tolkien`: put the initials' dots back
        author_part = _BARE_INITIAL.sub(r"\1.", author_part)
    people = parse_people(author_part)
    writers = [p for p in people if p.role in WRITER_ROLES] or people
    return tuple(p.display for p in writers if p.display)
