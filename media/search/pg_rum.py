"""Early-terminated library search on PostgreSQL: a scan of the newest documents, the RUM
index (extension `rum`, Debian postgresql-15-rum) and the GIN index, each where it is fast.

A GIN index finds the documents holding a word but in no order, so ranking a common word visits
every match (26k rows for "dune*" at 100k books: 100-300 ms). SQLite's FTS5 ranks only the newest
SearchBackend.CANDIDATES matches of such a word (SqliteBackend._top_candidates); this module finds
those here:
- a query matching often among the newest SAMPLE documents: by reading the newest documents
  backwards until enough match (at most PROBE_PER_MATCH a match; ~1 us each);
- a rarer word, or alternatives of words (typos): from a RUM index whose posting lists are
  ordered by an attached item_id (order_by_attach), newest first (`ORDER BY item_id <=| max`);
- a rarer combination of words (AND, phrases): from the GIN index, every match, then the newest.
  (RUM reads every posting of every word of the query, and each word is prefix-matched: "the
  glass" read all of "the*" and took 270 ms at 100k, against a few ms for the words alone.)
The RUM indexes are on their own generated columns (`rum_words`, the document's words without
positions, and `title_document`, its title words): on `document` itself the planner took RUM for
ordinary matches too, where it was 10x slower than GIN (a whole title: 359 against 31 ms).
`rum_words` was a full copy of the document until it showed that a document and its copy pass
PostgreSQL's 2 kB, past which one of them went out of line (TOAST): reading the newest 5,000
documents took 5.4 ms instead of 3.7 with the words alone. The copy is now the first to leave the
row where a row is still too long, and the document stays in it.
Title matches come from the title column the same ways, so a title match older than the newest
matches is still ranked. Where the extension is not installed the backend ranks every match with
the GIN index (exact, slower for common words) and the Health page says how to install it."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from django.db import DatabaseError, connection, transaction

from media.search.sql import DOCS, title_boost
from media.search.sql import fetch as _fetch

INDEX = "media_sd_rum_words"
TITLE_INDEX = "media_sd_title_rum"
STRUCTURES = [
    "CREATE EXTENSION IF NOT EXISTS rum",
    # the whole document's copy of earlier versions (see above)
    "DROP INDEX IF EXISTS media_sd_rum_document",
    f"ALTER TABLE {DOCS} DROP COLUMN IF EXISTS rum_document",
    f"ALTER TABLE {DOCS} ADD COLUMN IF NOT EXISTS rum_words tsvector GENERATED ALWAYS AS (strip(document)) STORED",
    f"ALTER TABLE {DOCS} ADD COLUMN IF NOT EXISTS title_document tsvector "
    "GENERATED ALWAYS AS (ts_filter(document, '{a}')) STORED",
    # a row past 2 kB moves the copy out of line (TOAST), and keeps the document in the row
    f"ALTER TABLE {DOCS} ALTER COLUMN rum_words SET STORAGE EXTERNAL, ALTER COLUMN document SET STORAGE MAIN",
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON {DOCS} USING rum (rum_words rum_tsvector_addon_ops, item_id) "
    "WITH (attach = 'item_id', to = 'rum_words', order_by_attach = 't')",
    f"CREATE INDEX IF NOT EXISTS {TITLE_INDEX} ON {DOCS} USING rum (title_document rum_tsvector_addon_ops, "
    "item_id) WITH (attach = 'item_id', to = 'title_document', order_by_attach = 't')",
]
REMOVE = [
    f"DROP INDEX IF EXISTS {TITLE_INDEX}",
    f"DROP INDEX IF EXISTS {INDEX}",
    f"ALTER TABLE {DOCS} DROP COLUMN IF EXISTS title_document",
    f"ALTER TABLE {DOCS} DROP COLUMN IF EXISTS rum_words",
    f"ALTER TABLE {DOCS} ALTER COLUMN document SET STORAGE EXTENDED",
]
# distance below 2**52, item_id descending: RUM computes distances as float8, exact up to 2**53
# (below the largest bigint every distance would round to the same value, in no order)
NEWEST_FIRST = "<=| 4503599627370496"
# Newest documents read backwards (~0.7-1 us each) per match wanted, at most: past this the RUM
# index (one word, alternatives of words: ~5-7 us a match) or GIN (combinations: every match) is
# faster. Measured at 100k books for 1,200 matches: 5.6 documents a match read in 7 ms against 13
# by RUM, 9.3 read in 13 ms against 9 (with the whole document's copy; without it, 12 and 16
# instead of 8 and 12 made no difference an A/B of 320 queries could show).
SINGLE_PER_MATCH = 8
PROBE_PER_MATCH = 12
SAMPLE = 500  # newest documents that tell how often a query matches (at the 1-in-8 to 1-in-12 where
# reading stops paying, 40-60 of them match: enough to choose; 1,000 cost 5% more of a search)

_present: dict[str, bool] = {}  # database name -> the indexes exist (checked once per process)


def _one(cursor, sql: str, params: Sequence[object] = ()) -> tuple | None:
    cursor.execute(sql, list(params))
    return cursor.fetchone()


def extension_available(cursor) -> bool:
    return _one(cursor, "SELECT 1 FROM pg_available_extensions WHERE name = 'rum'") is not None


def indexes_present(cursor) -> bool:
    found = _one(cursor, "SELECT count(*) FROM pg_indexes WHERE indexname IN (%s, %s)", [INDEX, TITLE_INDEX])
    return bool(found and found[0] == 2)


def ensure_index() -> str:
    """Create the extension, the two generated columns and their indexes where the server has
    the extension and they are missing. Returns 'present', 'created', 'unavailable' (no extension on
    the server) or 'refused: <reason>' (e.g. the database user may not create extensions)."""
    if connection.vendor != "postgresql":
        return "unavailable"
    _present.pop(connection.settings_dict["NAME"], None)
    with connection.cursor() as cursor:
        if indexes_present(cursor):
            return "present"
        if not extension_available(cursor):
            return "unavailable"
        try:
            with transaction.atomic():  # a savepoint: a refusal leaves the caller's transaction usable
                for statement in STRUCTURES:
                    cursor.execute(statement)
        except DatabaseError as exc:
            return f"refused: {exc}".strip()
    return "created"


def remove_index() -> None:
    _present.pop(connection.settings_dict["NAME"], None)
    with connection.cursor() as cursor:
        for statement in REMOVE:
            cursor.execute(statement)


def in_use() -> bool:
    """Does this database have the RUM indexes? Cached per process and database."""
    if connection.vendor != "postgresql":
        return False
    name = connection.settings_dict["NAME"]
    if name not in _present:
        with connection.cursor() as cursor:
            _present[name] = indexes_present(cursor)
    return _present[name]


# ranked on the query's positive words: PostgreSQL ranks "dune & !arrakis" 1e-20 for every match
RANK = "ts_rank({document}, querytree({query})::tsquery)"


def ranked(tsquery: str, boost_key: str) -> tuple[str, list[object]]:
    """Columns item_id, title boost (sql.title_boost) and rank, with their parameters."""
    boost, params = title_boost(boost_key, "title_key")
    rank = RANK.format(document="document", query="to_tsquery('simple', %s)")
    return f"item_id, {boost}, {rank}", [*params, tsquery]


class Sample:
    """How often a query matches among the newest SAMPLE documents, in the whole document and in
    the title alone: one read (about 1 ms) that tells each look-up of the query how to go."""

    def __init__(self, tsquery: str) -> None:
        self.size = SAMPLE
        match = "ts_match_vq({}, to_tsquery('simple', %s))"
        self.found, self.found_in_titles = _fetch(
            f"SELECT count(*) FILTER (WHERE {match.format('document')}), "
            f"count(*) FILTER (WHERE {match.format('title_document')}) "
            f"FROM {DOCS} WHERE item_id > (SELECT max(item_id) FROM {DOCS}) - %s",
            [tsquery, tsquery, SAMPLE],
        )[0]

    def window(self, count: int, *, titles: bool, most: int) -> int:
        """How many newest documents likely hold `count` matches (with a margin); 0 when more
        than `most` would be needed."""
        found = self.found_in_titles if titles else self.found
        needed = 1.2 * count * self.size / found if found else most + 1
        return int(needed) + 1 if needed <= most else 0


def newest(
    tsquery: str, count: int, *, boost_key: str | None = None, titles: bool = False, sample: Sample | None = None
) -> list[tuple]:
    """The newest `count` documents matching `tsquery` (in their titles alone with `titles`),
    newest first: (item_id,) rows, or (item_id, boost, rank) with a `boost_key` (see ranked). How: see above.
    Titles of a rarer combination of words are not looked up (its matches are all ranked).
    `sample`: the query's Sample when the caller has one (read here otherwise)."""
    look = _Lookup(tsquery, count, boost_key, titles)
    positive = tsquery.split(" & !(", 1)[0]  # compile.py puts words to exclude last: "(a) & !(b)"
    single = "&" not in positive and "<->" not in positive  # one word, or alternatives of words
    sample = sample or Sample(tsquery)
    window = sample.window(count, titles=titles, most=count * (SINGLE_PER_MATCH if single else PROBE_PER_MATCH))
    if window and len(rows := look.by_reading(window)) == count:
        return rows
    if single:
        return look.by_rum()
    return [] if titles else look.by_gin()


