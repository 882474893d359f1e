"""Each adapter against the recorded replies, served by the local fake servers."""

from __future__ import annotations

import httpx
import pytest

from core.errors import (
    AuthenticationFailed,
    BadResponse,
    ConfigurationError,
    RateLimited,
    ServiceUnavailable,
)
from search.providers.base import Capability, MetadataProvider, ProviderConfig, SearchQuery
from search.providers.registry import PROVIDERS, build_provider, providers_for


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_every_provider_conforms_to_the_protocol(name, provider_config):
    provider = build_provider(provider_config(name))
    assert isinstance(provider, MetadataProvider)
    assert provider.info.name == name
    assert provider.info.media_kinds and Capability.SEARCH in provider.info.capabilities
    assert provider.search(SearchQuery(text="zzzz-nothing-matches")) == []
    assert provider.lookup("isbn13", "not-an-isbn") is None
    provider.close()


def test_registry_picks_providers_by_kind_and_capability():
    assert providers_for("comic", Capability.SEARCH) == ["googlebooks", "comicvine"]
    assert "comicvine" not in providers_for("ebook", Capability.LOOKUP)


# --- Open Library --------------------------------------------------------------------------------
def test_openlibrary_search_parses_recorded_docs(provider_config):
    provider = build_provider(provider_config("openlibrary"))
    results = provider.search(SearchQuery(title="time war"))
    assert [r.external_id for r in results] == ["OL20639540W", "OL19859295W"]
    first = results[0]
    assert first.title == "This Is How You Lose the Time War"
    assert first.author_names == ("Amal El-Mohtar", "Max Gladstone")
    assert first.authors[0].external_id == "OL7313207A"
    assert (first.isbn13, first.year, first.language, first.publisher) == ("9781534431003", 2019, "en",
                                                                            "Simon and Schuster")
    assert first.published == "2019-07-16"
    assert first.cover_url.endswith("/covers/b/olid/OL27901088M-L.jpg")
    assert results[1].cover_url.endswith("/covers/b/id/8665647-L.jpg")
    assert results[0].confidence > results[1].confidence


def test_openlibrary_isbn_lookup_uses_books_api(provider_config):
    record = build_provider(provider_config("openlibrary")).lookup("isbn10", "0316030570")
    assert record.title == "Use of Weapons" and record.external_id == "OL10426208M"
    assert record.author_names == ("Iain M. Banks",) and record.authors[0].external_id == "OL6924809A"
    assert (record.publisher, record.published, record.year, record.page_count) == ("Orbit", "2008-07-28", 2008, 480)
    assert record.isbn13 == "9780316030571"
    assert ("goodreads", "3395563") in record.identifiers
    assert "Science Fiction" in record.subjects
    assert record.cover_url == "https://covers.openlibrary.org/b/id/2379038-L.jpg"


def test_openlibrary_isbn_lookup_converts_isbn10_only_entries(provider_config):
    record = build_provider(provider_config("openlibrary")).lookup("isbn13", "978-2-07-042779-6")
    assert record.isbn13 == "9782070427796" and record.title == "Les ombres errantes"
    assert record.published == "2002" and record.publisher == "Gallimard"


def test_openlibrary_unknown_isbn_is_not_found(provider_config):
    assert build_provider(provider_config("openlibrary")).lookup("isbn13", "9780306406157") is None


def test_openlibrary_edition_resolves_legacy_author(provider_config):
    record = build_provider(provider_config("openlibrary")).lookup("openlibrary", "OL22951843M")
    assert record.title == "Sabriel" and record.language == "en" and record.page_count == 491
    assert record.authors[0].name == "George Elliott" and record.authors[0].external_id == "OL453734A"
    assert record.description.startswith("Sabriel, daughter of the necromancer")
    assert ("openlibrary_work", "OL15832982W") in record.identifiers
    assert record.isbn13 == "9780060273224"


@pytest.mark.parametrize(("olid", "description_start", "series"), [
    ("OL15832982W", "First in the Old Kingdom", ""),  # description as {type, value}
    ("OL7924103W", "The Wheel of Time turns", "The Wheel of Time"),  # description as a string, series: subject
])
def test_openlibrary_work_shapes(provider_config, olid, description_start, series):
    record = build_provider(provider_config("openlibrary")).lookup("openlibrary", olid)
    assert record.description.startswith(description_start)
    assert record.series == series
    assert not any(s.startswith("series:") for s in record.subjects)


