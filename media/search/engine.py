"""Runs a library query: parse, expand typos and wildcards over the vocabulary, compile for
the database in use, fetch one page of ranked ids (plus one to know whether more follow), count
the matches up to a cap (past it the total is estimated), and say why (corrections, notices,
suggestions)."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field, replace

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from rapidfuzz import process
from rapidfuzz.distance import OSA
from regex import error as regex_error

from media.query import And, Node, ParsedQuery, Term, case_words, literal_query, parse
from media.search import patterns
from media.search.backends import DOCS, ITEMS, SearchBackend, backend
from media.search.compile import Compiled
from media.search.filters import SORTS, SearchFilters, filter_sql, hidden_sql, order_sql
from media.search.sql import fetch

MAX_PAGE_SIZE = 500
COUNT_CAP = 1000  # matches counted exactly; past it the total is estimated (see count_matches)
RECENT_BOOSTED = 20  # a viewer's most recently opened items that rank a little higher


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: str = "relevance"
    descending: bool | None = None
    regex: bool = False
    case_sensitive: bool = False  # regex: exact case over the item's own text; words: each in this case
    page: int = 1
    page_size: int = 50
    count: bool = True  # count the matches (exactly up to COUNT_CAP)
    hidden: Q | None = None  # items the viewer must not see (core.visibility): never matched nor counted
    recent: tuple[int, ...] = ()  # items the viewer opened lately: a small, bounded boost in relevance order


@dataclass(frozen=True)
class Suggestion:
    label: str
    q: str
    clear_filters: bool = False
    drop: str = ""  # the one filter to drop (its SearchFilters field), keeping the others
    total: int | None = None  # what the relaxed search finds
    total_estimated: bool = False


@dataclass(frozen=True)
class SearchOutcome:
    ids: tuple[int, ...]
    has_next: bool
    mode: str  # listing | fulltext | regex
    parsed: ParsedQuery
    corrections: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    regex: str = ""
    total: int | None = None
    total_estimated: bool = False  # more than COUNT_CAP matched: `total` is extrapolated
    # what matched, for facet counts: the compiled query (None: filters alone) and extra clauses
    compiled: Compiled | None = field(default=None, compare=False, repr=False)
    match_where: tuple[str, ...] = field(default=(), compare=False, repr=False)
    match_params: tuple[object, ...] = field(default=(), compare=False, repr=False)
    # every match's id when the total is exact (the page held them all, or the count read them)
    matched: tuple[int, ...] | None = field(default=None, compare=False, repr=False)
    # the engine that searched: what it read on the way (PostgreSQL's newest matches) serves the facets
    engine: SearchBackend | None = field(default=None, compare=False, repr=False)

    @property
    def highlight_words(self) -> tuple[tuple[str, bool], ...]:
        words: list[tuple[str, bool]] = []
        for term in self.parsed.terms:
            if term.pattern:
                words.append((term.pattern, False))
            elif term.text in self.corrections:
                words += [(w, False) for w in self.corrections[term.text]]
            else:
                words += [(w, term.prefix and i == len(term.words) - 1) for i, w in enumerate(term.words)]
        return tuple(words)


def walk(node: Node | None):
    if node is None:
        return
    if isinstance(node, Term):
        yield node
    elif hasattr(node, "child"):
        yield from walk(node.child)
    else:
        for child in node.children:
            yield from walk(child)


def plain_words(parsed: ParsedQuery) -> bool:
    """Only positive, unfielded, wildcard-free terms joined by AND (then an item whose title
    is exactly those words certainly matches)."""
    root = parsed.root
    terms = [root] if isinstance(root, Term) else list(getattr(root, "children", ())) if isinstance(root, And) else []
    return bool(terms) and all(isinstance(t, Term) and t.field is None and not t.pattern for t in terms)


def max_typos(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def close_words(engine: SearchBackend, word: str, *, limit: int = 5) -> tuple[str, ...]:
    """Vocabulary words within a few edits of `word`, nearest first."""
    allowed = max_typos(word)
    if not allowed:
        return ()
    candidates = [c for c in engine.similar_terms(word) if c != word]
    found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=allowed, limit=None)
    return tuple(c for c, _, _ in sorted(found, key=lambda hit: (hit[1], hit[0])))[:limit]


def expand(
    engine: SearchBackend, parsed: ParsedQuery, close=None
) -> tuple[dict[Term, tuple[str, ...]], dict[str, tuple]]:
    close = close or (lambda word: close_words(engine, word))
    expansions: dict[Term, tuple[str, ...]] = {}
    corrections: dict[str, tuple[str, ...]] = {}
    for term in walk(parsed.root):
        if term in expansions:
            continue
        if term.pattern:
            expansions[term] = tuple(engine.wildcard_terms(term.pattern))
        elif len(term.words) == 1 and term.field != "isbn" and not term.words[0].isdigit():
            word = term.words[0]
            if max_typos(word) and not engine.term_exists(word, prefix=term.prefix):
                expansions[term] = close(word)
                if expansions[term]:
                    corrections[word] = expansions[term]
    return expansions, corrections


FILTER_LABELS = {  # SearchFilters field -> (API parameter, words for "without the ... filter")
    "kind": ("kind", "kind"),
    "formats": ("format", "format"),
    "language": ("language", "language"),
    "genre": ("genre", "genre"),
    "year_min": ("year_min", "earliest year"),
    "year_max": ("year_max", "latest year"),
    "size_min": ("size_min", "smallest size"),
    "size_max": ("size_max", "largest size"),
    "has_cover": ("has_cover", "cover"),
    "has_series": ("has_series", "series"),
    "has_isbn": ("has_isbn", "ISBN"),
    "has_description": ("has_description", "description"),
    "completeness_min": ("completeness_min", "metadata completeness"),
    "completeness_max": ("completeness_max", "metadata completeness"),
    "statuses": ("status", "status"),
    "missing_files": ("missing_files", "missing files"),
    "present_file": ("present_file", "readable file"),
}
_FIELD_PREFIX = re.compile(
    r"(?<![\w-])(title|authors?|by|series|publisher|tags?|genre|subject|description|desc):", re.IGNORECASE
)


def _suggest(request: SearchRequest, parsed: ParsedQuery, close, counter: _Counter) -> tuple[Suggestion, ...]:
    """What to relax when nothing matched: a near spelling, a broader field (with what it
    finds), each active filter dropped alone (with what that finds), all filters, any word."""
    found: list[Suggestion] = []
    for term in parsed.terms:
        if len(term.words) == 1 and not term.pattern:
            for word in close(term.words[0])[:2]:
                found.append(
                    Suggestion(
                        f"Did you mean “{word}”?",
                        request.q.replace(term.words[0], word, 1) if term.words[0] in request.q else word,
                    )
                )
    found += _broader_field(request, parsed, counter)
    found += _dropped_filters(request, parsed, counter)
    if request.filters.active:
        found.append(Suggestion("Search without filters", request.q, clear_filters=True))
    words = [t.text for t in parsed.terms if not t.pattern]
    if len(words) > 1:
        found.append(Suggestion("Match any of the words", " OR ".join(words)))
    return tuple(found[:8])


def _matches(engine: SearchBackend, q: str, where: list[str], params: list[object]) -> tuple[int, bool]:
    parsed = parse(q)
    expansions, _ = expand(engine, parsed)
    compiled = engine.compile(parsed.root, expansions)
    if compiled.nothing:
        return 0, False
    return engine.count_matches(None if compiled.everything else compiled, where, params, COUNT_CAP)


def _about(total: int, estimated: bool) -> str:
    return f"{'about ' if estimated else ''}{total:,} book{'' if total == 1 else 's'}"


def _broader_field(request: SearchRequest, parsed: ParsedQuery, counter: _Counter) -> list[Suggestion]:
    fielded = sorted({t.field for t in parsed.terms if t.field and t.field != "isbn"})
    broader = " ".join(_FIELD_PREFIX.sub("", request.q).split())
    if not fielded or broader == request.q.strip() or not broader:
        return []
    total, estimated = _matches(counter.engine, broader, counter.where, counter.params)
    if not total:
        return []
    where = " and ".join(f"{name}:" for name in fielded)
    label = f"{where} found nothing; “{broader}” anywhere finds {_about(total, estimated)}"
    return [Suggestion(label, broader, total=total, total_estimated=estimated)]


def _dropped_filters(request: SearchRequest, parsed: ParsedQuery, counter: _Counter) -> list[Suggestion]:
    active = [name for name, value in request.filters.__dict__.items() if value not in (None, ())]
    if len(active) < 2:  # one filter: "Search without filters" says it
        return []
    hidden = [hidden_sql(request.hidden)] if request.hidden is not None else []
    found = []
    for name in active:
        where, params = filter_sql(with_query_filters(request.filters.without(name), parsed))
        for clause, values in hidden:
            where, params = [*where, clause], [*params, *values]
        total, estimated = _matches(counter.engine, request.q, where, params)
        if total:
            param, words = FILTER_LABELS[name]
            found.append(
                Suggestion(
                    f"Without the {words} filter: {_about(total, estimated)}",
                    request.q,
                    drop=param,
                    total=total,
                    total_estimated=estimated,
                )
            )
    return found


def _regex_ids(
    match: tuple[str, list[object]], where: list[str], params: list[object], limit: int, offset: int
) -> list[int]:
    sql = (
        f"SELECT m.id FROM {ITEMS} m JOIN {DOCS} sd ON sd.item_id = m.id WHERE {match[0]}"
        + "".join(f" AND {c}" for c in where)
        + " ORDER BY m.sort_title, m.id LIMIT %s OFFSET %s"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [*match[1], *params, limit, offset])
        return [r[0] for r in cursor.fetchall()]


def _strip_accents(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))


def with_query_filters(filters: SearchFilters, parsed: ParsedQuery) -> SearchFilters:
    """Filter prefixes of the query (language:de format:epub kind:comic) ANDed with the form's."""
    for name, value in parsed.filters:
        if name == "language":
            filters = replace(filters, language=value[:8])
        elif name == "format":
            filters = replace(filters, formats=(*filters.formats, value[:8]))
        elif name == "kind":
            filters = replace(filters, kind=value)
    return filters


