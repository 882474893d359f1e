from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from scanning.extractors.filename import as_json, audiobook_folder, parse_path

CASES = [
    (
        "ebook",
        "Ursula K. Le Guin - Earthsea 01 - A Wizard of Earthsea.epub",
        {
            "title": "A Wizard of Earthsea",
            "authors": ["Ursula K. Le Guin"],
            "series": "Earthsea",
            "series_index": 1.0,
        },
    ),
    (
        "ebook",
        "Ursula K. Le Guin - [Earthsea #2] - The Tombs of Atuan.epub",
        {"title": "The Tombs of Atuan", "series": "Earthsea", "series_index": 2.0},
    ),
    ("ebook", "Jane Austen - Emma (1815).mobi", {"title": "Emma", "authors": ["Jane Austen"], "year": 1815}),
    (
        "ebook",
        "Tolkien/The Hobbit (1937)/The Hobbit.epub",
        {"title": "The Hobbit", "authors": ["Tolkien"], "year": 1937},
    ),
    (
        "ebook",
        "Frank Herbert/Dune (12)/Dune - Frank Herbert.epub",
        {"title": "Dune", "authors": ["Frank Herbert"]},
    ),
    (
        "ebook",
        "Brandon Sanderson/Mistborn/02 - The Well of Ascension.epub",
        {
            "title": "The Well of Ascension",
            "authors": ["Brandon Sanderson"],
            "series": "Mistborn",
            "series_index": 2.0,
        },
    ),
    (
        "ebook",
        "Terry Pratchett & Neil Gaiman - Good Omens.epub",
        {"title": "Good Omens", "authors": ["Terry Pratchett", "Neil Gaiman"]},
    ),
    ("ebook", "Jane_Austen_-_Persuasion.pdf", {"title": "Persuasion", "authors": ["Jane Austen"]}),
    ("ebook", "Émile Zola/Germinal.epub", {"title": "Germinal", "authors": ["Émile Zola"]}),
    (
        "ebook",
        "Anna\u00a0Byrne/ The_Ashes  of\tHarbour. /The_Ashes  of\tHarbour -.epub",
        {"title": "The Ashes of Harbour", "authors": ["Anna Byrne"]},
    ),
    (
        "ebook",
        "Anna_Byrne\u2003-\u2003Tide_Saga_3\u00a0-  The\u3000Ember.epub",
        {"title": "The Ember", "authors": ["Anna Byrne"], "series": "Tide Saga", "series_index": 3.0},
    ),
    ("comic", "Saga v2 #012 (2019).cbz", {"series": "Saga", "volume": "2", "issue": "12", "year": 2019}),
    ("comic", "Watchmen 001 (of 12) (1986).cbr", {"series": "Watchmen", "issue": "1", "year": 1986}),
    ("comic", "Comics/Batman #5.cbz", {"series": "Batman", "issue": "5", "title": "Batman #5"}),
    (
        "comic",
        "The Walking Dead Vol. 3 #019.cbz",
        {"series": "The Walking Dead", "volume": "3", "issue": "19"},
    ),
    (
        "audiobook",
        "Stephen King/The Stand (1978)/CD1/01 - Track.mp3",
        {"title": "The Stand", "authors": ["Stephen King"], "year": 1978},
    ),
    (
        "audiobook",
        "Terry Pratchett/Discworld/01 - The Colour of Magic/part 1.mp3",
        {
            "title": "The Colour of Magic",
            "series": "Discworld",
            "series_index": 1.0,
            "authors": ["Terry Pratchett"],
        },
    ),
    (
        "audiobook",
        "Andy Weir - Project Hail Mary/Disc 2/05.m4b",
        {"title": "Project Hail Mary", "authors": ["Andy Weir"]},
    ),
]


@pytest.mark.parametrize(("kind", "path", "expected"), CASES)
def test_parse_path(kind, path, expected):
    result = as_json(parse_path(path, kind))
    for key, value in expected.items():
        assert result[key] == value, (key, result)


def test_filename_is_the_weakest_source():
    meta = parse_path("A - B.epub", "ebook")
    assert all(v == 0.3 for v in meta.confidence.values())


def test_disc_folders_belong_to_their_book():
    assert audiobook_folder("Author/Book/CD 2/03.mp3").as_posix() == "Author/Book"
    assert audiobook_folder("Author/Book/Part 1/Disc 1/03.mp3").as_posix() == "Author/Book"
    assert audiobook_folder("Author/Book/03.mp3").as_posix() == "Author/Book"


def test_parse_filename_command_prints_one_json_object_per_line(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Saga v2 #012 (2019).cbz\n\nBatman #5.cbz\n"))
    out = io.StringIO()
    call_command("parse_filename", "--kind", "comic", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [x["series"] for x in lines] == ["Saga", "Batman"]
    assert set(lines[0]) >= {"path", "title", "authors", "series", "series_index", "volume", "issue", "year"}
    assert lines[0]["volume"] == "2" and lines[0]["issue"] == "12" and lines[0]["year"] == 2019