def test_openlibrary_missing_work_returns_none(provider_config):
    assert build_provider(provider_config("openlibrary")).lookup("openlibrary", "OL1W") is None


def test_openlibrary_modern_author_record(provider_config):
    author = build_provider(provider_config("openlibrary")).author("OL1394865A")
    assert author.name == "Brandon Sanderson" and "Sanderson, Brandon" in author.alternate_names
    assert author.birth_date == "19 December 1975" and author.photo_url.endswith("/a/id/14851192-L.jpg")


# --- Google Books --------------------------------------------------------------------------------
def test_googlebooks_isbn_lookup_parses_volume(provider_config):
    record = build_provider(provider_config("googlebooks")).lookup("isbn13", "9784815602666")
    assert record.title == "宇宙の話をしよう" and record.author_names == ("小野雅裕",)
    assert (record.language, record.published, record.year, record.page_count) == ("ja", "2020-11", 2020, 239)
    assert record.publisher == "" and record.confidence == 0.95
    assert ("google", "GjASzgEACAAJ") in record.identifiers


def test_googlebooks_answer_for_another_isbn_is_less_confident(provider_config):
    record = build_provider(provider_config("googlebooks")).lookup("isbn13", "9786064312617")
    assert record.isbn13 == "9786067580648"  # Google answered with another edition
    assert record.confidence == 0.6
    assert record.title == "Dune - Editura Nemira"  # whitespace collapsed
    assert record.language == "ro" and record.publisher == "Nemira Publishing House"


def test_googlebooks_search_by_title_and_author(provider_config):
    results = build_provider(provider_config("googlebooks")).search(SearchQuery(title="Dune", author="Herbert"))
    assert [r.external_id for r in results] == ["kL_KDwAAQBAJ"]


def test_googlebooks_volume_lookup_and_not_found(provider_config):
    provider = build_provider(provider_config("googlebooks"))
    assert provider.lookup("google", "kL_KDwAAQBAJ").author_names == ("Frank Herbert",)
    assert provider.lookup("google", "missing") is None


def test_googlebooks_sends_optional_key(provider_config, fakes):
    build_provider(provider_config("googlebooks", api_key="k123")).search(SearchQuery(text="dune"))
    assert fakes.googlebooks.requests[-1][1]["key"] == "k123"
    build_provider(provider_config("googlebooks", cache_path=None)).search(SearchQuery(text="dune"))
    assert "key" not in fakes.googlebooks.requests[-1][1]


def test_googlebooks_rate_limit_reply_is_transient_with_retry_after(provider_config, fakes):
    fakes.googlebooks.fail(429, retry_after=40, body='{"error": {"code": 429, "message": "Rate Limit Exceeded"}}')
    with pytest.raises(RateLimited) as caught:
        build_provider(provider_config("googlebooks")).search(SearchQuery(text="dune"))
    assert caught.value.retry_after == 40


# --- Comic Vine ------------------------------------------------------------------------------------
def test_comicvine_issue_lookup(provider_config):
    record = build_provider(provider_config("comicvine")).lookup("comicvine", "4000-140529")
    assert record.kind == "comic" and record.title == "Anda's Game"
    assert record.series == "Cory Doctorow's Futuristic Tales of the Here and Now"
    assert (record.issue_number, record.series_index, record.published, record.year) == ("1", 1.0, "2007-10-01",
                                                                                         2007)
    roles = {a.name: a.role for a in record.authors}
    assert roles == {"Dara Naraghi": "writer", "Esteve Polls": "artist", "Neil Uyetake": "letterer",
                     "Sam Kieth": "cover", "Ted Adams": "editor"}
    assert record.author_names == ("Dara Naraghi",)
    assert record.description.startswith("For 12-year-old Anda") and "<i>" not in record.description


def test_comicvine_volume_lookup_reads_string_start_year(provider_config):
    record = build_provider(provider_config("comicvine")).lookup("comicvine", "4050-23437")
    assert (record.year, record.publisher, record.volume) == (2007, "IDW Publishing", "2007")