def run(request: SearchRequest) -> SearchOutcome:
    size = max(1, min(request.page_size, MAX_PAGE_SIZE))
    offset = (max(1, request.page) - 1) * size
    parsed = parse(request.q)
    where, params = filter_sql(with_query_filters(request.filters, parsed))
    if request.hidden is not None:
        clause, hidden_params = hidden_sql(request.hidden)
        where, params = [*where, clause], [*params, *hidden_params]
    counter = _Counter(backend(), where, params, request.count, offset)
    notices: list[str] = list(parsed.warnings)
    if request.regex and request.q.strip():
        try:
            return _run_regex(request, counter, size, offset)
        except (regex_error, DatabaseError) as exc:
            notices = [f"Not a valid regular expression ({exc}); searched for the words literally."]
        except patterns.RegexTimeout:
            notices = [
                f"The regular expression took longer than {patterns.TIME_LIMIT:g} s; searched for the words literally."
            ]
        parsed = literal_query(request.q)
    words = case_words(request.q) if request.case_sensitive and not request.regex else []
    if not words:
        return _run_words(request, parsed, counter, size, offset, notices)
    match = patterns.words_clause(words)
    cased = replace(counter, where=[*where, match[0]], params=[*params, *match[1]])
    try:
        with patterns.time_limit():
            return replace(
                _run_words(request, parsed, cased, size, offset, notices),
                match_where=(match[0],),
                match_params=tuple(match[1]),
            )
    except patterns.RegexTimeout:
        notices.append("Matching the exact case took too long; matched regardless of case.")
        return _run_words(request, parsed, counter, size, offset, notices)


