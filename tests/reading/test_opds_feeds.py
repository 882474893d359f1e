"""The OPDS catalogue's content: OPDS 1.2 feeds checked element by element, OPDS 2.0 feeds against
the official JSON Schemas, paging over 1,000 books, facets, search, comic page streaming and a
constant number of queries per page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from media.models import MediaItem
from reading.models import ReadingProgress, ReadingStatus, Shelf, ShelfEntry
from tests.reading.opds_checks import NS, atom_problems, links_by_rel, opds2_errors, parse_atom
from tests.reading.opds_library import COMIC_PAGES, bulk_books, make_library

pytestmark = pytest.mark.django_db
FEEDS = ["root", "recent", "books", "authors", "series-list", "shelves", "continue"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # listings are remembered for a minute under their SQL, the same in every test's database
    yield
    cache.clear()


@pytest.fixture
def library(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    return make_library(tmp_path, settings.DATA_DIR)


def _all_feed_urls(library, user, version: int) -> list[str]:
    prefix = "opds:" if version == 1 else "opds:v2-"
    shelf = Shelf.objects.create(user=user, name="Favourites")
    ShelfEntry.objects.create(shelf=shelf, item=library.dune)
    smart = Shelf.objects.create(user=user, name="Herbert", query="author:herbert")
    ReadingProgress.objects.create(
        user=user, item=library.comic, status=ReadingStatus.READING, percent=50, locator={"page": 2}
    )
    urls = [reverse(prefix + name) for name in FEEDS]
    urls += [
        reverse(prefix + "author", args=[library.herbert.pk]),
        reverse(prefix + "series", args=[library.dune.series_id]),
        reverse(prefix + "shelf", args=[shelf.pk]),
        reverse(prefix + "shelf", args=[smart.pk]),
        reverse(prefix + "search") + "?q=dune",
        reverse(prefix + "books") + "?kind=comic&language=en",
        reverse(prefix + "search") + "?q=nothingmatchesthis",
    ]
    return urls


def test_every_opds12_feed_has_what_atom_and_opds_require(admin_client, admin_user, library):
    for url in _all_feed_urls(library, admin_user, 1):
        feed = parse_atom(admin_client.get(url))
        assert atom_problems(feed) == [], url


def test_every_opds2_feed_is_valid_against_the_official_schemas(admin_client, admin_user, library):
    for url in _all_feed_urls(library, admin_user, 2):
        response = admin_client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/opds+json"
        assert opds2_errors(response.json()) == [], url


def test_the_schema_check_catches_an_invalid_feed():
    valid = {
        "metadata": {"title": "x"},
        "links": [{"href": "/", "rel": "self"}],
        "publications": [
            {
                "metadata": {"title": "Dune", "language": "en"},
                "links": [{"href": "/d", "rel": "http://opds-spec.org/acquisition"}],
            }
        ],
    }
    assert opds2_errors(valid) == []
    untitled_navigation = {**valid, "navigation": [{"href": "/n"}]}
    bad_language = {
        **valid,
        "publications": [{**valid["publications"][0], "metadata": {"title": "D", "language": "?"}}],
    }
    wrong_property = {**valid, "links": [{"href": "/", "rel": "self", "properties": {"numberOfItems": -1}}]}
    for document in (untitled_navigation, bad_language, wrong_property, {"metadata": {"title": "x"}, "links": []}):
        assert opds2_errors(document), document


def test_root_lists_the_sections_as_navigation(admin_client, library):
    feed = parse_atom(admin_client.get(reverse("opds:root")))
    titles = [e.findtext("a:title", "", NS) for e in feed.findall("a:entry", NS)]
    assert titles == [
        "Recently added",
        "Continue reading",
        "All books",
        "Ebooks",
        "Audiobooks",
        "Comics",
        "Authors",
        "Series",
        "Shelves",
    ]
    recent = feed.findall("a:entry", NS)[0].find("a:link", NS)
    assert recent.get("rel") == "http://opds-spec.org/sort/new"
    assert recent.get("type") == "application/atom+xml;profile=opds-catalog;kind=acquisition"
    authors = feed.findall("a:entry", NS)[6].find("a:link", NS)
    assert authors.get("type") == "application/atom+xml;profile=opds-catalog;kind=navigation"


def test_a_publication_entry_has_its_metadata_every_format_and_covers(admin_client, library):
    feed = parse_atom(admin_client.get(reverse("opds:series", args=[library.dune.series_id])))
    entry = feed.find("a:entry", NS)
    assert entry.findtext("a:title", "", NS) == "Dune"
    assert entry.findtext("a:id", "", NS) == f"urn:omnireadarr:item:{library.dune.pk}"
    assert entry.findtext("a:author/a:name", "", NS) == "Frank Herbert"
    assert entry.findtext("dc:language", "", NS) == "en"
    assert entry.findtext("dc:identifier", "", NS) == "urn:isbn:9780441013593"
    assert entry.findtext("dc:issued", "", NS) == "1965-08-01"
    assert entry.findtext("a:summary", "", NS) == "Arrakis & spice <melange>."
    assert entry.find("a:category", NS).get("term") == "Science Fiction"
    series = entry.find("schema:Series", NS)
    assert (
        series.get(f"{{{NS['schema']}}}name") == "Dune Chronicles" and series.get(f"{{{NS['schema']}}}position") == "1"
    )
    acquisitions = {
        link.get("type"): link.get("href") for link in links_by_rel(entry, "http://opds-spec.org/acquisition")
    }
    assert set(acquisitions) == {"application/epub+zip", "application/pdf", "application/vnd.amazon.mobi8-ebook"}
    body = admin_client.get(acquisitions["application/pdf"])
    assert body.status_code == 200 and b"".join(body.streaming_content) == b"%PDF-1.4 dune"
    cover = links_by_rel(entry, "http://opds-spec.org/image")[0]
    thumb = links_by_rel(entry, "http://opds-spec.org/image/thumbnail")[0]
    for link in (cover, thumb):
        image = admin_client.get(link.get("href"))
        assert image.status_code == 200 and image["Content-Type"] == link.get("type") == "image/jpeg"


def test_the_same_publication_in_opds2(admin_client, library):
    document = admin_client.get(reverse("opds:v2-series", args=[library.dune.series_id])).json()
    dune = document["publications"][0]
    assert dune["metadata"]["title"] == "Dune" and dune["metadata"]["author"][0]["name"] == "Frank Herbert"
    assert dune["metadata"]["belongsTo"]["series"][0] == {
        "name": "Dune Chronicles",
        "position": 1.0,
        "links": [
            {"href": f"http://testserver/opds/v2/series/{library.dune.series_id}/", "type": "application/opds+json"}
        ],
    }
    types = {link["type"] for link in dune["links"] if link["rel"] == "http://opds-spec.org/acquisition"}
    assert types == {"application/epub+zip", "application/pdf", "application/vnd.amazon.mobi8-ebook"}
    assert {image["rel"] for image in dune["images"]} == {
        "http://opds-spec.org/image",
        "http://opds-spec.org/image/thumbnail",
    }
    search = next(link for link in document["links"] if link["rel"] == "search")
    assert search["templated"] and search["href"].endswith("/opds/v2/search/?q={searchTerms}")


def _ids(feed) -> list[str]:
    return [entry.findtext("a:id", "", NS) for entry in feed.findall("a:entry", NS)]


def test_paging_walks_1000_books_once_each_with_first_previous_next_last(admin_client, library):
    bulk_books(library.shared, 1000)
    url, seen, pages = reverse("opds:books") + "?language=en&kind=ebook", [], 0
    first = parse_atom(admin_client.get(url))
    last_href = links_by_rel(first, "last")[0].get("href")
    assert first.findtext("os:totalResults", "", NS) == "1001"  # and Dune, the other English ebook
    while url:
        feed = parse_atom(admin_client.get(url))
        pages += 1
        seen += _ids(feed)
        assert links_by_rel(feed, "first")[0].get("href") == links_by_rel(first, "first")[0].get("href")
        if pages > 1:
            assert links_by_rel(feed, "previous")
        following = links_by_rel(feed, "next")
        url = following[0].get("href") if following else None
        if url is None:
            assert links_by_rel(feed, "self")[0].get("href") == last_href
    assert pages == 21 and len(seen) == len(set(seen)) == 1001
    assert len(_ids(parse_atom(admin_client.get(last_href)))) == 1


def test_paging_in_opds2(admin_client, library):
    bulk_books(library.shared, 120)
    document = admin_client.get(reverse("opds:v2-recent") + "?page=2").json()
    assert document["metadata"] | {"modified": None} == {
        "title": "Recently added",
        "identifier": "urn:omnireadarr:opds:recent",
        "modified": None,
        "itemsPerPage": 50,
        "currentPage": 2,
        "numberOfItems": 125,
    }
    rels = {link["rel"]: link["href"] for link in document["links"]}
    assert rels["previous"].endswith("/opds/v2/recent/") and rels["next"].endswith("/opds/v2/recent/?page=3")
    assert rels["last"].endswith("?page=3") and len(document["publications"]) == 50
    assert opds2_errors(document) == []


def test_facets_kind_language_format_with_counts_and_one_active_per_group(admin_client, library):
    feed = parse_atom(admin_client.get(reverse("opds:books") + "?kind=ebook"))
    facets = links_by_rel(feed, "http://opds-spec.org/facet")
    by_group: dict[str, list] = {}
    for link in facets:
        by_group.setdefault(link.get(f"{{{NS['opds']}}}facetGroup"), []).append(link)
    assert set(by_group) == {"Kind", "Language", "Format"}
    for links in by_group.values():
        assert [link.get(f"{{{NS['opds']}}}activeFacet") for link in links].count("true") == 1
    counts = {(g, link.get("title")): link.get(f"{{{NS['thr']}}}count") for g, ls in by_group.items() for link in ls}
    assert counts[("Kind", "Ebooks")] == "3" and counts[("Kind", "Comics")] == "1"
    assert counts[("Language", "fr")] == "1" and counts[("Language", "de")] == "1"  # ebooks only
    assert counts[("Format", "EPUB")] == "3" and ("Format", "CBZ") not in counts  # kind=ebook kept
    french = next(link for link in by_group["Language"] if link.get("title") == "fr")
    listed = parse_atom(admin_client.get(french.get("href")))
    assert [e.findtext("a:title", "", NS) for e in listed.findall("a:entry", NS)] == ["Dune Messiah"]


def test_search_uses_the_library_search_and_the_opensearch_document_points_at_it(admin_client, library):
    description = etree.fromstring(admin_client.get(reverse("opds:opensearch")).content)
    url = description.find("os:Url", NS)
    assert description.tag == f"{{{NS['os']}}}OpenSearchDescription"
    assert description.findtext("os:ShortName", "", NS) == "OmniReadarr"
    assert url.get("type") == "application/atom+xml;profile=opds-catalog;kind=acquisition"
    template = url.get("template")
    assert template.endswith("/opds/search/?q={searchTerms}")
    found = parse_atom(admin_client.get(template.replace("{searchTerms}", "author:herbert messiah")))
    assert [e.findtext("a:title", "", NS) for e in found.findall("a:entry", NS)] == ["Dune Messiah"]
    typo = parse_atom(admin_client.get(template.replace("{searchTerms}", "mesiah")))
    assert [e.findtext("a:title", "", NS) for e in typo.findall("a:entry", NS)] == ["Dune Messiah"]


def test_search_pages_through_many_results(admin_client, library):
    bulk_books(library.shared, 120, prefix="Findme")
    first = parse_atom(admin_client.get(reverse("opds:search") + "?q=findme"))
    second = parse_atom(admin_client.get(links_by_rel(first, "next")[0].get("href")))
    third = parse_atom(admin_client.get(links_by_rel(second, "next")[0].get("href")))
    ids = _ids(first) + _ids(second) + _ids(third)
    assert len(ids) == len(set(ids)) == 120 and not links_by_rel(third, "next")


def test_comic_entries_stream_pages_with_pse_zero_based(admin_client, admin_user, library):
    ReadingProgress.objects.create(
        user=admin_user,
        item=library.comic,
        file=library.cbz,
        locator={"page": 3},
        status=ReadingStatus.READING,
        percent=60,
    )
    feed = parse_atom(admin_client.get(reverse("opds:books") + "?kind=comic"))
    stream = links_by_rel(feed.find("a:entry", NS), "http://vaemendis.net/opds-pse/stream")[0]
    assert stream.get("type") == "image/jpeg" and stream.get(f"{{{NS['pse']}}}count") == str(COMIC_PAGES)
    assert stream.get(f"{{{NS['pse']}}}lastRead") == "3" and stream.get(f"{{{NS['pse']}}}lastReadDate")
    template = stream.get("href")
    assert "{pageNumber}" in template
    pages = []
    for number in range(COMIC_PAGES):
        response = admin_client.get(template.replace("{pageNumber}", str(number)))
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        pages.append(response.content)
    in_order = [
        admin_client.get(reverse("comic-page", args=[library.cbz.pk, n])).content for n in range(1, COMIC_PAGES + 1)
    ]
    assert pages == in_order and len(set(pages)) == COMIC_PAGES
    assert admin_client.get(template.replace("{pageNumber}", str(COMIC_PAGES))).status_code == 404


def test_continue_reading_lists_started_books_most_recent_first(admin_client, admin_user, library):
    ReadingProgress.objects.create(user=admin_user, item=library.dune, status=ReadingStatus.READING, percent=10)
    ReadingProgress.objects.create(user=admin_user, item=library.comic, status=ReadingStatus.READING, percent=20)
    ReadingProgress.objects.create(user=admin_user, item=library.messiah, status=ReadingStatus.READ, percent=100)
    feed = parse_atom(admin_client.get(reverse("opds:continue")))
    assert [e.findtext("a:title", "", NS) for e in feed.findall("a:entry", NS)] == ["Saga 001", "Dune"]


def test_shelves_and_smart_shelves_list_their_books_and_belong_to_their_owner(
    admin_client, admin_user, reader_user, library
):
    mine = Shelf.objects.create(user=admin_user, name="Later")
    ShelfEntry.objects.create(shelf=mine, item=library.messiah)
    smart = Shelf.objects.create(user=admin_user, name="Comics", query="saga")
    theirs = Shelf.objects.create(user=reader_user, name="Theirs")
    listing = parse_atom(admin_client.get(reverse("opds:shelves")))
    assert [e.findtext("a:title", "", NS) for e in listing.findall("a:entry", NS)] == ["Comics", "Later"]
    later = parse_atom(admin_client.get(reverse("opds:shelf", args=[mine.pk])))
    assert [e.findtext("a:title", "", NS) for e in later.findall("a:entry", NS)] == ["Dune Messiah"]
    comics = parse_atom(admin_client.get(reverse("opds:shelf", args=[smart.pk])))
    assert [e.findtext("a:title", "", NS) for e in comics.findall("a:entry", NS)] == ["Saga 001"]
    assert admin_client.get(reverse("opds:shelf", args=[theirs.pk])).status_code == 404


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize("name", ["opds:books", "opds:v2-books", "opds:recent", "opds:authors", "opds:series-list"])
def test_a_page_costs_the_same_queries_for_5_or_50_books(admin_client, library, name):
    few = _queries(admin_client, reverse(name) + "?page=1")
    ids = bulk_books(library.shared, 150)
    MediaItem.objects.filter(pk__in=ids[::2]).update(series=library.dune.series, cover_path="covers/x.jpg")
    assert _queries(admin_client, reverse(name) + "?page=2") <= few + 1  # + the count of a second page