def test_comicvine_search_and_not_found(provider_config):
    provider = build_provider(provider_config("comicvine"))
    assert [r.external_id for r in provider.search(SearchQuery(text="Futuristic Tales"))] == ["4050-23437"]
    assert provider.lookup("comicvine", "4000-1") is None
    assert provider.lookup("comicvine", "../etc/passwd") is None


def test_comicvine_requires_a_key(provider_config):
    with pytest.raises(ConfigurationError, match="API key"):
        build_provider(provider_config("comicvine", api_key="")).search(SearchQuery(text="x"))


def test_comicvine_wrong_key_is_authentication_failure(provider_config):
    with pytest.raises(AuthenticationFailed):
        build_provider(provider_config("comicvine", api_key="wrong")).lookup("comicvine", "4000-140529")


def test_comicvine_420_and_status_107_mean_rate_limited(provider_config, fakes):
    fakes.comicvine.fail(420, body='{"status_code": 107, "error": "Rate Limit Exceeded", "results": []}')
    with pytest.raises(RateLimited):
        build_provider(provider_config("comicvine")).lookup("comicvine", "4000-140529")
    fakes.comicvine.fail(200, body='{"status_code": 107, "error": "Rate Limit Exceeded", "results": []}')
    with pytest.raises(RateLimited):
        build_provider(provider_config("comicvine", cache_path=None)).lookup("comicvine", "4050-23437")


def test_comicvine_hourly_quota_per_resource(provider_config, fakes):
    provider = build_provider(provider_config("comicvine", hourly_limit_per_resource=2, cache_ttl_seconds=0))
    provider.lookup("comicvine", "4000-140529")
    provider.lookup("comicvine", "4000-140529")
    with pytest.raises(RateLimited, match="hourly limit of 2 requests for 'issue'") as caught:
        provider.lookup("comicvine", "4000-140529")
    assert 3500 < caught.value.retry_after <= 3600
    assert provider.lookup("comicvine", "4050-23437") is not None  # another resource has its own quota
    assert sum(1 for p, _ in fakes.comicvine.requests if p.startswith("/issue/")) == 2


# --- errors and cache ------------------------------------------------------------------------------
def test_server_errors_are_transient_and_junk_is_bad_response(provider_config, fakes):
    fakes.openlibrary.fail(503)
    with pytest.raises(ServiceUnavailable):
        build_provider(provider_config("openlibrary")).search(SearchQuery(text="time war"))
    fakes.openlibrary.fail(200, body="<html>maintenance</html>")
    with pytest.raises(BadResponse, match="expected JSON"):
        build_provider(provider_config("openlibrary")).search(SearchQuery(text="time war"))
    fakes.openlibrary.fail(200, body='{"unexpected": true}')
    with pytest.raises(BadResponse, match="docs"):
        build_provider(provider_config("openlibrary")).search(SearchQuery(text="time war"))


def test_stopped_server_is_service_unavailable(provider_config, fakes):
    config = provider_config("openlibrary")
    fakes.openlibrary.stop()
    with pytest.raises(ServiceUnavailable, match="is not answering at"):
        build_provider(config).search(SearchQuery(text="time war"))


def test_responses_are_cached_persistently_without_the_key(provider_config, fakes):
    config = provider_config("googlebooks", api_key="secret-key")
    build_provider(config).search(SearchQuery(text="dune"))
    again = build_provider(config)  # a new instance (as after a restart) reads the same SQLite file
    assert again.search(SearchQuery(text="dune"))[0].external_id == "kL_KDwAAQBAJ"
    assert again.fetcher.network_calls == 0 and len(fakes.googlebooks.requests) == 1
    assert b"secret-key" not in config.cache_path.read_bytes()


def test_failed_replies_are_not_cached(provider_config, fakes):
    config = provider_config("openlibrary")
    fakes.openlibrary.fail(503)
    with pytest.raises(ServiceUnavailable):
        build_provider(config).search(SearchQuery(text="time war"))
    fakes.openlibrary.heal()
    assert len(build_provider(config).search(SearchQuery(text="time war"))) == 2


def test_mock_transport_timeout_maps_to_service_unavailable():
    def handler(request):
        raise httpx.ReadTimeout("slow", request=request)

    config = ProviderConfig(name="openlibrary", base_url="http://ol.test", retries=0)
    with pytest.raises(ServiceUnavailable, match="did not answer within"):
        build_provider(config, transport=httpx.MockTransport(handler)).search(SearchQuery(text="x"))
