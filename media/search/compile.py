"""Compile a parsed query (`media.query`) to SQLite FTS5 MATCH syntax or a PostgreSQL
tsquery. Pure functions; `expansions` maps a term to the vocabulary words that replace it
(typo tolerance and inner wildcards). An empty expansion matches nothing."""

from __future__ import annotations

from dataclasses import dataclass

from media.query import And, Node, Not, Term

FTS_COLUMNS = {
    "title": "title",
    "author": "authors",
    "series": "series",
    "isbn": "identifiers",
    "publisher": "publisher",
    "tag": "tags",
    "description": "description",
}
TS_WEIGHTS = {
    "title": "A",
    "author": "B",
    "series": "C",
    "isbn": "D",
    "publisher": "D",
    "tag": "D",
    "description": "D",
}


@dataclass(frozen=True)
class Compiled:
    """`match` must hold, `exclude` must not (either may be None). `nothing` = no row can match."""

    match: str | None = None
    exclude: str | None = None
    nothing: bool = False

    @property
    def everything(self) -> bool:
        return not self.nothing and self.match is None and self.exclude is None


NOTHING = Compiled(nothing=True)
EVERYTHING = Compiled()


class _Dialect:
    and_op = " AND "
    or_op = " OR "

    def term(self, term: Term, alternatives: tuple[str, ...] | None) -> str:
        raise NotImplementedError

    def negate(self, positive: str, negative: str) -> str:
        raise NotImplementedError


class Fts5(_Dialect):
    def term(self, term: Term, alternatives: tuple[str, ...] | None) -> str:
        if alternatives is not None:
            expr = "(" + " OR ".join(f'"{w}"' for w in alternatives) + ")"
        else:
            expr = '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")
        return f"{FTS_COLUMNS[term.field]} : {expr}" if term.field else expr

    def negate(self, positive: str, negative: str) -> str:
        return f"({positive}) NOT ({negative})"


class TsQuery(_Dialect):
    and_op = " & "
    or_op = " | "

    def term(self, term: Term, alternatives: tuple[str, ...] | None) -> str:
        weight = TS_WEIGHTS.get(term.field or "", "")
        if alternatives is not None:
            return "(" + " | ".join(f"'{w}':{weight}" if weight else f"'{w}'" for w in alternatives) + ")"
        parts = []
        for index, word in enumerate(term.words):
            label = ("*" if term.prefix and index == len(term.words) - 1 else "") + weight
            parts.append(f"'{word}':{label}" if label else f"'{word}'")
        return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"

    def negate(self, positive: str, negative: str) -> str:
        return f"({positive}) & !({negative})"


def _compile(node: Node, dialect: _Dialect, expansions: dict[Term, tuple[str, ...]]) -> Compiled:
    if isinstance(node, Term):
        alternatives = expansions.get(node)
        if alternatives is not None and not alternatives:
            return NOTHING
        return Compiled(match=dialect.term(node, alternatives))
    if isinstance(node, Not):
        inner = _compile(node.child, dialect, expansions)
        if inner.nothing or inner.everything:
            return EVERYTHING if inner.nothing else NOTHING
        if inner.match and not inner.exclude:
            return Compiled(exclude=inner.match)
        return EVERYTHING  # NOT of a negation: too loose to express, matches everything
    parts = [_compile(child, dialect, expansions) for child in node.children]
    return _and(parts, dialect) if isinstance(node, And) else _or(parts, dialect)


def _and(parts: list[Compiled], dialect: _Dialect) -> Compiled:
    if any(p.nothing for p in parts):
        return NOTHING
    positives = [p.match for p in parts if p.match]
    negatives = [p.exclude for p in parts if p.exclude]
    match = "(" + dialect.and_op.join(positives) + ")" if len(positives) > 1 else (positives or [None])[0]
    exclude = dialect.or_op.join(f"({n})" for n in negatives) if negatives else None
    if match and exclude:
        return Compiled(match=dialect.negate(match, exclude))
    return Compiled(match=match, exclude=exclude)


def _or(parts: list[Compiled], dialect: _Dialect) -> Compiled:
    parts = [p for p in parts if not p.nothing]
    if not parts:
        return NOTHING
    if any(p.everything or p.exclude for p in parts):
        return EVERYTHING  # "a OR NOT b" cannot use the index and is nearly everything anyway
    return Compiled(match="(" + dialect.or_op.join(p.match for p in parts if p.match) + ")")


def to_fts5(root: Node | None, expansions: dict[Term, tuple[str, ...]] | None = None) -> Compiled:
    return EVERYTHING if root is None else _compile(root, Fts5(), expansions or {})


def to_tsquery(root: Node | None, expansions: dict[Term, tuple[str, ...]] | None = None) -> Compiled:
    return EVERYTHING if root is None else _compile(root, TsQuery(), expansions or {})
