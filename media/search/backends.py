"""The two full-text engines behind one interface: SQLite FTS5 (embedded default) and
PostgreSQL tsvector + unaccent + pg_trgm. Each writes index rows, looks words up in the
vocabulary (prefix, typo-tolerant, wildcard) and returns ranked item ids."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

from django.db import connection

from media.models import MediaItem, SearchDocument, SearchTerm
from media.search import pg_rum
from media.search.compile import Compiled, to_fts5, to_tsquery
from media.search.filters import is_unfiltered
from media.search.sql import docs_join, fetch, number_array, title_boost
from media.selectors import ACQUISITION_STATUSES

ITEMS = MediaItem._meta.db_table
DOCS = SearchDocument._meta.db_table
TERMS = SearchTerm._meta.db_table
FTS = "media_search_fts"
TRI = "media_searchterm_tri"
TEXT_COLUMNS = "title, authors, series, description, identifiers, publisher, tags"
RECENT_BOOST = 1.25  # relevance of a book the viewer opened lately: bounded, and never above a title match


def _marks(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


class SearchBackend:
    vendor = ""
    # Matches ranked per relevance page, on both databases: the newest this many, the newest this
    # many title matches and the exact titles (see the backends' _top_candidates); a query matching
    # more ranks those. More than the engine's COUNT_CAP, so that the page's count reuses them.
    # 1,200 rather than 2,000: PostgreSQL's p95 at 100k books 23-30 instead of 30-35 ms; on the
    # heaviest queries (a word in a quarter of the books, short prefixes) 81 instead of 85% of the
    # first page's places as relevant as with every match ranked, on SQLite 95 instead of 96%
    # (benchmarks/search_quality.py).
    CANDIDATES = 1200
    TITLE_CANDIDATES = 1200  # newest title matches ranked as well (a title match older than the above)

    def compile(self, root, expansions) -> Compiled:
        raise NotImplementedError

    def write_documents(self, texts) -> None:
        raise NotImplementedError

    def delete_documents(self, ids: Sequence[int]) -> None:
        """Index rows kept outside SearchDocument (dropped with it otherwise)."""

    def add_terms(self, rows: Sequence[tuple[int, str]]) -> None:
        """Mirror new vocabulary rows into a side index where one is needed."""

    def clear(self) -> None:
        """Empty index structures Django does not manage."""

    def remove_orphans(self) -> None:
        """Drop rows of items that no longer exist."""

    def _fetch(self, sql: str, params: Sequence[object]) -> list[tuple]:
        return fetch(sql, params)

    def term_exists(self, word: str, *, prefix: bool) -> bool:
        raise NotImplementedError

    def similar_terms(self, word: str, limit: int = 40) -> list[str]:
        raise NotImplementedError

    def wildcard_terms(self, pattern: str, limit: int = 40) -> list[str]:
        raise NotImplementedError

    def ranked_ids(
        self,
        compiled: Compiled,
        where: list[str],
        params: list[object],
        boost_key: str,
        limit: int,
        offset: int,
        *,
        order: str | None = None,
        exact_titles: bool = False,
        recent: Sequence[int] = (),
    ) -> list[int]:
        """One page of matching ids, best first. `exact_titles`: the query is plain words,
        so items whose title key equals `boost_key` match for sure. `recent`: items the viewer
        opened lately, whose relevance score counts RECENT_BOOST times (within the same title boost)."""
        raise NotImplementedError

    def newest_matches(
        self, compiled: Compiled | None, where: list[str], params: list[object], limit: int
    ) -> list[int]:
        """Ids of the newest `limit` matches (None = the filters alone), newest first."""
        raise NotImplementedError

    NEWEST_SCAN = ""  # how the items table is read for the newest matches (see SqliteBackend)

    def _listing_newest(self, where: list[str], params: list[object], limit: int) -> list[int]:
        sql = (
            f"SELECT m.id FROM {ITEMS} m {self.NEWEST_SCAN}JOIN {DOCS} sd ON sd.item_id = m.id WHERE "
            + " AND ".join(where or ["1 = 1"])
            + " ORDER BY m.id DESC LIMIT %s"
        )
        return [r[0] for r in self._fetch(sql, [*params, limit])]

    def count_matches(
        self, compiled: Compiled | None, where: list[str], params: list[object], cap: int
    ) -> tuple[int, bool]:
        """(total, estimated): exact up to `cap` matches. Past it, the newest cap+1 matches span
        a range of ids; the total is extrapolated from the share of the library in that range
        (an estimate for the page to say "about N", which keeps counting bounded at any size)."""
        total, estimated, _ = self.counted_matches(compiled, where, params, cap)
        return total, estimated

    def counted_matches(
        self, compiled: Compiled | None, where: list[str], params: list[object], cap: int
    ) -> tuple[int, bool, list[int]]:
        """count_matches and the ids it read: every match when the total is exact."""
        ids = self.newest_matches(compiled, where, params, cap + 1)
        if len(ids) <= cap:
            return len(ids), False, ids
        everything, in_range = self._items_from(ids[-1])
        estimate = len(ids) * everything / max(in_range, 1)
        return max(len(ids), round_estimate(estimate)), True, ids

    def _items_from(self, first_id: int) -> tuple[int, int]:
        """(books in the library, books with an id of at least `first_id`)."""
        sql = f"SELECT (SELECT count(*) FROM {ITEMS}), (SELECT count(*) FROM {ITEMS} WHERE id >= %s)"
        return self._fetch(sql, [first_id])[0]

    @staticmethod
    def _recent_factor(column: str, recent: Sequence[int]) -> tuple[str, list[object]]:
        if not recent:
            return "", []
        return f" * CASE WHEN {column} IN ({_marks(recent)}) THEN {RECENT_BOOST} ELSE 1 END", list(recent)


def round_estimate(value: float) -> int:
    """Two significant figures: 4,731.6 -> 4,700."""
    digits = max(0, len(str(int(value))) - 2)
    return int(round(value, -digits))


class SqliteBackend(SearchBackend):
    vendor = "sqlite"
    # bm25 column weights: title, authors, series, description, identifiers, publisher, tags
    BM25 = f"bm25({FTS}, 10.0, 6.0, 4.0, 1.0, 8.0, 2.0, 3.0)"
    # Newest matches walk the table backwards by id and stop at the limit. Without statistics
    # SQLite took an index on kind (or status) whenever one was filtered on, then sorted every
    # match: 70 ms for kind=ebook at 100k books, against at most a full walk (~25 ms) here.
    NEWEST_SCAN = "NOT INDEXED "

    def compile(self, root, expansions) -> Compiled:
        return to_fts5(root, expansions)

    def write_documents(self, texts) -> None:
        if texts:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {FTS} (rowid, {TEXT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    [(t.item_id, *t.columns()) for t in texts],
                )

    def delete_documents(self, ids) -> None:
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {FTS} WHERE rowid IN ({_marks(ids)})", list(ids))

    def add_terms(self, rows) -> None:
        if rows:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {TRI} WHERE rowid IN ({_marks(rows)})", [r[0] for r in rows])
                cursor.executemany(f"INSERT INTO {TRI} (rowid, term) VALUES (%s, %s)", list(rows))

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS}")
            cursor.execute(f"DELETE FROM {TRI}")

    def remove_orphans(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS} WHERE rowid NOT IN (SELECT item_id FROM {DOCS})")
            cursor.execute(f"DELETE FROM {TRI} WHERE rowid NOT IN (SELECT id FROM {TERMS})")

    def term_exists(self, word: str, *, prefix: bool) -> bool:
        if prefix:
            return bool(self._fetch(f"SELECT 1 FROM {TERMS} WHERE term GLOB %s LIMIT 1", [word + "*"]))
        return bool(self._fetch(f"SELECT 1 FROM {TERMS} WHERE term = %s LIMIT 1", [word]))

    def similar_terms(self, word: str, limit: int = 40) -> list[str]:
        grams = {word[i : i + 3] for i in range(len(word) - 2)}
        if not grams:
            return []
        # terms sharing the most trigrams with the word: one index look-up per trigram and a
        # count, not bm25 over every term sharing one (that was ~14 ms for common trigrams)
        each = " UNION ALL ".join([f"SELECT rowid FROM {TRI} WHERE {TRI} MATCH %s"] * len(grams))
        rows = self._fetch(
            f"SELECT t.term FROM (SELECT rowid, count(*) AS shared FROM ({each}) GROUP BY rowid "
            f"ORDER BY shared DESC, rowid LIMIT %s) s JOIN {TERMS} t ON t.id = s.rowid",
            [*(f'"{g}"' for g in sorted(grams)), limit * 10],
        )
        # words sharing the first letter and about the length: catches swaps in short words
        rows += self._fetch(
            f"SELECT term FROM {TERMS} WHERE term GLOB %s AND length(term) BETWEEN %s AND %s LIMIT 5000",
            [word[0] + "*", len(word) - 2, len(word) + 2],
        )
        return list(dict.fromkeys(r[0] for r in rows))

    def wildcard_terms(self, pattern: str, limit: int = 40) -> list[str]:
        rows = self._fetch(f"SELECT term FROM {TERMS} WHERE term GLOB %s ORDER BY term LIMIT %s", [pattern, limit])
        return [r[0] for r in rows]

    def ranked_ids(
        self, compiled, where, params, boost_key, limit, offset, *, order=None, exact_titles=False, recent=()
    ) -> list[int]:
        clauses, args = list(where), list(params)
        if compiled.exclude:
            clauses.append(f"m.id NOT IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)")
            args.append(compiled.exclude)
        if not compiled.match:
            sql = (
                f"SELECT m.id FROM {ITEMS} m JOIN {DOCS} sd ON sd.item_id = m.id WHERE "
                + " AND ".join(clauses or ["1 = 1"])
                + f" ORDER BY {order or 'm.sort_title, m.id'} LIMIT %s OFFSET %s"
            )
            return [r[0] for r in self._fetch(sql, [*args, limit, offset])]
        boost, boost_params = title_boost(boost_key)
        if order is None and offset + limit <= self.CANDIDATES:
            exact_key = boost_key if exact_titles else ""
            ids = self._top_candidates(compiled.match, clauses, args, boost_key, exact_key, limit, offset, recent)
            if len(ids) == limit or not clauses:
                return ids
        factor, recent_params = self._recent_factor("m.id", recent)
        ranking = order or f"{boost} DESC, {self.BM25}{factor}, m.sort_title, m.id"
        boost_params = [] if order else [*boost_params, *recent_params]
        sql = (
            f"SELECT m.id FROM {FTS} JOIN {ITEMS} m ON m.id = {FTS}.rowid "
            f"JOIN {DOCS} sd ON sd.item_id = m.id WHERE {FTS} MATCH %s"
            + "".join(f" AND {c}" for c in clauses)
            + f" ORDER BY {ranking} LIMIT %s OFFSET %s"
        )
        return [r[0] for r in self._fetch(sql, [compiled.match, *args, *boost_params, limit, offset])]

    def newest_matches(self, compiled, where, params, limit) -> list[int]:
        clauses, args = list(where), list(params)
        if compiled is not None and compiled.exclude:
            clauses.append(f"m.id NOT IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)")
            args.append(compiled.exclude)
        if compiled is None or not compiled.match:
            return self._listing_newest(clauses, args, limit)
        docs = docs_join(clauses)
        sql = (
            f"SELECT m.id FROM {FTS} JOIN {ITEMS} m ON m.id = {FTS}.rowid {docs}WHERE {FTS} MATCH %s"
            + "".join(f" AND {c}" for c in clauses)
            + f" ORDER BY {FTS}.rowid DESC LIMIT %s"
        )
        return [r[0] for r in self._fetch(sql, [compiled.match, *args, limit])]

    BOOST_SET = 500  # titles starting with the query looked up by index instead of joining

    def _boost_by_title_index(self, boost_key: str, clauses) -> tuple[str, list[object]] | None:
        """The title boost of `_boost` as membership in index ranges (no per-candidate join
        to the search document) when few titles start with the key and no filter needs it."""
        if any("sd." in c for c in clauses) or (boost_key and ord(boost_key[-1]) >= 0x10FFFF):
            return None
        if not boost_key:
            return "(SELECT 0)", []
        upper = boost_key[:-1] + chr(ord(boost_key[-1]) + 1)  # prefix range in code-point order
        starting = f"SELECT item_id FROM {DOCS} WHERE title_key >= %s AND title_key < %s"
        if len(self._fetch(starting + " LIMIT %s", [boost_key, upper, self.BOOST_SET + 1])) > self.BOOST_SET:
            return None
        return (
            f"CASE WHEN best.id IN (SELECT item_id FROM {DOCS} WHERE title_key = %s) THEN 2 "
            f"WHEN best.id IN ({starting}) THEN 1 ELSE 0 END",
            [boost_key, boost_key, upper],
        )

    def _top_candidates(self, match, clauses, args, boost_key, exact_key, limit, offset, recent=()) -> list[int]:
        """Early-terminated ranking for relevance pages: bm25 is computed inside the FTS
        index for at most CANDIDATES newest matches in any field plus CANDIDATES newest
        title matches, plus exact title matches; then those are filtered and ordered. A
        query matching fewer rows than that is ranked exactly; for very common words the
        ranking is among the newest matches (what keeps p95 low at 100k+ books). The joins
        go through covering indexes (migration 0005): thousands of look-ups, one small page each."""
        capped = f"SELECT * FROM (SELECT rowid, {self.BM25} AS score FROM {FTS} WHERE {FTS} MATCH %s "
        capped += "ORDER BY rowid DESC LIMIT %s)"
        # exact titles join the candidates unchecked: only passed for plain word queries,
        # where an equal title key implies a match
        exact = (
            f" UNION ALL SELECT * FROM (SELECT item_id, -1000000.0 FROM {DOCS} WHERE title_key = %s LIMIT 50)"
            if exact_key
            else ""
        )
        by_index = self._boost_by_title_index(boost_key, clauses)
        boost, boost_params = by_index or title_boost(boost_key)
        docs = "" if by_index else f"JOIN {DOCS} sd INDEXED BY {DOCS}_rank_cover ON sd.item_id = m.id "
        factor, recent_params = self._recent_factor("best.id", recent)
        sql = (
            f"WITH hits(id, score) AS ({capped} UNION ALL {capped}{exact}), "
            "best(id, score) AS (SELECT id, MIN(score) FROM hits GROUP BY id) "
            f"SELECT m.id FROM best JOIN {ITEMS} m INDEXED BY {ITEMS}_rank_cover ON m.id = best.id "
            f"{docs}WHERE 1 = 1"
            + "".join(f" AND {c}" for c in clauses)
            + f" ORDER BY {boost} DESC, best.score{factor}, m.sort_title, m.id LIMIT %s OFFSET %s"
        )
        exact_params = [exact_key] if exact_key else []
        title_only = f"title : ({match})"
        if " NOT " in match:  # "dune -arrakis" on titles alone would let "arrakis" elsewhere through
            title_only = f"({title_only}) AND ({match})"
        params = [
            match,
            self.CANDIDATES,
            title_only,
            self.TITLE_CANDIDATES,
            *exact_params,
            *args,
            *boost_params,
            *recent_params,
        ]
        return [r[0] for r in self._fetch(sql, [*params, limit, offset])]


class PostgresBackend(SearchBackend):
    vendor = "postgresql"
    DOCUMENT = (
        "setweight(to_tsvector('simple', unaccent(%s)), 'A') || setweight(to_tsvector('simple', "
        "unaccent(%s)), 'B') || setweight(to_tsvector('simple', unaccent(%s)), 'C') || "
        "setweight(to_tsvector('simple', unaccent(%s)), 'D')"
    )

    def compile(self, root, expansions) -> Compiled:
        return to_tsquery(root, expansions)

    def write_documents(self, texts) -> None:
        if texts:
            rows = [
                (
                    t.title,
                    t.authors,
                    t.series,
                    " ".join((t.identifiers, t.publisher, t.tags, t.description)),
                    t.item_id,
                )
                for t in texts
            ]
            latest = list({row[-1]: row for row in rows}.values())  # one update per item, the last
            # one statement over arrays (UNNEST), not an UPDATE per item: a scan writes hundreds
            document = self.DOCUMENT.replace("%s", "{}").format("u.title", "u.authors", "u.series", "u.rest")
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {DOCS} AS d SET document = {document} FROM UNNEST(%s::text[], %s::text[], "
                    "%s::text[], %s::text[], %s::bigint[]) AS u(title, authors, series, rest, item_id) "
                    "WHERE d.item_id = u.item_id",
                    [list(column) for column in zip(*latest, strict=True)],
                )

    def term_exists(self, word: str, *, prefix: bool) -> bool:
        if prefix:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return bool(self._fetch(f"SELECT 1 FROM {TERMS} WHERE term LIKE %s LIMIT 1", [escaped + "%"]))
        return bool(self._fetch(f"SELECT 1 FROM {TERMS} WHERE term = %s LIMIT 1", [word]))

    def similar_terms(self, word: str, limit: int = 40) -> list[str]:
        rows = self._fetch(
            f"SELECT term FROM {TERMS} WHERE term %% %s ORDER BY similarity(term, %s) DESC LIMIT %s",
            [word, word, limit],
        )
        first = word[0].replace("%", "\\%").replace("_", "\\_")
        rows += self._fetch(
            f"SELECT term FROM {TERMS} WHERE term LIKE %s AND length(term) BETWEEN %s AND %s LIMIT 5000",
            [first + "%", len(word) - 2, len(word) + 2],
        )
        return list(dict.fromkeys(r[0] for r in rows))

    def wildcard_terms(self, pattern: str, limit: int = 40) -> list[str]:
        like = pattern.replace("%", "\\%").replace("_", "\\_").replace("*", "%").replace("?", "_")
        rows = self._fetch(f"SELECT term FROM {TERMS} WHERE term LIKE %s ORDER BY term LIMIT %s", [like, limit])
        return [r[0] for r in rows]

    def __init__(self) -> None:
        self._newest_ids: dict[str, list[int]] = {}  # tsquery -> its newest matches, met while ranking

    @staticmethod
    def _tsquery(compiled) -> str:
        return " & ".join(filter(None, [compiled.match, f"!({compiled.exclude})" if compiled.exclude else None]))

    def ranked_ids(
        self, compiled, where, params, boost_key, limit, offset, *, order=None, exact_titles=False, recent=()
    ) -> list[int]:
        tsquery = self._tsquery(compiled)
        if order is None and compiled.match and offset + limit <= self.CANDIDATES and pg_rum.in_use():
            exact_key = boost_key if exact_titles else ""
            ids, complete = self._top_candidates(tsquery, where, params, boost_key, exact_key, limit, offset, recent)
            if len(ids) == limit or complete or not where:
                return ids
        boost, boost_params = title_boost(boost_key if compiled.match and not order else "")
        factor, recent_params = self._recent_factor("m.id", recent)
        boost_params = [] if order else [*boost_params, *recent_params]
        rank = pg_rum.RANK.format(document="sd.document", query="query")
        ranking = order or f"{boost} DESC, {rank}{factor} DESC, m.sort_title, m.id"
        sql = (
            f"SELECT m.id FROM {DOCS} sd JOIN {ITEMS} m ON m.id = sd.item_id, "
            f"to_tsquery('simple', %s) query WHERE sd.document @@ query"
            + "".join(f" AND {c}" for c in where)
            + f" ORDER BY {ranking} LIMIT %s OFFSET %s"
        )
        return [r[0] for r in self._fetch(sql, [tsquery, *params, *boost_params, limit, offset])]

    def _top_candidates(
        self, tsquery, where, params, boost_key, exact_key, limit, offset, recent
    ) -> tuple[list[int], bool]:
        """SqliteBackend._top_candidates with the RUM index (pg_rum): the CANDIDATES newest
        matches, the CANDIDATES newest title matches and the exact titles are ranked here; the
        best of them are then filtered and ordered in the database, more only when too few pass.
        Returns (page, complete): complete when every match was a candidate."""
        sample = pg_rum.Sample(tsquery)
        rows = pg_rum.newest(tsquery, self.CANDIDATES, boost_key=boost_key, sample=sample)
        self._newest_ids[tsquery] = [r[0] for r in rows]  # the page's count reads them again
        complete = len(rows) < self.CANDIDATES
        if not complete:
            rows += pg_rum.newest_titles(tsquery, self.TITLE_CANDIDATES, boost_key=boost_key, sample=sample)
            rows += pg_rum.exact_titles(tsquery, exact_key) if exact_key else []
        best = {item_id: (boost, rank) for item_id, boost, rank in rows}  # boost and rank from SQL: 1.5 ms less
        for item_id in best.keys() & set(recent):
            boost, rank = best[item_id]
            best[item_id] = (boost, rank * RECENT_BOOST)
        ordered = sorted(best.items(), key=itemgetter(1), reverse=True)  # stable: ties keep their order
        wanted = 2 * (offset + limit)
        while True:
            cut = _group_end(ordered, wanted)
            page = self._filter_and_order(ordered[:cut], where, params, limit, offset)
            if len(page) == limit or cut == len(ordered):
                return page, complete
            wanted = len(ordered)

    def _filter_and_order(self, ordered, where, params, limit, offset) -> list[int]:
        """One page of `ordered` ((id, (boost, rank)) best first) that passes the filters,
        ties broken by sort title as in the full ranking."""
        if not ordered:
            return []
        ids, scores = zip(*ordered, strict=True)
        docs = docs_join(where)
        sql = (
            "SELECT m.id FROM UNNEST(%s::bigint[], %s::int[], %s::float8[]) AS c(id, boost, rank) "
            f"JOIN {ITEMS} m ON m.id = c.id {docs}WHERE 1 = 1"
            + "".join(f" AND {c}" for c in where)
            + " ORDER BY c.boost DESC, c.rank DESC, m.sort_title, m.id LIMIT %s OFFSET %s"
        )
        boosts, ranks = number_array([s[0] for s in scores]), number_array([s[1] for s in scores])
        return [r[0] for r in self._fetch(sql, [number_array(ids), boosts, ranks, *params, limit, offset])]

    def newest_matches(self, compiled, where, params, limit) -> list[int]:
        if compiled is None:
            return self._listing_newest(where, params, limit)
        tsquery = self._tsquery(compiled)
        if compiled.match and pg_rum.in_use():
            fetched = max(limit, min(2 * limit, self.CANDIDATES))
            ids = self._newest_ids.get(tsquery, [])
            if len(ids) < fetched and len(ids) in (0, self.CANDIDATES):  # not met, or met cut short
                ids = [r[0] for r in pg_rum.newest(tsquery, fetched)]
            ids = ids[:fetched]
            if not where:
                return ids[:limit]
            # most matches pass the usual filters: a few more than needed first, all only if short
            passing = self._newest_passing(ids[: limit + limit // 8], where, params, limit)
            if len(passing) < limit and len(ids) > limit + limit // 8:
                passing = self._newest_passing(ids, where, params, limit)
            if len(passing) == limit or len(ids) < fetched:
                return passing
        sql = (
            f"SELECT m.id FROM {DOCS} sd JOIN {ITEMS} m ON m.id = sd.item_id "
            "WHERE sd.document @@ to_tsquery('simple', %s)"
            + "".join(f" AND {c}" for c in where)
            + " ORDER BY m.id DESC LIMIT %s"
        )
        return [r[0] for r in self._fetch(sql, [tsquery, *params, limit])]

    ESTIMATED_TOTAL_FROM = 50_000  # books: above this the counts are estimated (see _items_from)

    def _items_from(self, first_id: int) -> tuple[int, int]:
        """count(*) reads every row it counts (5-8 ms for the library at 100k, up to 20 ms for a
        range on a table autovacuum has not visited yet), and both figures only scale an estimate
        ("about N"): in a big library the planner's row estimate (kept by autovacuum's analyze)
        stands in for the total, and the range's share of the ids for its count."""
        total, lowest, highest = self._fetch(
            f"SELECT reltuples::bigint, (SELECT min(id) FROM {ITEMS}), (SELECT max(id) FROM {ITEMS}) "
            "FROM pg_class WHERE oid = %s::regclass",
            [ITEMS],
        )[0]
        if total < self.ESTIMATED_TOTAL_FROM or highest is None:
            return super()._items_from(first_id)
        share = (highest - first_id + 1) / (highest - lowest + 1)
        return total, max(1, round(total * share))

    # Items in an acquisition state (wanted, downloading...) read by the status index, at most: the
    # filter of the newest matches then runs in Python, where SQL probes the primary key once per id
    # (1,126 ids, the count of a common word: 1.5-3 ms against 0.3)
    ACQUISITION_LOOKUP = 2000

    def _newest_passing(self, ids, where, params, limit) -> list[int]:
        if ids and is_unfiltered(where, params):
            excluded = self._acquisition_ids(min(ids))
            if excluded is not None:
                return [i for i in ids if i not in excluded][:limit]
        docs = docs_join(where)
        sql = (
            f"SELECT m.id FROM {ITEMS} m {docs}WHERE m.id = ANY(%s::bigint[])"
            + "".join(f" AND {c}" for c in where)
            + " ORDER BY m.id DESC LIMIT %s"
        )
        return [r[0] for r in self._fetch(sql, [number_array(ids), *params, limit])]

    def _acquisition_ids(self, lowest: int) -> set[int] | None:
        """Ids from `lowest` up of items in an acquisition state; None past ACQUISITION_LOOKUP."""
        rows = self._fetch(
            f"SELECT id FROM {ITEMS} WHERE status IN ({_marks(ACQUISITION_STATUSES)}) AND id >= %s LIMIT %s",
            [*ACQUISITION_STATUSES, lowest, self.ACQUISITION_LOOKUP + 1],
        )
        return None if len(rows) > self.ACQUISITION_LOOKUP else {r[0] for r in rows}


def _group_end(ordered: list[tuple[int, tuple[int, float]]], wanted: int) -> int:
    """`wanted` rounded up to the end of a group of equal scores: a cut inside a group would
    drop rows that the sort title puts ahead of those kept."""
    end = min(wanted, len(ordered))
    while 0 < end < len(ordered) and ordered[end][1] == ordered[end - 1][1]:
        end += 1
    return end


def backend() -> SearchBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise NotImplementedError(f"Library search supports SQLite and PostgreSQL, not {connection.vendor}")
