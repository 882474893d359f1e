"""Regular expressions in library search, bounded in time, case-insensitive over the folded
search text or case-sensitive over the item's own title, subtitle, series and authors.

SQLite has no REGEXP of its own: `omni_regexp` (registered inside `time_limit`) runs the
`regex` package, whose per-match timeout stops catastrophic backtracking, and a progress
handler stops the statement as a whole past the deadline. PostgreSQL runs its own `~` / `~*` under a
`statement_timeout`. Past the limit, `RegexTimeout` is raised and the caller searches literally."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import regex
from django.db import DatabaseError, connection, transaction

from media.models import Author, Contribution, MediaItem, Series

TIME_LIMIT = 1.0  # seconds a regex search (its page and its count) may take
MATCH_LIMIT = 0.05  # seconds one text may take to match outside a time_limit block
ITEMS = MediaItem._meta.db_table
_state = threading.local()


class RegexTimeout(Exception):
    """The regular expression ran past its time limit."""


@functools.lru_cache(maxsize=64)
def _compiled(pattern: str):
    return regex.compile(pattern, regex.V0)


def check(pattern: str) -> None:
    """Raises regex.error for a pattern that does not compile (the caller falls back)."""
    _compiled(pattern)


def _deadline() -> float:
    return getattr(_state, "deadline", 0.0) or time.monotonic() + MATCH_LIMIT


def _sqlite_match(pattern: str | None, text: str | None) -> bool | None:
    if pattern is None or text is None:
        return None
    remaining = _deadline() - time.monotonic()
    try:
        if remaining <= 0:
            raise TimeoutError
        return _compiled(pattern).search(text, timeout=remaining) is not None
    except TimeoutError:
        _state.timed_out = True
        raise


def _original_text() -> str:
    """The item's own text in its own case: title, subtitle, series and author names."""
    join = "group_concat(a.name, ' ')" if connection.vendor == "sqlite" else "string_agg(a.name, ' ')"
    return (
        f"(m.title || ' ' || m.subtitle || ' ' || COALESCE((SELECT s.title FROM {Series._meta.db_table} s "
        f"WHERE s.id = m.series_id), '') || ' ' || COALESCE((SELECT {join} FROM {Contribution._meta.db_table} c "
        f"JOIN {Author._meta.db_table} a ON a.id = c.author_id WHERE c.item_id = m.id), ''))"
    )


def clause(pattern: str, *, case_sensitive: bool) -> tuple[str, list[object]]:
    """A WHERE clause over `m` / `sd` matching `pattern`, and its parameter."""
    text = _original_text() if case_sensitive else "sd.text"
    if connection.vendor == "postgresql":
        return f"{text} {'~' if case_sensitive else '~*'} %s", [pattern]
    return f"omni_regexp(%s, {text})", [pattern if case_sensitive else f"(?i){pattern}"]


def words_clause(words: list[str]) -> tuple[str, list[object]]:
    """Every word present, in exactly this case, at the start of a word (case-sensitive words)."""
    pattern = "^" + "".join(f"(?=.*(?<![[:alnum:]]){regex.escape(w)})" for w in words)
    if connection.vendor == "sqlite":
        pattern = pattern.replace("[[:alnum:]]", r"\w")
    return clause(pattern, case_sensitive=True)


@contextmanager
def time_limit(seconds: float | None = None) -> Iterator[None]:
    """The enclosed queries stop after `seconds` (default TIME_LIMIT), raising RegexTimeout."""
    seconds = TIME_LIMIT if seconds is None else seconds
    if seconds <= 0:
        raise RegexTimeout  # no time at all: on every engine, not just where a 0 limit stops at once
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with _postgres_limit(seconds):
            yield
        return
    raw = connection.connection
    raw.create_function("omni_regexp", 2, _sqlite_match)
    _state.deadline, _state.timed_out = time.monotonic() + seconds, False
    raw.set_progress_handler(lambda: int(time.monotonic() > _state.deadline), 2000)
    try:
        yield
    except DatabaseError as exc:
        if _state.timed_out or "interrupted" in str(exc):
            raise RegexTimeout from exc
        raise
    finally:
        raw.set_progress_handler(None, 0)
        _state.deadline = 0.0


@contextmanager
def _postgres_limit(seconds: float) -> Iterator[None]:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('statement_timeout')")
            before = cursor.fetchone()[0]
            # at least 1 ms: PostgreSQL reads a statement_timeout of 0 as "no limit"
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{max(1, int(seconds * 1000))}ms"])
            yield
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [before])
    except DatabaseError as exc:
        if "statement timeout" in str(exc):
            raise RegexTimeout from exc
        raise
