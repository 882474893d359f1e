"""People in release titles: whether a part of a title is a list of names, and splitting an
author part into display names (`Ann Lee & Bo Roe`, `Lee, Ann`, `J.R.R.Tolkien` from a scene name).
Pure; names are displayed by `core.text.author_display_name`."""

from __future__ import annotations

import re

from core.text import author_display_name

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
    if not author_part:
        return ()
    names = []
    for name in AUTHOR_SPLIT.split(author_part):
        for person in comma_people(name.strip(" ,")):
            if scene:  # `J R R Tolkien` from `J.R.R.Tolkien`: put the initials' dots back
                person = _BARE_INITIAL.sub(r"\1.", person)
            display = author_display_name(person)
            if display:
                names.append(display)
    return tuple(names)


def comma_people(name: str) -> list[str]:
    """`Ann Lee, Bo Roe` -> two people; `Le Guin, Ursula K.` and `Lee, Ann, Roe, Bo` -> Last, First."""
    if "," not in name:
        return [name] if name else []
    parts = [p.strip() for p in name.split(",") if p.strip()]
    if len(parts) > 2 and all(len(p.split()) == 1 for p in parts) and len(parts) % 2 == 0:
        return [f"{parts[i]}, {parts[i + 1]}" for i in range(0, len(parts), 2)]
    multiword = all(len(p.split()) >= 2 for p in parts)
    initials = any(_ENDS_IN_INITIAL.search(p) for p in parts[1:])
    particle = parts[0].split()[0].lower() in _PARTICLES
    if len(parts) > 2 or (multiword and not initials and not particle):
        return parts
    return [name]
