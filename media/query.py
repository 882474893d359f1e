"""The library search language, parsed into a small tree. Pure: no ORM, no settings.

    dune                      every word must match (prefix: "dun" finds "Dune")
    "the left hand"           a phrase, exact word order
    herbert OR asimov         either; AND is implied between words, and may be written
    dune NOT messiah          exclusion; "-messiah" is the same
    author:"le guin"          field prefixes: title author series isbn publisher tag description
    language:de format:epub   filter prefixes (always ANDed with the rest of the query)
    978-0-441-01359-3         an ISBN-10 or -13 with hyphens or spaces is one ISBN
    found*  fo?ndation        wildcards: trailing * is a prefix, * and ? inside expand over the vocabulary
    (a OR b) c                parentheses group

Words are folded (case and accents) the way the index stores them, so the compilers
(`media.search.sqlite`, `media.search.postgres`) only see lowercase ASCII-ish tokens.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from core import isbn as isbn_tools
from core.text import fold

FIELDS = {
    "title": "title",
    "author": "author",
    "authors": "author",
    "by": "author",
    "series": "series",
    "isbn": "isbn",
    "publisher": "publisher",
    "tag": "tag",
    "tags": "tag",
    "genre": "tag",
    "subject": "tag",
    "description": "description",
    "desc": "description",
}
FILTER_FIELDS = ("language", "format", "kind")  # field prefixes that filter instead of matching text
FIELD_NAMES = ("title", "author", "series", "isbn", "publisher", "tag", "description", "language", "format", "kind")
_ISBN_RE = re.compile(  # hyphens or spaces between the groups, optionally after "ISBN" / "isbn:"
    r"(?<![\w:-])(?:isbn(?:-?1[03])?\s*:?\s*)?((?:\d[\s-]?){9,12}[\dXx])(?![\w-])", re.IGNORECASE
)
_TOKEN_RE = re.compile(
    r"""\s*(?:(?P<paren>[()])|(?P<field>[A-Za-z]+):(?P<fvalue>"[^"]*"?|[^\s()"]+)?"""
    r"""|(?P<quoted>"[^"]*"?)|(?P<word>[^\s()"]+))"""
)
_WORD_CHARS = re.compile(r"[^\W_]+", re.UNICODE)
_ISBN_CHARS = re.compile(r"[^0-9xX*?]")
MAX_TERMS = 24


def tokens_of(text: str) -> list[str]:
    """Split folded text into index tokens (what FTS5's unicode61 and PostgreSQL 'simple' see).
    ASCII text only needs lower-casing: the rest of `fold` just tidies spaces between words."""
    return _WORD_CHARS.findall(text.lower() if text.isascii() else fold(text))


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # folded tokens; several = a phrase
    field: str | None = None  # a key of FIELDS' values, None = any field
    phrase: bool = False  # quoted: exact, no prefix
    prefix: bool = True  # last word matches as a prefix
    pattern: str = ""  # a wildcard pattern with * or ? inside (single word)

    @property
    def text(self) -> str:
        return " ".join(self.words) if not self.pattern else self.pattern


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Not | And | Or


@dataclass(frozen=True)
class ParsedQuery:
    root: Node | None
    terms: tuple[Term, ...] = field(default_factory=tuple)  # the positive terms, for highlighting
    free_text: str = ""  # folded words of positive terms, for exact boost
    filters: tuple[tuple[str, str], ...] = ()  # (field, value) of filter prefixes: language:de
    warnings: tuple[str, ...] = ()  # what the parser could not honour, in words for the user

    @property
    def is_empty(self) -> bool:
        return self.root is None


def _make_term(raw: str, field_name: str | None, *, quoted: bool) -> Term | None:
    if field_name == "isbn":
        digits = _ISBN_CHARS.sub("", raw).lower()
        return _word_term(digits, "isbn") if digits else None
    if quoted:
        words = tuple(tokens_of(raw))
        return Term(words, field_name, phrase=True, prefix=False) if words else None
    return _word_term(raw, field_name)


def _word_term(raw: str, field_name: str | None) -> Term | None:
    stripped = raw.rstrip("*")
    trailing = stripped != raw
    if "*" in stripped or "?" in stripped:
        pattern = "".join(
            ch if ch in "*?" else " " if not _WORD_CHARS.match(ch) else ch for ch in fold(stripped)
        ).replace(" ", "")
        pattern += "*" if trailing else ""
        literal = re.sub(r"[*?]", "", pattern)
        if literal:
            return Term((literal,), field_name, prefix=False, pattern=pattern)
    words = tuple(tokens_of(stripped))
    if not words:
        return None
    return Term(words, field_name, phrase=len(words) > 1, prefix=True)


class _Parser:
    def __init__(self, tokens: list[tuple[str, object]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, object] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, object]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse_or(self) -> Node | None:
        parts = [self.parse_and()]
        while self.peek() == ("op", "OR"):
            self.take()
            parts.append(self.parse_and())
        return _combine(Or, [p for p in parts if p is not None])

    def parse_and(self) -> Node | None:
        parts: list[Node] = []
        while (token := self.peek()) is not None and token not in (("op", "OR"), ("paren", ")")):
            if token == ("op", "AND"):
                self.take()
                continue
            node = self.parse_unary()
            if node is not None:
                parts.append(node)
        return _combine(And, parts)

    def parse_unary(self) -> Node | None:
        kind, value = self.take()
        if kind == "op" and value == "NOT":
            if self.peek() is None:
                return None
            child = self.parse_unary()
            return Not(child) if child is not None else None
        if kind == "paren":  # "(" — a closing one is consumed and ignored
            if value == "(":
                inner = self.parse_or()
                if self.peek() == ("paren", ")"):
                    self.take()
                return inner
            return None
        if kind == "op":  # a stray operator is just skipped
            return None
        return value  # type: ignore[return-value]


def _combine(cls, parts: list[Node]) -> Node | None:
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    flat: list[Node] = []
    for part in parts:
        flat.extend(part.children if isinstance(part, cls) else (part,))
    return cls(tuple(flat))


def _isbn_as_field(match: re.Match) -> str:
    isbn13 = isbn_tools.to_isbn13(match.group(1))
    if isbn13 is None:
        return match.group(0)
    isbn10 = isbn_tools.to_isbn10(isbn13)
    return f" (isbn:{isbn13} OR isbn:{isbn10}) " if isbn10 else f" isbn:{isbn13} "


def closest_field(name: str) -> str | None:
    """The field a mistyped prefix probably meant: 'lang' -> 'language', 'auther' -> 'author'."""
    starting = [f for f in FIELD_NAMES if f.startswith(name) or name.startswith(f)]
    close = starting or difflib.get_close_matches(name, FIELD_NAMES, n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown_field(name: str, raw: str) -> str:
    searched = f"searched for “{' '.join(tokens_of(name + ' ' + raw))}” as words"
    guess = closest_field(name)
    if guess:
        return f"Unknown field {name}; try {guess}: ({searched})."
    return f"Unknown field {name}; the fields are {', '.join(f + ':' for f in FIELD_NAMES)} ({searched})."


def _lex(text: str) -> tuple[list[tuple[str, object]], list[tuple[str, str]], list[str]]:
    tokens: list[tuple[str, object]] = []
    filters: list[tuple[str, str]] = []
    warnings: list[str] = []
    for match in _TOKEN_RE.finditer(_ISBN_RE.sub(_isbn_as_field, text)):
        if match.group("paren"):
            tokens.append(("paren", match.group("paren")))
            continue
        negate = False
        if match.group("field") is not None:
            name, raw = match.group("field").lower(), match.group("fvalue") or ""
            if name in FILTER_FIELDS:
                if raw.strip('"'):
                    filters.append((name, fold(raw.strip('"'))))
                continue
            if name in FIELDS:
                quoted = raw.startswith('"')
                term = _make_term(raw.strip('"'), FIELDS[name], quoted=quoted)
            else:  # "foo:bar" with an unknown field is plain text, and the user is told
                warnings.append(_unknown_field(name, raw))
                term = _make_term(f"{name} {raw}", None, quoted=False)
        elif match.group("quoted") is not None:
            term = _make_term(match.group("quoted").strip('"'), None, quoted=True)
        else:
            word = match.group("word")
            if word in ("AND", "OR", "NOT", "&&", "||"):
                tokens.append(("op", {"&&": "AND", "||": "OR"}.get(word, word)))
                continue
            negate = word.startswith("-") and len(word) > 1
            term = _make_term(word[1:] if negate else word, None, quoted=False)
        if term is not None:
            if negate:
                tokens.append(("op", "NOT"))
            tokens.append(("term", term))
    return tokens, filters, warnings


def _positive_terms(node: Node | None, *, negated: bool = False) -> list[Term]:
    if node is None:
        return []
    if isinstance(node, Term):
        return [] if negated else [node]
    if isinstance(node, Not):
        return _positive_terms(node.child, negated=not negated)
    return [t for child in node.children for t in _positive_terms(child, negated=negated)]


def parse(text: str) -> ParsedQuery:
    """Parse a query. Never raises: unbalanced quotes and parentheses, stray operators and
    unknown fields degrade to plain words."""
    tokens, filters, warnings = _lex(text[:1000])
    term_count = 0
    kept: list[tuple[str, object]] = []
    for token in tokens:
        if token[0] == "term":
            term_count += 1
            if term_count > MAX_TERMS:
                continue
        kept.append(token)
    parser = _Parser(kept)
    parts: list[Node] = []
    while parser.peek() is not None:
        node = parser.parse_or()
        if node is not None:
            parts.append(node)
        if parser.peek() in (("paren", ")"), ("op", "OR")):
            parser.take()
    root = _combine(And, parts)
    terms = tuple(_positive_terms(root))
    free = " ".join(t.text for t in terms if not t.pattern and t.field in (None, "title"))
    return ParsedQuery(root, terms, free, tuple(filters), tuple(dict.fromkeys(warnings)))


def literal_query(text: str) -> ParsedQuery:
    """Every word of `text` as plain terms (no operators): the fallback of an invalid regex."""
    words = tokens_of(text)
    root = _combine(And, [Term((w,)) for w in words])
    return ParsedQuery(root, tuple(_positive_terms(root)), " ".join(words))


_OPERATORS = ("AND", "OR", "NOT")
_CASED_FIELDS = ("title", "author", "series", "publisher", "tag", "description")


def case_words(text: str) -> list[str]:
    """The words a case-sensitive query keeps in its own case: positive plain words, phrases
    and text-field values (not excluded words, operators, wildcards, ISBNs or filter prefixes)."""
    found: list[str] = []
    negate_next = False
    for match in _TOKEN_RE.finditer(text[:1000]):
        word, quoted, field_name = match.group("word"), match.group("quoted"), match.group("field")
        raw = word or quoted or ""
        if field_name:
            raw = (match.group("fvalue") or "") if FIELDS.get(field_name.lower()) in _CASED_FIELDS else ""
        if word in _OPERATORS:
            negate_next = word == "NOT"
            continue
        if negate_next or raw.startswith("-") or "*" in raw or "?" in raw:
            negate_next = False
            continue
        found += [w for w in _WORD_CHARS.findall(raw) if not w.isdigit()]
    return list(dict.fromkeys(found))[:MAX_TERMS]
