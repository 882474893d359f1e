from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from core.errors import InvalidInput
from processing.converters.ebook_convert import calibre_env
from processing.opf import OpfCreator, OpfMetadata, OpfSeries, build_opf, parse_opf, write_opf
from tests.processing import samples

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "opf"
CALIBRE_READER = """
import json, os, sys
from calibre.ebooks.metadata.opf2 import OPF
path = sys.argv[-1]
opf = OPF(open(path, 'rb'), basedir=os.path.dirname(path))
mi = opf.to_book_metadata()
print(json.dumps({"title": mi.title, "authors": mi.authors, "author_sort": mi.author_sort,
    "identifiers": mi.get_identifiers(), "series": mi.series, "series_index": mi.series_index,
    "languages": mi.languages, "publisher": mi.publisher,
    "pubdate": mi.pubdate.isoformat() if mi.pubdate else None,
    "comments": mi.comments, "tags": sorted(mi.tags), "cover": opf.cover}))
"""

DESCRIPTION = "<p>Ged & the <b>shadow</b> — 魔法使いの少年, «Ἀρχή» & 5 < 6</p>"
FULL = OpfMetadata(
    title="A Wizard of Earthsea & <Other> 物語",
    creators=(
        OpfCreator("Ursula K. Le Guin", "Le Guin, Ursula K.", "author"),
        OpfCreator("Фёдор Достоевский", "Достоевский, Фёдор", "author"),
        OpfCreator("Kobna Holdbrook-Smith", "", "narrator"),
    ),
    identifiers=(("isbn", "9780547773742"), ("google", "ab&c<1>"), ("amazon", "B008X1B5DM")),
    series=(OpfSeries("Earthsea & Co", "2.5"),),
    language="en",
    publisher="Parnassus & <Sons>",
    date="1968-11-01",
    description=DESCRIPTION,
    subjects=("Fantasy & Magic", "ファンタジー"),
    cover_href="cover.jpg",
)


