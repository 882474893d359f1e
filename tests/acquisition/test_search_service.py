"""Search service: query plan, categories, dedupe, blacklist, scoring, status, failures."""

from __future__ import annotations

import pytest

from core.errors import ConfigurationError, ServiceUnavailable
from downloaders import services
from indexers import services as indexer_services
from indexers.clients.base import Release
from indexers.models import IndexerConfig, ItemSearchState, SearchResult
from indexers.releases import parse_release
from indexers.scoring import ScoringPrefs, WantedBook, score_release
from media.models import MediaItem, MediaStatus
from tests.acquisition.conftest import make_item
from tests.acquisition.fakes import FakeProwlarr, FakeRelease

pytestmark = pytest.mark.django_db


def test_query_plan_order_isbn_title_author_author_title_title():
    plan = indexer_services.query_plan(
        WantedBook("audiobook", "Dune", ("Frank Herbert",), isbn13="9780441013593")
    )
    assert [r.label for r in plan] == ["isbn", "title_author", "author_title", "title"]
    assert [r.text for r in plan] == ["9780441013593", "Dune Frank Herbert", "Frank Herbert Dune", "Dune"]
    assert {r.categories for r in plan} == {(3030,)}
    assert [r.label for r in indexer_services.query_plan(WantedBook("comic", "Saga", isbn13="bad"))] == [
        "title"
    ]


def test_search_stops_at_first_query_with_an_acceptable_result_and_scores(acquisition):
    prowlarr, _ = acquisition
    item = make_item(isbn13="9780593135204")
    outcome = services.search_item(item.pk)
    queries = [q["query"][0] for path, q in prowlarr.requests if path == "/api/v1/search"]
    # ISBN found nothing; the structured title + author search (all indexers support it) did
    assert queries == ["9780593135204", "{title:Project Hail Mary}{author:Andy Weir}"]
    best = outcome.best
    assert best.title.startswith("Andy.Weir.-.Project.Hail.Mary") and best.accepted
    assert {p["name"] for p in best.breakdown} >= {
        "title",
        "author",
        "format",
        "size",
        "age",
        "availability",
        "retail",
    }
    assert [r.guid for r in outcome.accepted] == ["guid-epub-retail", "guid-mobi"]
    by_guid = {r.guid: r for r in outcome.results}
    assert any("torrent" in reason for reason in by_guid["guid-torrent"].rejections)
    assert any("title does not match" in reason for reason in by_guid["guid-martian"].rejections)
    assert "guid-audio" not in by_guid  # audiobook category not asked for an ebook
    assert MediaItem.objects.get(pk=item.pk).status == MediaStatus.WANTED
    state = ItemSearchState.objects.get(item=item)
    assert state.last_best_score == best.score and state.next_search_at > state.last_search_at


def test_audiobook_search_uses_the_audiobook_category(acquisition):
    prowlarr, _ = acquisition
    outcome = services.search_item(make_item(kind="audiobook").pk)
    assert [r.guid for r in outcome.accepted] == ["guid-audio"]
    assert {tuple(q["categories"]) for p, q in prowlarr.requests if p == "/api/v1/search"} == {("3030",)}


def test_results_are_deduplicated_by_guid_and_info_hash(acquisition):
    prowlarr, _ = acquisition
    prowlarr.releases += [
        FakeRelease("Andy.Weir.-.Project.Hail.Mary.2021.RETAIL.EPUB.eBook-BitBook", "guid-epub-retail"),
        FakeRelease(
            "Project Hail Mary - Andy Weir [EPUB]",
            "other-guid",
            protocol="torrent",
            indexer_id=2,
            info_hash="a" * 40,
            seeders=3,
        ),
    ]
    outcome = services.search_item(make_item().pk)
    assert outcome.duplicates == 2
    assert sorted(r.guid for r in outcome.results).count("guid-epub-retail") == 1
    assert "other-guid" not in {r.guid for r in outcome.results}


def test_blacklisted_releases_are_removed(acquisition):
    item = make_item()
    indexer_services.add_to_blacklist(title="x", guid="guid-epub-retail", reason="manual", details="bad scan")
    outcome = services.search_item(item.pk)
    assert outcome.blacklisted == 1 and outcome.best.guid == "guid-mobi"


def test_expired_or_removed_blacklist_entries_no_longer_filter(acquisition):
    entry = indexer_services.add_to_blacklist(title="x", guid="guid-epub-retail")
    indexer_services.remove_from_blacklist(entry.pk, reason="was a false alarm")
    assert services.search_item(make_item().pk).best.guid == "guid-epub-retail"