def _run_regex(request: SearchRequest, counter: _Counter, size: int, offset: int) -> SearchOutcome:
    pattern = request.q.strip() if request.case_sensitive else _strip_accents(request.q.strip())
    patterns.check(pattern)
    match = patterns.clause(pattern, case_sensitive=request.case_sensitive)
    with patterns.time_limit():
        ids = _regex_ids(match, counter.where, counter.params, size + 1, offset)
        counted = counter.count(ids, size, match=match)
    return SearchOutcome(
        tuple(ids[:size]),
        len(ids) > size,
        "regex",
        ParsedQuery(None),
        regex=pattern,
        **counted,
        match_where=(match[0],),
        match_params=tuple(match[1]),
    )


def _run_words(
    request: SearchRequest, parsed: ParsedQuery, counter: _Counter, size: int, offset: int, notices: list[str]
) -> SearchOutcome:
    engine, where, params = counter.engine, counter.where, counter.params
    order = (
        None
        if request.sort == "relevance" or request.sort not in SORTS
        else order_sql(request.sort, descending=request.descending)
    )
    # one vocabulary look-up per word and request: a query without results asks again for suggestions
    close = functools.lru_cache(maxsize=32)(lambda word: close_words(engine, word))
    expansions, corrections = expand(engine, parsed, close) if not parsed.is_empty else ({}, {})
    compiled = engine.compile(parsed.root, expansions)
    if parsed.is_empty or compiled.everything:
        listing = order or order_sql("title", descending=request.descending)
        ids = _listing_ids(where, params, listing, size + 1, offset)
        return SearchOutcome(
            tuple(ids[:size]),
            len(ids) > size,
            "listing",
            parsed,
            notices=tuple(notices),
            **counter.count(ids, size),
        )
    boost_key = " ".join(corrections.get(w, (w,))[0] for w in parsed.free_text.split())
    ids = (
        []
        if compiled.nothing
        else engine.ranked_ids(
            compiled,
            where,
            params,
            boost_key,
            size + 1,
            offset,
            order=order,
            exact_titles=plain_words(parsed),
            recent=request.recent[:RECENT_BOOSTED],
        )
    )
    suggestions = _suggest(request, parsed, close, counter) if not ids and offset == 0 else ()
    return SearchOutcome(
        tuple(ids[:size]),
        len(ids) > size,
        "fulltext",
        parsed,
        corrections,
        tuple(notices),
        suggestions,
        **counter.count(ids, size, compiled=compiled),
        compiled=compiled,
        engine=engine,
    )