def calibre_read(opf_path: Path) -> dict:
    if not shutil.which("calibre-debug"):
        pytest.skip("calibre-debug not installed")
    script = opf_path.parent / "read_opf.py"
    script.write_text(CALIBRE_READER)
    out = subprocess.run(
        ["calibre-debug", str(script), str(opf_path)],
        capture_output=True,
        text=True,
        env=calibre_env(),
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_written_opf_round_trips_every_field_through_calibre(tmp_path):
    (tmp_path / "cover.jpg").write_bytes(samples.image_bytes())
    opf_path = write_opf(tmp_path / "metadata.opf", FULL, unique_id=("omnireadarr", "42"))

    read = calibre_read(opf_path)

    assert read["title"] == FULL.title
    assert read["authors"] == ["Ursula K. Le Guin", "Фёдор Достоевский"]  # the narrator is not an author
    assert read["author_sort"] == "Le Guin, Ursula K. & Достоевский, Фёдор"
    assert read["identifiers"] == {
        "omnireadarr": "42",
        "isbn": "9780547773742",
        "google": "ab&c<1>",
        "amazon": "B008X1B5DM",
    }
    assert (read["series"], read["series_index"]) == ("Earthsea & Co", 2.5)
    assert read["languages"] == ["eng"]
    assert read["publisher"] == "Parnassus & <Sons>"
    assert read["pubdate"].startswith("1968-11-01")
    assert read["comments"] == DESCRIPTION
    assert read["tags"] == sorted(FULL.subjects)
    assert read["cover"] == str(tmp_path / "cover.jpg")


def test_ebook_meta_reads_the_sidecar(tmp_path):
    (tmp_path / "cover.jpg").write_bytes(samples.image_bytes())
    opf_path = write_opf(tmp_path / "metadata.opf", FULL)
    out = subprocess.run(
        ["ebook-meta", str(opf_path)],
        capture_output=True,
        text=True,
        env=calibre_env(),
        timeout=120,
        check=True,
    ).stdout
    assert "A Wizard of Earthsea & <Other> 物語" in out
    assert "Earthsea & Co #2.5" in out


def test_description_is_escaped_exactly_once():
    raw = build_opf(FULL).decode("utf-8")
    assert "&lt;p&gt;Ged &amp; the &lt;b&gt;shadow&lt;/b&gt;" in raw
    assert "&amp;lt;" not in raw and "&amp;amp;" not in raw
    assert parse_opf(raw.encode()).description == DESCRIPTION


def test_own_writer_and_parser_agree():
    parsed = parse_opf(build_opf(FULL, unique_id=("omnireadarr", "42")))
    assert parsed.title == FULL.title
    assert parsed.creators == FULL.creators
    assert parsed.identifier("omnireadarr") == "42"
    assert dict(parsed.identifiers)["google"] == "ab&c<1>"
    assert parsed.series == FULL.series
    assert (parsed.language, parsed.publisher, parsed.date) == ("en", FULL.publisher, "1968-11-01")
    assert parsed.subjects == FULL.subjects
    assert parsed.cover_href == "cover.jpg"


def test_control_characters_are_dropped_not_written_as_invalid_xml():
    meta = OpfMetadata(title="Bad\x00Title\x07 here", description="a\x1bb")
    parsed = parse_opf(build_opf(meta))
    assert (parsed.title, parsed.description) == ("BadTitle here", "ab")


def test_opf_is_not_written_before_its_cover_exists(tmp_path):
    with pytest.raises(InvalidInput, match="cover"):
        write_opf(tmp_path / "metadata.opf", FULL)
    assert not (tmp_path / "metadata.opf").exists()


def test_parses_calibre_opf_fixture():
    meta = parse_opf((FIXTURES / "calibre_metadata_opf2_lazylibrarian_testdata.opf").read_bytes())
    assert meta.title == "Test Title"
    assert meta.creators == (OpfCreator("Bob Builder", "Builder, Bob", "author"),)  # calibre bkp dropped
    assert meta.identifier("isbn") == "9782123456803"
    assert meta.identifier("amazon") == "123456789"
    assert meta.identifier("uuid") == "b38ccc25-2b81-4b20-90cd-7e834c466340"
    assert meta.series == (OpfSeries("The Testers", "1"),)
    assert meta.description == "<div>\n<p>This is a very exciting book!</p></div>"
    assert (meta.language, meta.publisher, meta.title_sort) == ("eng", "Testing, Inc", "Test Title")
    assert meta.cover_href == "cover.jpg"


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("abs_series_one.opf", [("Serie", "1")]),
        ("abs_series_three_in_order.opf", [("Serie 1", "1"), ("Serie 2", "2"), ("Serie 3", "3")]),
        ("abs_series_messed_order.opf", [("Serie 1", "1"), ("Serie 3", None)]),
        ("abs_series_odd_index_values.opf", [("Serie 1", None), ("Serie 2", "abc"), ("Serie 3", None)]),
        ("abs_series_empty.opf", []),
        ("abs_series_ns0_prefix.opf", [("Serie 1", None)]),
        ("abs_series_index_not_adjacent.opf", [("Serie 1", "1")]),
    ],
)
def test_series_pairs_follow_document_order(fixture, expected):
    meta = parse_opf((FIXTURES / fixture).read_bytes())
    assert [(s.name, s.index) for s in meta.series] == expected


def test_epub3_refines_give_role_and_file_as():
    meta = parse_opf((FIXTURES / "abs_author_epub3_refines.opf").read_bytes())
    assert meta.creators == (OpfCreator("Nevil Shute", "Shute, Nevil", "author"),)


@pytest.mark.parametrize("garbage", [b"", b"not xml at all", b"<html><body>hi</body></html>"])
def test_garbage_is_a_clear_error(garbage):
    with pytest.raises(InvalidInput, match="Not an OPF"):
        parse_opf(garbage)


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<package xmlns="http://www.idpf.org/2007/opf"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:title>&x;</dc:title></metadata></package>"
    ).encode()
    assert "TOPSECRET" not in parse_opf(doc).title