class _Lookup:
    """The three ways of `newest`, as SQL over the search documents."""

    def __init__(self, tsquery: str, count: int, boost_key: str | None, titles: bool):
        self.tsquery, self.count, self.titles = tsquery, count, titles
        self.columns, self.extra = ranked(tsquery, boost_key) if boost_key is not None else ("item_id", [])
        self.column, self.rum_column = ("title_document",) * 2 if titles else ("document", "rum_words")

    # the whole document must match too: on titles, "a -b" lets a "b" elsewhere through; the RUM
    # copy of the words has no positions nor weights, on which "title:dune" matches any "dune"
    WHOLE = " AND ts_match_vq(document, to_tsquery('simple', %s))"

    def by_reading(self, window: int) -> list[tuple]:
        whole, whole_params = (self.WHOLE, [self.tsquery]) if self.titles else ("", [])
        return _fetch(
            f"SELECT {self.columns} FROM {DOCS} WHERE item_id > (SELECT max(item_id) FROM {DOCS}) - %s "
            f"AND ts_match_vq({self.column}, to_tsquery('simple', %s)){whole} ORDER BY item_id DESC LIMIT %s",
            [*self.extra, window, self.tsquery, *whole_params, self.count],
        )

    def by_rum(self) -> list[tuple]:
        return _in_index_order(
            f"SELECT {self.columns} FROM {DOCS} WHERE {self.rum_column} @@ to_tsquery('simple', %s){self.WHOLE} "
            f"ORDER BY item_id {NEWEST_FIRST} LIMIT %s",
            [*self.extra, self.tsquery, self.tsquery, self.count],
        )

    def by_gin(self) -> list[tuple]:
        return _fetch(  # "+ 0": not the primary key's order, which would read every document newest first
            f"SELECT {self.columns} FROM {DOCS} WHERE document @@ to_tsquery('simple', %s) "
            "ORDER BY item_id + 0 DESC LIMIT %s",
            [*self.extra, self.tsquery, self.count],
        )


