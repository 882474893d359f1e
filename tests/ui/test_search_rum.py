"""PostgreSQL library search with and without the RUM index (media.search.pg_rum)."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from media.models import MediaItem, MediaStatus
from media.search import SearchRequest, backends, pg_rum, run
from media.search.filters import SearchFilters
from notifications.health import checks
from notifications.models import HealthSettings
from tests.ui.factories import make_item

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the RUM index is PostgreSQL's"),
]


@pytest.fixture(autouse=True)
def fresh_cache():
    """Index DDL here is rolled back with the test: forget what was seen either side of it."""
    pg_rum._present.clear()
    yield
    pg_rum._present.clear()


@pytest.fixture
def rum():
    with connection.cursor() as cursor:
        if not pg_rum.extension_available(cursor):
            pytest.skip("the rum extension is not installed on this PostgreSQL server (scripts/system-deps.sh)")
    assert pg_rum.ensure_index() in ("present", "created")


@pytest.fixture
def mixed():
    """Every book says "common"; every third one "rare" too; the last one "last"."""
    for n in range(30):
        words = "common rare" if n % 3 == 0 else "common"
        make_item(f"Volume {n:02d}", authors=["Someone"], description=words + (" last" if n == 29 else ""))


def newest_truth(tsquery: str, count: int, *, titles: bool = False) -> list[int]:
    title_match = "title_document @@ to_tsquery('simple', %s) AND " if titles else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT item_id FROM media_searchdocument WHERE {title_match}document @@ to_tsquery('simple', %s) "
            "ORDER BY item_id DESC LIMIT %s",
            [*([tsquery] if titles else []), tsquery, count],
        )
        return [r[0] for r in cursor.fetchall()]


@pytest.mark.parametrize("per_match", [0, 1, 100])
@pytest.mark.parametrize(
    "tsquery",
    [
        "'common'",
        "'rare'",
        "'last'",
        "'com':*",
        "'common' & !'rare'",
        "'nothing'",
        "'volume'",
        "'vol':* & 'rare'",
        "'vol':* & '0':*",
        "'com':* <-> 'rare'",
        "'common':A",  # in no title: the RUM copy of the words has no weights, the document has
        "'common':D | 'volume':A",
    ],
)
def test_the_newest_matches_come_newest_first_from_probe_or_index(rum, mixed, monkeypatch, per_match, tsquery):
    monkeypatch.setattr(pg_rum, "SAMPLE", 8)
    monkeypatch.setattr(pg_rum, "PROBE_PER_MATCH", per_match)
    monkeypatch.setattr(pg_rum, "SINGLE_PER_MATCH", per_match)
    windows_read = []
    read = pg_rum._Lookup.by_reading

    def reading(look, window):
        windows_read.append(window)
        return read(look, window)

    monkeypatch.setattr(pg_rum._Lookup, "by_reading", reading)
    for count in (1, 5, 40):
        assert [r[0] for r in pg_rum.newest(tsquery, count)] == newest_truth(tsquery, count)
        if "&" not in tsquery.split(" & !(")[0]:  # titles of a rarer combination are not looked up
            titles = [r[0] for r in pg_rum.newest(tsquery, count, titles=True)]
            assert titles == newest_truth(tsquery, count, titles=True)
    # both ways are taken: reading wherever the newest documents sampled hold a match
    assert bool(windows_read) == (per_match == 100 and pg_rum.Sample(tsquery).found > 0)


def test_the_migration_created_the_indexes_where_the_extension_is_installed(rum):
    assert pg_rum.ensure_index() == "present" and pg_rum.in_use()


def test_without_the_index_search_ranks_every_match_and_health_says_how_to_add_it(rum, mixed):
    with_index = run(SearchRequest(q="common -rare", page_size=50))
    assert pg_rum.in_use() and checks.search_index(HealthSettings.load(), timezone.now()) == []

    with connection.cursor() as cursor:  # the test's rows were written in this transaction
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    pg_rum.remove_index()
    assert not pg_rum.in_use()
    without = run(SearchRequest(q="common -rare", page_size=50))
    assert without.ids == with_index.ids and without.total == with_index.total == 20
    [finding] = checks.search_index(HealthSettings.load(), timezone.now())
    assert "RUM" in finding.message and "postgresql-15-rum" in finding.fix

    assert pg_rum.ensure_index() == "created" and pg_rum.in_use()
    assert run(SearchRequest(q="common -rare", page_size=50)).ids == with_index.ids


def test_a_title_edit_reaches_the_title_index(rum):
    item = make_item("Old Name", authors=["Someone"])
    item.title = "Brand New Name"
    item.save()
    from media import search_index

    search_index.reindex_items([item.pk])
    assert [r[0] for r in pg_rum.newest_titles("'brand'", 5)] == [item.pk]
    assert pg_rum.newest_titles("'old'", 5) == []
    assert MediaItem.objects.get(pk=item.pk).title == "Brand New Name"


def _bitmap_setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_bitmapscan")
        return cursor.fetchone()[0]


def _without_client_binding(monkeypatch) -> None:
    """As with `server_side_binding` in the database options: no multi-statement round trip."""
    monkeypatch.setattr(pg_rum.psycopg, "ClientCursor", type("NotThisCursor", (), {}))


@pytest.mark.parametrize("client_binding", [True, False])
def test_the_index_order_look_up_leaves_the_planner_setting_as_it_found_it(rum, mixed, monkeypatch, client_binding):
    """The RUM look-up turns bitmap scans off for its own statement only: the test runs in a
    transaction, where a SET LOCAL would otherwise last until the caller's commit."""
    monkeypatch.setattr(pg_rum, "SINGLE_PER_MATCH", 0)  # never by reading: by the RUM index
    if not client_binding:
        _without_client_binding(monkeypatch)
    assert _bitmap_setting() == "on"
    assert [r[0] for r in pg_rum.newest("'rare'", 5)] == newest_truth("'rare'", 5)
    assert _bitmap_setting() == "on"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off")  # a caller's own choice is kept too
    assert [r[0] for r in pg_rum.newest("'rare'", 5)] == newest_truth("'rare'", 5)
    assert _bitmap_setting() == "off"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("client_binding", [True, False])