@dataclass(frozen=True)
class _Counter:
    engine: SearchBackend
    where: list[str]
    params: list[object]
    wanted: bool
    offset: int

    def count(self, ids: list[int], size: int, *, compiled=None, match=None) -> dict[str, object]:
        """The total of a page's query: free when this page is the last one, else counted."""
        if not self.wanted:
            return {}
        if len(ids) <= size and (ids or self.offset == 0):
            return {"total": self.offset + len(ids), "matched": None if self.offset else tuple(ids)}
        if compiled is not None and compiled.nothing:
            return {"total": 0, "matched": ()}
        extra = ([match[0]], match[1]) if match else ([], [])
        total, estimated, newest = self.engine.counted_matches(
            compiled, [*self.where, *extra[0]], [*self.params, *extra[1]], COUNT_CAP
        )
        return {"total": total, "total_estimated": estimated, "matched": None if estimated else tuple(newest)}


def _listing_ids(where: list[str], params: list[object], order: str, limit: int, offset: int) -> list[int]:
    sql = (
        f"SELECT m.id FROM {ITEMS} m JOIN {DOCS} sd ON sd.item_id = m.id WHERE "
        + " AND ".join(where or ["1 = 1"])
        + f" ORDER BY {order} LIMIT %s OFFSET %s"
    )
    return [r[0] for r in fetch(sql, [*params, limit, offset])]