def test_results_are_capped_at_fifty(acquisition):
    prowlarr, _ = acquisition
    prowlarr.releases += [
        FakeRelease(f"Andy Weir - Project Hail Mary part {n} [pdf]", f"bulk-{n}") for n in range(80)
    ]
    outcome = services.search_item(make_item().pk)
    assert len(outcome.results) == 50 == SearchResult.objects.count()
    assert outcome.results[0].accepted


def test_nothing_acceptable_runs_every_query_and_returns_to_wanted(acquisition):
    item = make_item("A Book Nobody Posted", "Some Writer")
    outcome = services.search_item(item.pk)
    assert outcome.accepted == [] and len(outcome.queries) == 3
    assert MediaItem.objects.get(pk=item.pk).status == MediaStatus.WANTED


def test_indexer_down_raises_transient_error_and_item_stays_wanted(acquisition):
    prowlarr, _ = acquisition
    prowlarr.stop()
    item = make_item()
    with pytest.raises(ServiceUnavailable, match="Every indexer failed"):
        services.search_item(item.pk)
    assert MediaItem.objects.get(pk=item.pk).status == MediaStatus.WANTED
    assert "Prowlarr is not answering at" in ItemSearchState.objects.get(item=item).last_error


def test_a_second_indexer_still_answers_when_the_first_is_down(acquisition):
    prowlarr, _ = acquisition
    backup = FakeProwlarr(
        api_key="backup", releases=[FakeRelease("Andy Weir - Project Hail Mary [epub]", "b1")]
    ).start()
    try:
        prowlarr.fail_search = True
        IndexerConfig.objects.create(
            name="Backup", url=backup.url, api_key="backup", priority=50, timeout_seconds=5
        )
        outcome = services.search_item(make_item().pk)
        assert outcome.best.guid == "b1" and "Prowlarr" in outcome.errors
    finally:
        backup.stop()


def test_no_indexer_configured_is_a_configuration_error(db):
    with pytest.raises(ConfigurationError, match="No indexer"):
        services.search_item(make_item().pk)


@pytest.mark.parametrize(
    ("title", "accepted", "reason"),
    [
        ("Andy Weir - Project Hail Mary (2021) [epub]", True, ""),
        ("Project Hail Mary - Andy Weir.epub", True, ""),  # calibre's "Title - Author" order
        ("Andy Weir - The Martian (2014) [epub]", False, "title does not match"),
        ("Andrzej Sapkowski - Project Hail Mary [epub]", False, "author"),
        ("Andy Weir - Project Hail Mary [m4b]", False, "not an ebook format"),
        ("Andy Weir - Projéct Háil Mary [epub]", True, ""),  # accent-insensitive
        # a title match alone is not enough when the release names no author at all
        ("Project Hail Mary [epub]", False, "names no author"),
        ("Project.Hail.Mary.2021.RETAIL.EPUB.eBook-BitBook", False, "names no author"),
        ("Project Hail Mary - 2021, EPUB, retail", False, "names no author"),
        # ... but an unstructured name that contains the author is fine
        ("Andy.Weir.Project.Hail.Mary.2021.EPUB-BitBook", True, ""),
        ("Andy.Weir-Project.Hail.Mary.RETAIL.EPUB.eBook-BitBook", True, ""),  # scene fields, bare hyphen
    ],
)
def test_scoring_table(title, accepted, reason):
    release = Release(title=title, guid="g", protocol="usenet", indexer="i", size=2_000_000, age_days=5)
    score = score_release(
        WantedBook("ebook", "Project Hail Mary", ("Andy Weir",)),
        release,
        parse_release(title),
        ScoringPrefs(("epub", "azw3", "mobi", "pdf")),
    )
    assert score.accepted is accepted
    assert reason in " ".join(score.rejections)


def test_scoring_prefers_formats_in_the_user_order_and_rejects_absurd_sizes():
    wanted = WantedBook("ebook", "Dune", ("Frank Herbert",))
    prefs = ScoringPrefs(("azw3", "epub"))

    def score(title, size=1_000_000):
        return score_release(
            wanted,
            Release(title=title, guid="g", protocol="usenet", indexer="i", size=size),
            parse_release(title),
            prefs,
        )

    assert score("Frank Herbert - Dune [azw3]").total > score("Frank Herbert - Dune [epub]").total
    assert score("Frank.Herbert-Dune.REPACK.EPUB-GRP").total > score("Frank.Herbert-Dune.EPUB-GRP").total
    assert score("Frank.Herbert-Dune.PROPER.EPUB-GRP").total > score("Frank.Herbert-Dune.EPUB-GRP").total
    assert "outside" in " ".join(score("Frank Herbert - Dune [epub]", size=4 * 1024**3).rejections)
