"""Safe paths: hostile titles, byte limits, NFC, collisions, joins that stay inside."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

from core.errors import InvalidInput
from core.naming import SAMPLE_CONTEXT, render
from core.paths import (
    case_key,
    clean_value,
    legalize_component,
    safe_join,
    truncate_utf8,
    unique_path,
    with_suffix_number,
)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("../../etc/passwd", "_-..-etc-passwd.epub"),
        ("Title: Subtitle", "Title - Subtitle.epub"),
        ("What?", "What_.epub"),
        ('A <b> "q" | star*', "A _b_ _q_ _ star_.epub"),
        ("Ends with dots...", "Ends with dots.epub"),
        ("trailing space   ", "trailing space.epub"),
        ("tab\tand\nnewline\x07bell", "tab and newlinebell.epub"),
        ("CON", "_CON.epub"),
        (".hidden", "_hidden.epub"),
        ("AC/DC", "AC-DC.epub"),
        ("back\\slash", "back-slash.epub"),
    ],
)
def test_hostile_titles_become_one_safe_file_name(title, expected):
    path = render("${title}.${ext}", replace(SAMPLE_CONTEXT, title=title))
    assert len(path.parts) == 1
    assert str(path) == expected


def test_title_with_slashes_never_creates_folders_or_escapes(tmp_path):
    rel = render(
        "${author}/${title}.${ext}", replace(SAMPLE_CONTEXT, title="../../../tmp/evil", authors=("..",))
    )
    assert ".." not in rel.parts
    joined = safe_join(tmp_path, rel)
    assert joined.resolve().is_relative_to(tmp_path.resolve())


def test_300_byte_cjk_name_is_cut_to_255_bytes_keeping_the_extension():
    title = "漢字" * 50  # 300 bytes in UTF-8
    name = str(render("${title}.${ext}", replace(SAMPLE_CONTEXT, title=title, ext="epub")))
    assert len(name.encode()) <= 255
    assert name.endswith(".epub")
    assert name.startswith("漢字漢字")
    name.encode("utf-8").decode("utf-8")  # no split character


def test_truncation_never_leaves_a_dangling_combining_mark():
    text = "e\u0301" * 200  # NFD: will be NFC'd by legalize, check raw truncation too
    cut = truncate_utf8(text, 101)
    assert not unicodedata.combining(cut[-1])
    assert len(cut.encode()) <= 101


def test_nfd_input_is_normalised_to_nfc():
    nfd = unicodedata.normalize("NFD", "Émile Zola – Thérèse Raquin")  # noqa: RUF001
    name = str(render("${title}", replace(SAMPLE_CONTEXT, title=nfd)))
    assert name == unicodedata.normalize("NFC", "Émile Zola – Thérèse Raquin.epub")  # noqa: RUF001
    assert unicodedata.is_normalized("NFC", name)


def test_case_key_detects_collisions_across_case_and_normalisation():
    assert case_key("Dune.EPUB") == case_key("dune.epub")
    assert case_key(unicodedata.normalize("NFD", "Émile")) == case_key("émile")


def test_suffixes_keep_extension_and_byte_limit(tmp_path):
    assert with_suffix_number(Path("a/Title.epub"), 1) == Path("a/Title (1).epub")
    assert with_suffix_number(Path("a/Title (1).epub"), 2) == Path("a/Title (2).epub")
    long = Path("x" * 250 + ".epub")
    assert len(with_suffix_number(long, 12).name.encode()) <= 255
    (tmp_path / "T.epub").write_text("a")
    (tmp_path / "T (1).epub").write_text("b")
    assert unique_path(tmp_path / "T.epub", lambda p: p.exists()).name == "T (2).epub"


@pytest.mark.parametrize("relative", ["../x", "/etc/passwd", "a/../../b", "", "a//b", "C:/x", "a/./b"])
def test_safe_join_rejects_escapes(tmp_path, relative):
    with pytest.raises(InvalidInput):
        safe_join(tmp_path, relative)


def test_safe_join_refuses_a_symlink_pointing_outside(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(InvalidInput):
        safe_join(root, "link/outside.epub")


def test_clean_value_and_component_basics():
    assert clean_value(None) == ""
    assert clean_value("  a \x00 b/c ") == "a b-c"
    assert legalize_component("...") == ""
    assert legalize_component("name.", keep_extension=False) == "name"
