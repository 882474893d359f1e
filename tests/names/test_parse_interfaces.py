"""The name parsers' interfaces: `manage.py parse_author` (one JSON object per input line) and
`GET /api/parse/?kind=` (each parser's JSON output in the envelope, as the commands print it)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from core.authors import parse_author
from indexers.releases import parse_release
from scanning.extractors.filename import as_json, parse_path


def test_parse_author_command_reads_stdin_lines_and_writes_json_lines(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Lee, Ann, Roe, Bo\n\nURSULA K. LE GUIN\r\n"))
    out = io.StringIO()
    call_command("parse_author", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines == [
        {"display": "Ann Lee & Bo Roe", "sort": "Lee, Ann & Roe, Bo", "authors": [
            {"display": "Ann Lee", "sort": "Lee, Ann", "role": "author"},
            {"display": "Bo Roe", "sort": "Roe, Bo", "role": "author"}]},
        {"display": "Ursula K. Le Guin", "sort": "Guin, Ursula K. Le", "authors": [
            {"display": "Ursula K. Le Guin", "sort": "Guin, Ursula K. Le", "role": "author"}]},
    ]


def test_parse_author_command_takes_lines_as_arguments_too():
    out = io.StringIO()
    call_command("parse_author", "Doe, Jane", "Dr. Bo Roe Jr.", stdout=out)
    assert [json.loads(line)["sort"] for line in out.getvalue().splitlines()] == ["Doe, Jane", "Roe, Bo Jr."]


CASES = {
    "release": ("Jane Doe - The Long Road (2019) [epub]", lambda t: parse_release(t).as_dict()),
    "ebook": ("Jane Doe/The Long Road (Roads, #3).epub", lambda t: as_json(parse_path(t, "ebook"))),
    "comic": ("Lantern/Lantern 012 (2022).cbz", lambda t: as_json(parse_path(t, "comic"))),
    "audiobook": ("Jane Doe/The Long Road/01 - The Long Road.m4b", lambda t: as_json(parse_path(t, "audiobook"))),
    "author": ("Doe, Jane & Bo Roe, translated by Al Poe", parse_author),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(CASES))
def test_parse_api_answers_each_kind_with_that_parsers_output(reader_client, kind):
    text, parser = CASES[kind]
    response = reader_client.get("/api/parse/", {"title": text, "kind": kind})
    assert response.status_code == 200, response.content
    assert response.json()["data"] == json.loads(json.dumps(parser(text)))


@pytest.mark.django_db
def test_parse_api_parses_a_release_title_when_no_kind_is_given(reader_client):
    text = "Jane Doe - The Long Road (2019) [epub]"
    response = reader_client.get("/api/parse/", {"title": text})
    assert response.json()["data"] == parse_release(text).as_dict()


@pytest.mark.django_db
def test_parse_api_refuses_an_unknown_kind(reader_client):
    response = reader_client.get("/api/parse/", {"title": "Jane Doe", "kind": "poem"})
    assert response.status_code == 422 and response.json()["error_code"] == "invalid_input"


@pytest.mark.django_db
def test_parse_api_needs_a_login(client):
    assert client.get("/api/parse/", {"title": "Jane Doe", "kind": "author"}).status_code == 401


@pytest.mark.django_db
def test_parse_page_offers_every_kind(reader_client):
    response = reader_client.get("/indexers/parse/?kind=author&title=Doe%2C+Jane")
    content = response.content.decode()
    assert response.status_code == 200
    for kind in CASES:
        assert f'value="{kind}"' in content
    assert 'value="author" selected' in content and 'value="Doe, Jane"' in content
