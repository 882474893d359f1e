"""Issue 15, "what was seen" 1: a metadata refresh turned sequels into their first book.
Real EPUBs are scanned, then enriched from a fake Google Books on 127.0.0.1 that answers a
title search by relevance, as the real one does: "Dune Messiah" also brings back "Dune"."""

from __future__ import annotations

import copy
import json

import pytest

from media.models import Identifier, MediaItem, MediaKind, MediaStatus
from media.search import SearchFilters, SearchRequest, run
from scanning.services import FolderInput, save_folder, scan_folder
from search.models import ReviewItem, ReviewStatus
from search.services.enrich import enrich_items
from search.services.identify import identify_item
from search.services.wanted import WantedRequest, add_wanted
from tests.scanning import samples
from tests.search.fakes import GOOGLE_FILES, _json, _load, googlebooks_route

HERBERT = (("Frank Herbert", "Herbert, Frank"),)
ROWLING = (("J. K. Rowling", "Rowling, J. K."),)
NEMIRA_DUNE = ("kL_KDwAAQBAJ", "9786067580648")  # the recorded Google Books "Dune" (Editura Nemira)


def _scan(root) -> None:
    folder = save_folder(FolderInput(path=str(root), content_type="mixed"))
    result = scan_folder(folder.pk)
    assert result["errors"] == 0 and result["corrupt"] == 0


def _book(title: str, authors, *, series: str, index: str, isbn: str = "", date: str = "1965-08-01", uuid: str):
    return samples.Book(title, authors=authors, isbn=isbn, series=series, series_index=index, date=date,
                        uuid=f"00000000-0000-4000-8000-{uuid:0>12}")


def _volume(template: dict, volume_id: str, title: str, authors: list[str], date: str, isbn13: str,
            language: str = "ro") -> dict:
    volume = copy.deepcopy(template)
    volume["id"] = volume_id
    volume["volumeInfo"].update(title=title, authors=authors, publishedDate=date, language=language,
                                industryIdentifiers=[{"type": "ISBN_13", "identifier": isbn13}])
    for empty in [k for k in ("subtitle", "publishedDate") if not volume["volumeInfo"].get(k)]:
        volume["volumeInfo"].pop(empty, None)
    return volume


def _philosophers_stone_only(path: str, query: dict[str, str]):
    """A provider whose search for any Harry Potter book answers with the first one only, titled
    series first ("Harry Potter: ..."), as several catalogues list it."""
    template = _load(GOOGLE_FILES[0])["items"][0]
    stone = _volume(template, "39iYWTb6n6cC", "Harry Potter: The Philosopher's Stone", ["J.K. Rowling"],
                    "1997-06-26", "9780747532699", "en")
    if path == "/volumes" and "isbn:" not in query.get("q", ""):
        return _json({"kind": "books#volumes", "totalItems": 1, "items": [stone]})
    return _json({"kind": "books#volumes", "totalItems": 0})


def _dune_by_relevance(path: str, query: dict[str, str]):
    """The recorded Google Books "Dune" (Editura Nemira; its title cleaned of the publisher) is the
    answer to every title search sharing a word with it; ids and ISBN lookups as recorded."""
    q = query.get("q", "")
    if path != "/volumes" or "isbn:" in q or "dune" not in q.lower():
        return googlebooks_route(path, query)
    template = _load(GOOGLE_FILES[0])["items"][0]
    external_id, isbn = NEMIRA_DUNE
    dune = _volume(template, external_id, "Dune", ["Frank Herbert"], "", isbn)
    return _json({"kind": "books#volumes", "totalItems": 1, "items": [dune]})


@pytest.fixture
def dune_library(tmp_path, live_providers):
    root = tmp_path / "books"
    samples.make_epub(root / "Frank Herbert" / "Dune" / "Dune.epub",
                      _book("Dune", HERBERT, series="Dune", index="1", isbn="9780441172719", uuid="d1"))
    samples.make_epub(root / "Frank Herbert" / "Dune Messiah" / "Dune Messiah.epub",
                      _book("Dune Messiah", HERBERT, series="Dune", index="2", date="1969-10-15", uuid="d2"))
    samples.make_epub(root / "Frank Herbert" / "Children of Dune" / "Children of Dune.epub",
                      _book("Children of Dune", HERBERT, series="Dune", index="3", date="1976-04-01", uuid="d3"))
    _scan(root)
    live_providers.googlebooks.route = _dune_by_relevance
    return {item.title: item for item in MediaItem.objects.all()}


@pytest.mark.django_db
def test_refresh_leaves_sequels_titles_isbn_and_provider_id_alone(dune_library):
    assert set(dune_library) == {"Dune", "Dune Messiah", "Children of Dune"}

    enrich_items(force=True)

    for title in ("Dune Messiah", "Children of Dune"):
        sequel = MediaItem.objects.get(pk=dune_library[title].pk)
        assert (sequel.title, sequel.isbn13) == (title, "")
        assert not Identifier.objects.filter(item=sequel, scheme__in=("googlebooks", "google")).exists()
        review = ReviewItem.objects.get(item=sequel, status=ReviewStatus.PENDING)
        assert review.candidates[0]["title"] == "Dune" and review.reason  # the question, with its reasons
        assert any("title" in line for line in review.candidates[0]["explain"])


@pytest.mark.django_db
def test_after_refresh_an_isbn_search_finds_one_book_and_the_real_dune_can_be_wanted(dune_library):
    enrich_items(force=True)

    external_id, isbn = NEMIRA_DUNE
    wanted = add_wanted(WantedRequest(provider="googlebooks", external_id=external_id))  # not refused

    everything = SearchFilters(statuses=tuple(MediaStatus.values))  # wanted items too
    assert run(SearchRequest(q=f"isbn:{isbn}", filters=everything)).ids == (wanted.pk,)
    assert run(SearchRequest(q="isbn:9780441172719", filters=everything)).ids == (dune_library["Dune"].pk,)


@pytest.mark.django_db
def test_chamber_of_secrets_is_not_a_strong_match_for_the_philosophers_stone(tmp_path, live_providers):
    root = tmp_path / "books"
    samples.make_epub(root / "Rowling" / "Chamber.epub",
                      _book("Harry Potter and the Chamber of Secrets", ROWLING, series="Harry Potter", index="2",
                            date="1998-07-02", uuid="b2"))
    _scan(root)
    live_providers.googlebooks.route = _philosophers_stone_only
    item = MediaItem.objects.get(kind=MediaKind.EBOOK)

    outcome = identify_item(item.pk)

    assert outcome.recommendation != "strong" and not outcome.applied, outcome.reason
    item.refresh_from_db()
    assert item.title == "Harry Potter and the Chamber of Secrets" and item.isbn13 == ""
    assert json.dumps(ReviewItem.objects.get(item=item).candidates[0]["penalties"])  # reasons kept for the UI
