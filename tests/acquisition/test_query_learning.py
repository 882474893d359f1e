"""Search that learns: grabs and imports per query form and indexer change the order the
search asks the forms in; a manual order wins; the fake Prowlarr records what was asked."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client

from downloaders import services, status
from downloaders.models import AttemptState
from indexers import learning
from indexers.models import GrabOutcome, IndexerConfig, QueryGrab, QueryOrderMode
from tests.acquisition.conftest import HAIL_MARY, make_item
from tests.acquisition.fakes import FakeProwlarr

pytestmark = pytest.mark.django_db
ISBN = "9780593135204"
_attempt_ids = itertools.count(1000)


def _indexer(name="Prowlarr", url="http://127.0.0.1:9", **fields) -> IndexerConfig:
    return IndexerConfig.objects.create(name=name, url=url, api_key="prowlarr-key", timeout_seconds=5, **fields)


def _grab(config: IndexerConfig, form: str, outcome: str) -> None:
    attempt_id = next(_attempt_ids)
    learning.record_grab(attempt_id, indexer_config_id=config.pk, query_form=form)
    if outcome != GrabOutcome.PENDING:
        learning.record_outcome(attempt_id, outcome)


def _order(config: IndexerConfig) -> tuple[str, ...]:
    config.refresh_from_db()
    return learning.query_orders([config])[config.pk]


def _search_queries(server: FakeProwlarr) -> list[str]:
    return [q["query"][0] for path, q in server.requests if path == "/api/v1/search"]


def test_a_new_indexer_asks_in_todays_order():
    assert _order(_indexer()) == ("isbn", "title_author", "author_title", "title")


def test_a_sequence_of_grabs_and_imports_changes_the_order():
    config = _indexer()
    _grab(config, "isbn", GrabOutcome.FAILED)
    # one unlucky grab moves ISBN down a little, not to the bottom (the prior holds it)
    assert _order(config) == ("title_author", "author_title", "isbn", "title")
    for _ in range(2):
        _grab(config, "isbn", GrabOutcome.FAILED)
    for _ in range(3):
        _grab(config, "title", GrabOutcome.IMPORTED)
    assert _order(config) == ("title", "title_author", "author_title", "isbn")
    _grab(config, "title_author", GrabOutcome.PENDING)  # not finished: shown, not counted
    assert _order(config) == ("title", "title_author", "author_title", "isbn")
    stats = {s["form"]: s for s in learning.summary(config)["forms"]}
    assert (stats["isbn"]["grabs"], stats["isbn"]["imports"], stats["isbn"]["rate"]) == (3, 0, 0.0)
    assert (stats["title"]["grabs"], stats["title"]["imports"], stats["title"]["rate"]) == (3, 3, 1.0)
    assert (stats["title_author"]["grabs"], stats["title_author"]["pending"], stats["title_author"]["rate"]) == (
        1, 1, None)
    assert learning.summary(config)["order"][0] == "title"


def test_each_indexer_learns_its_own_order():
    first, second = _indexer("A"), _indexer("B")
    for _ in range(4):
        _grab(first, "isbn", GrabOutcome.FAILED)
    assert _order(first)[-1] == "isbn"
    assert _order(second) == learning.DEFAULT_ORDER


def test_a_manual_order_wins_over_what_was_learned():
    config = _indexer(query_order_mode=QueryOrderMode.MANUAL, query_order="isbn,title")
    for _ in range(5):
        _grab(config, "isbn", GrabOutcome.FAILED)
        _grab(config, "author_title", GrabOutcome.IMPORTED)
    assert _order(config) == ("isbn", "title")
    assert [(s["form"], s["position"]) for s in learning.summary(config)["forms"]][:2] == [
        ("isbn", 1), ("title", 2)]
    config.query_order = ""
    config.save()
    assert _order(config) == learning.DEFAULT_ORDER  # an empty manual list asks everything


def test_the_search_asks_the_learned_order_first(db):
    server = FakeProwlarr(releases=list(HAIL_MARY)).start()
    try:
        config = _indexer(url=server.url)
        for _ in range(3):
            _grab(config, "title", GrabOutcome.IMPORTED)
        item = make_item(isbn13=ISBN)
        outcome = services.search_item(item.pk)
        assert _search_queries(server) == ["Project Hail Mary"]  # title first, and it found an EPUB
        assert outcome.best.query_label == "title" and outcome.best.indexer_config_id == config.pk
    finally:
        server.stop()


def test_the_search_without_history_asks_as_before_and_a_manual_order_is_followed(db):
    server = FakeProwlarr(releases=list(HAIL_MARY)).start()
    try:
        config = _indexer(url=server.url)
        item = make_item(isbn13=ISBN)
        services.search_item(item.pk)
        assert _search_queries(server) == [ISBN, "{title:Project Hail Mary}{author:Andy Weir}"]
        server.requests.clear()
        IndexerConfig.objects.filter(pk=config.pk).update(
            query_order_mode=QueryOrderMode.MANUAL, query_order="author_title,isbn"
        )
        services.search_item(item.pk)
        assert _search_queries(server) == ["Andy Weir Project Hail Mary"]
    finally:
        server.stop()


def test_two_indexers_each_ask_their_own_first_form_in_the_first_round(db):
    first = FakeProwlarr(releases=[]).start()
    second = FakeProwlarr(releases=[]).start()
    try:
        _indexer("First", url=first.url, priority=1)
        _indexer("Second", url=second.url, priority=2, query_order_mode=QueryOrderMode.MANUAL,
                 query_order="title,author_title")
        item = make_item(isbn13=ISBN)
        outcome = services.search_item(item.pk)  # nothing found anywhere: every round runs
        assert _search_queries(first) == [ISBN, "{title:Project Hail Mary}{author:Andy Weir}",
                                          "Andy Weir Project Hail Mary", "Project Hail Mary"]
        assert _search_queries(second) == ["Project Hail Mary", "Andy Weir Project Hail Mary"]
        assert outcome.accepted == []
    finally:
        first.stop()
        second.stop()


def test_a_real_grab_records_its_query_form_and_the_import_settles_it(acquisition):

    config = IndexerConfig.objects.get()
    item = make_item(isbn13=ISBN)
    best = services.search_item(item.pk).best
    attempt = services.grab(item.pk, best.pk)
    grab = QueryGrab.objects.get(attempt_id=attempt.pk)
    assert (grab.indexer_config_id, grab.query_form, grab.outcome) == (config.pk, "title_author", "pending")
    attempt.refresh_from_db()
    assert status.move(attempt, AttemptState.DOWNLOADED)
    status.mark_imported(attempt.pk, success=True)
    grab.refresh_from_db()
    assert grab.outcome == GrabOutcome.IMPORTED and grab.finished_at is not None

    result = services.search_item(item.pk).best  # a second grab of the same item, then a failed import
    attempt2 = services.grab(item.pk, result.pk)
    attempt2.refresh_from_db()
    status.move(attempt2, AttemptState.DOWNLOADED)
    status.mark_imported(attempt2.pk, success=False, message="not a book")
    assert QueryGrab.objects.get(attempt_id=attempt2.pk).outcome == GrabOutcome.FAILED


def test_a_cancelled_grab_is_not_counted(acquisition):
    item = make_item(isbn13=ISBN)
    best = services.search_item(item.pk).best
    attempt = services.grab(item.pk, best.pk)
    services.cancel_attempt(attempt.pk)
    assert QueryGrab.objects.get(attempt_id=attempt.pk).outcome == GrabOutcome.VOID
    config = IndexerConfig.objects.get()
    assert all(s["grabs"] == 0 for s in learning.summary(config)["forms"])


def test_the_indexer_page_and_api_show_grabs_imports_and_rate(admin_client, reader_user):
    config = _indexer()
    for outcome in (GrabOutcome.IMPORTED, GrabOutcome.IMPORTED, GrabOutcome.IMPORTED, GrabOutcome.FAILED):
        _grab(config, "title_author", outcome)
    page = admin_client.get(f"/settings/indexers/{config.pk}/").content.decode()
    assert 'id="query-forms"' in page
    row = page.split('data-form="title_author"')[1].split("</tr>")[0]
    assert "<td>1</td><td>Title + author</td><td>4</td><td>3</td><td>1</td><td>75&nbsp;%</td>" in row
    body = admin_client.get(f"/api/v1/indexers/{config.pk}/query-forms/").json()["data"]
    assert body["mode"] == "automatic" and body["order"][0] == "title_author"
    # 3 of 4 imported: (3 + 4 * 0.60) / (4 + 4) = 0.675 passes ISBN's untried 0.65
    assert body["forms"][0] == {"form": "title_author", "label": "Title + author", "grabs": 4, "imports": 3,
                                "failures": 1, "pending": 0, "rate": 0.75,
                                "score": pytest.approx(0.675, abs=1e-4), "position": 1}
    reader = Client()
    reader.force_login(reader_user)
    assert reader.get(f"/api/v1/indexers/{config.pk}/query-forms/").status_code == 403


def test_the_order_is_set_by_hand_through_the_api_and_validated(admin_client):
    config = _indexer()
    url = f"/api/v1/indexers/{config.pk}/"
    changed = admin_client.patch(url, {"query_order_mode": "manual", "query_order": "title, isbn"},
                                 content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["data"]["query_order"] == "title,isbn"
    assert _order(config) == ("title", "isbn")
    bad = admin_client.patch(url, {"query_order": "title,subject"}, content_type="application/json")
    assert bad.status_code == 422
