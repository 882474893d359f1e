"""Match highlighting done in Python on the few rows shown, the same for both databases:
accent- and case-insensitive, word-start anchored, HTML-escaped except the <mark> tags."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.utils.html import escape

_WORD = r"[^\W_]"


def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return {"ß": "ss", "æ": "ae", "ø": "o"}.get(folded, folded)


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    folded: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        for piece in _fold_char(ch):
            folded.append(piece)
            origin.append(index)
    return "".join(folded), origin


def _pattern(word: str, *, prefix: bool) -> str:
    if "*" in word or "?" in word:
        body = "".join(f"{_WORD}*" if c == "*" else _WORD if c == "?" else re.escape(c) for c in word)
        return rf"(?<!{_WORD}){body}"
    tail = f"{_WORD}*" if prefix else f"(?!{_WORD})"
    return rf"(?<!{_WORD}){re.escape(word)}{tail}"


def spans(text: str, words: Iterable[tuple[str, bool]]) -> list[tuple[int, int]]:
    """Merged (start, end) ranges of `text` matching any (word, is_prefix)."""
    folded, origin = _folded_with_map(text)
    found: list[tuple[int, int]] = []
    for word, prefix in words:
        if not word:
            continue
        for match in re.finditer(_pattern(word, prefix=prefix), folded):
            if match.end() > match.start():
                found.append((origin[match.start()], origin[match.end() - 1] + 1))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, words: Iterable[tuple[str, bool]]) -> str:
    """`text` as safe HTML with every match wrapped in <mark>."""
    out: list[str] = []
    last = 0
    for start, end in spans(text, words):
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return "".join(out)