def _in_index_order(sql: str, params: list[object]) -> list[tuple]:
    """Runs an ORDER BY on the RUM index's distance without bitmap scans for this statement: the
    planner otherwise often reads every match into a bitmap and sorts them (a title prefix in 7%
    of 100k books: 31 ms, against 11 ms in the index's order). Set for the transaction, then back to the
    value it had: inside a caller's transaction the setting must not outlive the statement.
    With client-side binding (Django's default) the three statements go in one round trip (a
    simple query, one transaction of its own outside a caller's): 1-1.5 ms less a search than
    a transaction of three statements."""
    with connection.cursor() as cursor:
        if isinstance(cursor.cursor, psycopg.ClientCursor):
            cursor.execute(f"{_BITMAPS_OFF}; {sql}; {_BITMAPS_BACK}", params)
            cursor.nextset()
            return cursor.fetchall()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_BITMAPS_OFF)
        try:
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.execute(_BITMAPS_BACK)


_BITMAPS_OFF = (
    "SELECT set_config('omni.bitmapscan', current_setting('enable_bitmapscan'), true), "
    "set_config('enable_bitmapscan', 'off', true)"
)
_BITMAPS_BACK = "SELECT set_config('enable_bitmapscan', current_setting('omni.bitmapscan'), true)"


def newest_titles(tsquery: str, count: int, *, boost_key: str = "", sample: Sample | None = None) -> list[tuple]:
    """(item_id, boost, rank) of the newest `count` documents whose title matches."""
    return newest(tsquery, count, boost_key=boost_key, titles=True, sample=sample)


def exact_titles(tsquery: str, title_key: str) -> list[tuple]:
    """(item_id, boost, rank) of documents whose title key is `title_key` (boost 2)."""
    columns, params = ranked(tsquery, title_key)
    match = "ts_match_vq(document, to_tsquery('simple', %s))"
    sql = f"SELECT {columns} FROM {DOCS} WHERE title_key = %s AND {match} LIMIT 50"
    return _fetch(sql, [*params, title_key, tsquery])
