"""Release-title parsing: a table of common ebook, audiobook and comic styles."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from indexers.releases import parse_release

# title, expected subset of the parsed fields
TABLE = [
    (
        "Andy.Weir.-.Project.Hail.Mary.2021.RETAIL.EPUB.eBook-BitBook",
        {
            "authors": ["Andy Weir"],
            "title": "Project Hail Mary",
            "year": 2021,
            "retail": True,
            "format": "epub",
            "group": "BitBook",
            "kind_hint": "ebook",
        },
    ),
    (
        "Brandon_Sanderson_-_The_Lost_Metal-AUDIOBOOK-WEB-EN-2022-CRUCiAL",
        {
            "authors": ["Brandon Sanderson"],
            "title": "The Lost Metal",
            "year": 2022,
            "group": "CRUCiAL",
            "language": "en",
            "kind_hint": "audiobook",
        },
    ),
    (
        "Stephen.King.The.Stand.1978.Unabridged.Audiobook.MP3-GROUP",
        {
            "title": "Stephen King The Stand",
            "unabridged": True,
            "format": "mp3",
            "year": 1978,
            "group": "GROUP",
        },
    ),
    ("Test.Author-Test.Book", {"authors": ["Test Author"], "title": "Test Book", "group": ""}),
    ("Spider-Man.Homecoming.2017.epub", {"title": "Spider-Man Homecoming", "year": 2017, "authors": []}),
    (
        "Brandon Sanderson - The Way of Kings (2010) [epub]",
        {"authors": ["Brandon Sanderson"], "title": "The Way of Kings", "year": 2010, "format": "epub"},
    ),
    ("George Orwell - 1984 (1949) [epub]", {"authors": ["George Orwell"], "title": "1984", "year": 1949}),
    (
        "Debbie Macomber - When First They Met (html)",
        {"authors": ["Debbie Macomber"], "title": "When First They Met", "format": "html"},
    ),
    (
        "Douglas Preston & Lincoln Child - Relic (1995) [mobi]",
        {"authors": ["Douglas Preston", "Lincoln Child"], "title": "Relic", "format": "mobi"},
    ),
    (
        "Le Guin, Ursula K. - A Wizard of Earthsea (Earthsea, Book 1) [epub]",
        {
            "authors": ["Ursula K. Le Guin"],
            "title": "A Wizard of Earthsea",
            "series": "Earthsea",
            "series_number": "1",
        },
    ),
    (
        "Brandon Sanderson - Stormlight Archive 01 - The Way of Kings",
        {
            "authors": ["Brandon Sanderson"],
            "series": "Stormlight Archive",
            "series_number": "1",
            "title": "The Way of Kings",
        },
    ),
    (
        "Terry Pratchett - Discworld 08 - Guards! Guards! - Retail.epub",
        {
            "series": "Discworld",
            "series_number": "8",
            "title": "Guards! Guards!",
            "retail": True,
            "format": "epub",
        },
    ),
    (
        "Brandon Sanderson - [Stormlight Archive 03] - Oathbringer (retail) [azw3]",
        {"series": "Stormlight Archive", "series_number": "3", "title": "Oathbringer", "format": "azw3"},
    ),
    (
        "James S. A. Corey - The Expanse #2.5 - Gods of Risk [epub]",
        {"series": "The Expanse", "series_number": "2.5", "title": "Gods of Risk"},
    ),
    (
        "The Jungle Book by Rudyard Kipling (1894) [pdf]",
        {"authors": ["Rudyard Kipling"], "title": "The Jungle Book", "format": "pdf", "year": 1894},
    ),
    (
        "Project Hail Mary by Andy Weir [ENG / M4B]",
        {
            "authors": ["Andy Weir"],
            "title": "Project Hail Mary",
            "format": "m4b",
            "language": "en",
            "kind_hint": "audiobook",
        },
    ),
    (
        "The Way of Kings by Brandon Sanderson [ENG / EPUB MOBI]",
        {"formats": ["epub", "mobi"], "title": "The Way of Kings", "authors": ["Brandon Sanderson"]},
    ),
    (
        "Frank Herbert - Dune (Dune #1) [ENG / EPUB]",
        {"series": "Dune", "series_number": "1", "title": "Dune", "language": "en"},
    ),
    (
        "Stephen King - The Stand (Unabridged) [MP3 64kbps]",
        {"unabridged": True, "quality": "64kbps", "format": "mp3", "title": "The Stand"},
    ),
    ("Stephen King - Carrie (Abridged) [m4b]", {"unabridged": False, "kind_hint": "audiobook"}),
    (
        "Neil Gaiman - American Gods [Narrated by George Guidall] (Unabridged) [M4B]",
        {"narrator": "George Guidall", "unabridged": True, "title": "American Gods"},
    ),
    ("J.R.R. Tolkien - The Hobbit.epub", {"authors": ["J. R. R. Tolkien"], "title": "The Hobbit"}),
    (
        "Batman 050 (2018) (Digital) (Zone-Empire)",
        {
            "series": "Batman",
            "series_number": "50",
            "year": 2018,
            "group": "Zone-Empire",
            "kind_hint": "comic",
        },
    ),
    (
        "Saga 054 (2018) (digital) (Son of Ultron-Empire).cbr",
        {"series": "Saga", "series_number": "54", "format": "cbr", "kind_hint": "comic"},
    ),
    ("Scientific.American.SCIAM.November.20.3", {"format": "", "authors": []}),
    ("", {"title": "", "authors": []}),
]


@pytest.mark.parametrize(("title", "expected"), TABLE, ids=[t[0][:40] or "empty" for t in TABLE])
def test_parse_release_table(title, expected):
    parsed = parse_release(title).as_dict()
    assert {key: parsed[key] for key in expected} == expected


def test_parse_release_never_raises_on_hostile_input():
    for title in ["((((", "[]]][[", "-" * 500, "\x00\x01 - \u202e", "a" * 5000, "by by by", " - - - "]:
        assert parse_release(title).raw == title


def test_parse_release_command_reads_stdin_lines_and_writes_json_lines(monkeypatch):
    monkeypatch.setattr(
        "sys.stdin",
        io.StringIO("Andy Weir - Project Hail Mary (2021) [epub]\n\nThe Stand by Stephen King [ENG / M4B]\n"),
    )
    out = io.StringIO()
    call_command("parse_release", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["title"] for line in lines] == ["Project Hail Mary", "The Stand"]
    assert lines[1]["authors"] == ["Stephen King"] and lines[1]["format"] == "m4b"


def test_parse_api_returns_the_parsed_title_in_the_envelope(reader_client):
    response = reader_client.get("/api/parse/", {"title": "Andy Weir - Project Hail Mary (2021) [epub]"})
    assert response.status_code == 200
    body = response.json()
    assert (
        body["success"] is True and body["data"]["authors"] == ["Andy Weir"] and body["data"]["year"] == 2021
    )


def test_parse_api_reports_repack_and_proper(reader_client):
    response = reader_client.get("/api/parse/", {"title": "Jane.Doe-The.Long.Road.REPACK.EPUB-GRP"})
    data = response.json()["data"]
    assert data["repack"] is True and data["proper"] is False and data["title"] == "The Long Road"


def test_parse_api_rejects_an_empty_title(reader_client):
    response = reader_client.get("/api/parse/", {"title": ""})
    assert response.status_code == 422 and response.json()["error_code"] == "invalid_input"


def test_parse_page_renders(reader_client):
    response = reader_client.get("/indexers/parse/")
    assert response.status_code == 200 and b"parse-form" in response.content