def test_outside_a_transaction_the_look_up_leaves_none_open_and_the_setting_as_it_was(
    rum, mixed, monkeypatch, client_binding
):
    monkeypatch.setattr(pg_rum, "SINGLE_PER_MATCH", 0)
    if not client_binding:
        _without_client_binding(monkeypatch)
    assert connection.get_autocommit()
    assert [r[0] for r in pg_rum.newest("'rare'", 5)] == newest_truth("'rare'", 5)
    assert connection.connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert _bitmap_setting() == "on"


def test_one_sample_counts_the_matches_in_documents_and_in_titles(rum, mixed):
    make_item("Rare Finds", authors=["Someone"])
    sample = pg_rum.Sample("'rare'")
    assert (sample.found, sample.found_in_titles) == (11, 1)
    assert sample.window(1, titles=True, most=10_000) == int(1.2 * pg_rum.SAMPLE) + 1
    assert sample.window(1, titles=True, most=100) == 0  # more than `most` needed: not by reading


def test_a_big_library_estimates_its_count_from_the_share_of_ids_without_counting(mixed, monkeypatch):
    """Above ESTIMATED_TOTAL_FROM books the count of a common query is scaled by the planner's
    row estimate and the id range's share (count(*) over a range took up to 20 ms at 100k)."""
    from media.search import backends, engine

    for n in range(60):
        make_item(f"Filler {n:02d}", authors=["Someone"], description="common" if n % 2 else "other")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ANALYZE media_mediaitem")
    monkeypatch.setattr(engine, "COUNT_CAP", 10)
    counted = run(SearchRequest(q="common", page_size=5))  # a small library: counted
    monkeypatch.setattr(backends.PostgresBackend, "ESTIMATED_TOTAL_FROM", 10)
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        outcome = run(SearchRequest(q="common", page_size=5))
    # ids without gaps: the share of the ids is the share of the books
    assert outcome.total_estimated and counted.total_estimated and outcome.total == counted.total
    assert not any("count(*)" in sql and "id >=" in sql for sql in statements)


@pytest.mark.parametrize("lookup", [2000, 0])  # 0: more acquisition items than looked up, filtered in SQL
def test_the_count_of_a_page_leaves_out_the_wanted_and_downloading_books(rum, mixed, monkeypatch, lookup):
    monkeypatch.setattr(backends.PostgresBackend, "ACQUISITION_LOOKUP", lookup)
    looked_up = []
    acquisition_ids = backends.PostgresBackend._acquisition_ids
    monkeypatch.setattr(
        backends.PostgresBackend,
        "_acquisition_ids",
        lambda engine, lowest: looked_up.append(found := acquisition_ids(engine, lowest)) or found,
    )
    newest = list(MediaItem.objects.order_by("-pk").values_list("pk", flat=True))
    MediaItem.objects.filter(pk__in=newest[:2]).update(status=MediaStatus.WANTED)
    MediaItem.objects.filter(pk=newest[10]).update(status=MediaStatus.DOWNLOADING)
    outcome = run(SearchRequest(q="common", page_size=5))
    assert outcome.total == 27 and not outcome.total_estimated
    assert set(outcome.matched) == set(newest[2:10] + newest[11:])
    assert looked_up == [set(newest[:2]) | {newest[10]} if lookup else None]
    chosen = run(SearchRequest(q="common", page_size=1, filters=SearchFilters(statuses=("wanted",))))
    assert chosen.total == 2 and set(chosen.matched) == set(newest[:2])


def _columns() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'media_searchdocument'::regclass "
            "AND attnum > 0 AND NOT attisdropped"
        )
        return dict(cursor.fetchall())


def test_an_index_on_a_copy_of_the_whole_document_is_replaced_by_one_on_its_words(rum, mixed):
    """Earlier versions indexed a full copy of each document, which made rows long enough for
    PostgreSQL to move documents out of line (TOAST); the copy's words alone are indexed now,
    and they leave a row that is still too long before the document does."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's rows were written in this transaction
        for statement in pg_rum.REMOVE:
            cursor.execute(statement)
        cursor.execute(
            "ALTER TABLE media_searchdocument ADD COLUMN rum_document tsvector GENERATED ALWAYS AS (document) STORED"
        )
        cursor.execute(
            "CREATE INDEX media_sd_rum_document ON media_searchdocument USING rum (rum_document "
            "rum_tsvector_addon_ops, item_id) WITH (attach = 'item_id', to = 'rum_document', order_by_attach = 't')"
        )
    pg_rum._present.clear()
    assert not pg_rum.in_use()

    assert pg_rum.ensure_index() == "created" and pg_rum.in_use()
    storage = _columns()
    assert "rum_document" not in storage and (storage["rum_words"], storage["document"]) == ("e", "m")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'media_sd_rum_document'")
        assert cursor.fetchone()[0] == 0
    assert [r[0] for r in pg_rum.newest("'rare'", 5)] == newest_truth("'rare'", 5)
