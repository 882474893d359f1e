"""Indexer adapters against recorded Newznab/Torznab replies and the fake Prowlarr."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from core.errors import AuthenticationFailed, BadResponse, RateLimited, ServiceUnavailable
from indexers.clients.base import BookTerms, IndexerSettings, Release, SearchRequest
from indexers.clients.base import resolve_download_link as resolve
from indexers.clients.newznab import NewznabClient, TorznabClient, newznab_error, parse_caps, parse_xml
from indexers.clients.prowlarr import ProwlarrClient
from indexers.clients.registry import CLIENTS, client_for

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _serving(path: Path, seen: list | None = None) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(200, content=path.read_bytes(), headers={"Content-Type": "application/rss+xml"})

    return httpx.MockTransport(handler)


def _settings(url="http://indexer.test", api_key="k", **kw) -> IndexerSettings:
    return IndexerSettings(name="test", url=url, api_key=api_key, **kw)


def test_newznab_search_reads_recorded_ebook_reply():
    seen: list[httpx.Request] = []
    client = NewznabClient(
        _settings(),
        transport=_serving(
            FIXTURES / "newznab/search_book_ebook_usenet-crawler_lazylibrarian_test.xml", seen
        ),
    )
    releases = client.search(SearchRequest("scientific american", (7020,)))
    assert len(releases) == 1
    release = releases[0]
    assert release.title == "Scientific.American.SCIAM.November.20.3"
    assert release.protocol == "usenet" and release.size == 20811405 and release.categories == (7000, 7020)
    assert release.grabs == 10 and release.files == 4 and not release.passworded
    assert release.download_url.startswith("https://www.usenet-crawler.com/getnzb/")
    assert release.publish_date.year == 2013
    params = seen[0].url.params
    assert params["t"] == "search" and params["cat"] == "7020" and params["apikey"] == "k"


def test_newznab_reply_with_raw_greater_than_and_bad_link_parses():
    client = NewznabClient(
        _settings(),
        transport=_serving(
            FIXTURES / "newznab/search_book_newznabplus_debbie_macomber_lazylibrarian_test.xml"
        ),
    )
    [release] = client.search(SearchRequest("macomber"))
    assert release.title == "Debbie Macomber - When First They Met (html)" and release.size == 192447
    with pytest.raises(BadResponse, match="no usable download link"):
        resolve(release)  # the recorded <link> is just "http"


def test_torznab_reply_gives_torrents_with_seeders_and_info_hash():
    client = TorznabClient(
        _settings(), transport=_serving(FIXTURES / "torznab/search_jackett_tpb_sonarr_test.xml")
    )
    releases = client.search(SearchRequest("series"))
    first = releases[0]
    assert first.protocol == "torrent" and first.seeders == 34128 and first.leechers == 36724 - 34128
    assert first.info_hash == "9fb267cff5ae5603f07a347676ec3bf3e35f75e1"
    assert resolve(first).kind == "magnet"


def test_torznab_plain_elements_and_removed_info_hash():
    client = TorznabClient(
        _settings(), transport=_serving(FIXTURES / "torznab/search_morethantv_prowlarr_test.xml")
    )
    first = client.search(SearchRequest("out of the past"))[0]
    assert (
        first.size == 5412993028
        and first.files == 1
        and first.grabs == 2
        and first.categories == (2000, 2040)
    )
    assert first.info_hash == ""  # "(removed)" is not a hash
    assert resolve(first).kind == "torrent_url"


def test_caps_documents_are_parsed():
    caps = parse_caps(parse_xml((FIXTURES / "newznab/caps_prowlarr_test.xml").read_bytes(), "x"))
    assert caps.limit_max == 60 and caps.search_available and 8020 in caps.categories
    assert not caps.book_search_available
    tosho = parse_caps(parse_xml((FIXTURES / "torznab/caps_animetosho_prowlarr_test.xml").read_bytes(), "x"))
    assert tosho.server_title == "Anime Tosho" and tosho.search_params == ("q",)


def test_error_100_is_an_authentication_failure():
    client = NewznabClient(
        _settings(), transport=_serving(FIXTURES / "newznab/error_100_unauthorized_sonarr_test.xml")
    )
    with pytest.raises(AuthenticationFailed, match="Incorrect user credentials"):
        client.search(SearchRequest("x"))
    assert isinstance(newznab_error("500", "Request limit reached", "x"), RateLimited)


def test_newznab_uses_book_search_only_when_caps_allow_it():
    caps = (
        b'<caps><searching><search available="yes"/>'
        b'<book-search available="yes" supportedParams="q,title,author"/>'
        b"</searching><categories/></caps>"
    )
    feed = (FIXTURES / "newznab/search_book_newznabplus_debbie_macomber_lazylibrarian_test.xml").read_bytes()
    seen: list[httpx.Request] = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, content=caps if request.url.params["t"] == "caps" else feed)

    client = NewznabClient(_settings(), transport=httpx.MockTransport(handler))
    client.search(SearchRequest("x y", book=BookTerms("When First They Met", "Debbie Macomber")))
    search = seen[-1].url.params
    assert search["t"] == "book" and search["author"] == "Debbie Macomber" and "q" not in search


def test_not_xml_is_a_bad_response():
    client = NewznabClient(
        _settings(), transport=httpx.MockTransport(lambda r: httpx.Response(200, text="<html"))
    )
    with pytest.raises(BadResponse, match="not XML"):
        client.search(SearchRequest("x"))


def test_prowlarr_status_indexers_and_search_against_fake(prowlarr):
    client = ProwlarrClient(_settings(prowlarr.url, prowlarr.api_key, indexer_ids=(1,)))
    assert client.test_connection().version == "1.30.2.4939"
    indexers = client.indexers()
    assert [i.name for i in indexers] == ["FakeNZB", "FakeTorrents"]
    assert indexers[0].book_search_params == ("q", "title", "author") and 7020 in indexers[0].categories
    releases = client.search(SearchRequest("Project Hail Mary", (7020,), limit=10))
    assert {r.guid for r in releases} == {"guid-epub-retail", "guid-mobi", "guid-martian"}
    path, query = prowlarr.requests[-1]
    assert path == "/api/v1/search" and query["categories"] == ["7020"] and query["indexerIds"] == ["1"]
    assert query["type"] == ["search"] and query["limit"] == ["10"]
    mobi = next(r for r in releases if r.guid == "guid-mobi")
    assert mobi.indexer == "FakeNZB" and mobi.size == 3_500_000 and mobi.age_days == pytest.approx(10.0)
    assert mobi.publish_date is not None and mobi.publish_date.tzinfo is not None
    assert resolve(mobi).kind == "nzb_url" and "/1/download?" in resolve(mobi).url


def test_prowlarr_book_search_sends_title_and_author_tokens(prowlarr):
    client = ProwlarrClient(_settings(prowlarr.url, prowlarr.api_key))
    client.search(SearchRequest("x", book=BookTerms("Project Hail Mary", "Andy Weir")))
    _, query = prowlarr.requests[-1]
    assert query["type"] == ["book"] and query["query"] == ["{title:Project Hail Mary}{author:Andy Weir}"]


def test_prowlarr_falls_back_to_free_text_when_an_indexer_lacks_book_search(prowlarr):
    prowlarr.torrent_book_params = ["q"]
    ProwlarrClient(_settings(prowlarr.url, prowlarr.api_key)).search(
        SearchRequest("Project Hail Mary Andy Weir", book=BookTerms("Project Hail Mary", "Andy Weir"))
    )
    assert prowlarr.requests[-1][1]["type"] == ["search"]
    ProwlarrClient(_settings(prowlarr.url, prowlarr.api_key, indexer_ids=(1,))).search(
        SearchRequest("Project Hail Mary Andy Weir", book=BookTerms("Project Hail Mary", "Andy Weir"))
    )
    assert prowlarr.requests[-1][1]["type"] == [
        "book"
    ]  # only indexer 1 is asked, and it supports book search


def test_prowlarr_wrong_key_and_base_path(prowlarr):
    with pytest.raises(AuthenticationFailed):
        ProwlarrClient(IndexerSettings(name="p", url=prowlarr.url, api_key="wrong")).test_connection()
    behind_proxy = ProwlarrClient(_settings(prowlarr.url, prowlarr.api_key, base_path="/prowlarr/"))
    with pytest.raises(Exception, match="404"):
        behind_proxy.test_connection()
    assert prowlarr.requests[-1][0] == "/prowlarr/api/v1/system/status"


def test_prowlarr_down_is_transient():
    client = ProwlarrClient(IndexerSettings(name="p", url="http://127.0.0.1:9", api_key="k", timeout=1))
    with pytest.raises(ServiceUnavailable):
        client.search(SearchRequest("x"))


def test_magnet_without_hash_is_refused():
    release = Release(title="t", guid="g", protocol="torrent", indexer="i", magnet_url="magnet:?dn=x")
    with pytest.raises(BadResponse, match="info hash"):
        resolve(release)


@pytest.mark.parametrize("kind", sorted(CLIENTS))
def test_every_registered_indexer_client_conforms(kind):
    client = client_for(kind, _settings())
    for name in ("test_connection", "indexers", "search", "resolve_download", "close"):
        assert callable(getattr(client, name))
    assert client.settings.name == "test"
    client.close()
