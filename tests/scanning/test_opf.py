"""The OPF parser against real OPF files recorded from other projects (tests/fixtures/opf)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanning.extractors.opf import parse_opf

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "opf"


def _parse(name: str):
    return parse_opf((FIXTURES / name).read_bytes())


def test_calibre_metadata_opf_sidecar():
    doc = _parse("calibre_metadata_opf2_lazylibrarian_testdata.opf")
    meta = doc.metadata
    assert meta.title == "Test Title" and [(p.name, p.file_as) for p in meta.authors] == [
        ("Bob Builder", "Builder, Bob")
    ]
    assert meta.isbn13 == "9782123456803" and ("asin", "123456789") in meta.identifiers
    assert (meta.series, meta.series_index, meta.language) == ("The Testers", 1.0, "en")
    assert meta.publisher == "Testing, Inc" and meta.year is None  # calibre's 0101 placeholder date
    assert meta.description == "This is a very exciting book!"
    assert not any(p.name.startswith("calibre") for p in meta.people)  # book producer is not a person
    assert doc.cover_href == "cover.jpg"


def test_epub3_refines_give_role_and_file_as():
    meta = _parse("abs_author_epub3_refines.opf").metadata
    assert [(p.name, p.role, p.file_as) for p in meta.people] == [("Nevil Shute", "author", "Shute, Nevil")]


@pytest.mark.parametrize(
    ("name", "series", "index"),
    [
        ("abs_series_one.opf", "Serie", 1.0),
        ("abs_series_three_in_order.opf", "Serie 1", 1.0),
        ("abs_series_odd_index_values.opf", "Serie 1", None),
        ("abs_series_empty.opf", "", None),
        ("abs_series_ns0_prefix.opf", "Serie 1", None),
    ],
)
def test_calibre_series_variants(name, series, index):
    text = (FIXTURES / name).read_text()
    meta = parse_opf(text.encode()).metadata
    assert (meta.series, meta.series_index) == (series, index)


def _package(metadata: str, manifest: str = "", guide: str = "", *, declare: str = "") -> bytes:
    return (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
        f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf"{declare}>'
        f"{metadata}</metadata><manifest>{manifest}</manifest>{guide}</package>"
    ).encode()


@pytest.mark.parametrize(
    ("creator", "declare"),
    [
        ('<dc:creator role="nrt" file-as="Lee, Ann">Ann Lee</dc:creator>', ""),
        ('<dc:creator opf:role="nrt" opf:file-as="Lee, Ann">Ann Lee</dc:creator>', ""),
        ('<dc:creator x:role=" nrt " x:file-as="Lee, Ann">Ann Lee</dc:creator>', ' xmlns:x="http://www.idpf.org/2007/opf"'),
        ('<dc:creator ns0:role="nrt" ns0:file-as="Lee, Ann">Ann Lee</dc:creator>', ""),  # undeclared: recover mode
    ],
)
def test_attribute_prefixes_do_not_matter(creator, declare):
    meta = parse_opf(_package(creator, declare=declare)).metadata
    assert [(p.name, p.role, p.file_as) for p in meta.people] == [("Ann Lee", "narrator", "Lee, Ann")]


@pytest.mark.parametrize(
    ("attributes", "role"),
    [('role="nrt" opf:role="aut"', "narrator"), ('opf:role="aut" role="nrt"', "author")],
)
def test_of_two_attributes_with_one_local_name_the_first_wins(attributes, role):
    meta = parse_opf(_package(f"<dc:creator {attributes}>Ann Lee</dc:creator>")).metadata
    assert [p.role for p in meta.people] == [role]


def test_text_is_flattened_and_whitespace_collapsed_once_per_element():
    doc = _package(
        '<dc:title id="t"> The\u00a0<i>Left</i>\n Hand </dc:title>'
        '<meta refines="#t" property="title-type">main</meta>'
        '<dc:title id="s">of\tDarkness</dc:title><meta refines="#s" property="title-type">subtitle</meta>'
    )
    meta = parse_opf(doc).metadata
    assert (meta.title, meta.subtitle) == ("The Left Hand", "of Darkness")


@pytest.mark.parametrize(
    ("manifest", "cover_meta", "href"),
    [
        ('<item id="a" href="a.jpg" media-type="image/jpeg" properties="nav cover-image"/>', "", "a.jpg"),
        (  # of two items with one id, the last
            '<item id="c" href="first.jpg" media-type="image/jpeg"/>'
            '<item id="c" href="last.jpg" media-type="image/jpeg"/>',
            "c",
            "last.jpg",
        ),
        ('<item href="no-id.png" media-type="image/png"/>', "", "no-id.png"),  # no cover meta names the id-less item
        ('<item id="c" href="page.xhtml" media-type="application/xhtml+xml"/>', "c", ""),
    ],
)
def test_manifest_cover_choice(manifest, cover_meta, href):
    metadata = "<dc:title>T</dc:title>" + (f'<meta name="cover" content="{cover_meta}"/>' if cover_meta else "")
    assert parse_opf(_package(metadata, manifest)).cover_href == href
