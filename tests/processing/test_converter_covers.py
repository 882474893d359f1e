from __future__ import annotations

import stat
from pathlib import Path

import pytest

from core.errors import ConfigurationError
from processing import covers
from processing.converters.ebook_convert import ConversionFailed, ConvertConfig, ConvertMetadata, convert
from processing.epub import read_epub_package
from tests.processing import samples


def test_real_mobi_converts_to_epub_with_metadata(tmp_path, session_mobi):
    original = session_mobi.read_bytes()
    seen: list[int] = []
    result = convert(
        session_mobi,
        tmp_path / "out.epub",
        ConvertConfig(timeout_seconds=300),
        metadata=ConvertMetadata(
            title="The Tombs of Atuan",
            authors=("Ursula K. Le Guin",),
            series="Earthsea",
            series_index="2",
            language="en",
        ),
        progress=lambda pct, msg: seen.append(pct),
    )
    meta = read_epub_package(result.output).metadata
    assert meta.title == "The Tombs of Atuan"
    assert meta.authors == ("Ursula K. Le Guin",)
    assert [(s.name, s.index) for s in meta.series] == [("Earthsea", "2")]
    assert result.output_format == "epub" and seen and max(seen) == 100
    assert session_mobi.read_bytes() == original  # the source is never modified
    assert [p.name for p in tmp_path.iterdir()] == ["out.epub"]  # no partial file left


def test_conversion_failure_is_clear_and_leaves_no_output(tmp_path):
    bad = tmp_path / "broken.mobi"
    bad.write_bytes(b"\x00" * 60 + b"BOOKMOBI" + b"\xff" * 500)
    with pytest.raises(ConversionFailed, match=r"ebook-convert failed \(exit \d+\)"):
        convert(bad, tmp_path / "out.epub", ConvertConfig(timeout_seconds=300))
    assert not (tmp_path / "out.epub").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.mobi"]


def test_missing_converter_is_a_configuration_error(tmp_path, session_mobi):
    with pytest.raises(ConfigurationError, match="ebook-convert was not found"):
        convert(session_mobi, tmp_path / "out.epub", ConvertConfig(executable="/nonexistent/ebook-convert"))


def test_conversion_timeout_stops_the_converter(tmp_path, session_mobi):
    slow = tmp_path / "slow-convert"
    slow.write_text("#!/bin/sh\necho '5% starting'\nsleep 30\n")
    slow.chmod(slow.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(ConversionFailed, match="longer than 1 s"):
        convert(session_mobi, tmp_path / "out.epub", ConvertConfig(executable=str(slow), timeout_seconds=1))


def test_converter_claiming_success_without_output_is_caught(tmp_path, session_mobi):
    liar = tmp_path / "liar-convert"
    liar.write_text("#!/bin/sh\necho '100% done'\nexit 0\n")
    liar.chmod(liar.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(ConversionFailed, match="wrote no file"):
        convert(session_mobi, tmp_path / "out.epub", ConvertConfig(executable=str(liar)))


def _candidate(source: str, width: int, height: int, label: str = "") -> covers.CoverCandidate:
    return covers.CoverCandidate(source, samples.image_bytes(width, height), label or f"{source}-{width}")


def test_cover_priority_beats_size_then_size_decides():
    choice = covers.choose_cover(
        [
            _candidate("folder", 2000, 3000),
            _candidate("embedded", 600, 900),
            _candidate("provider", 400, 600),
            _candidate("provider", 800, 1200),
        ],
        min_size=300,
    )
    assert choice.chosen is not None
    assert (choice.chosen.candidate.source, choice.chosen.width) == ("provider", 800)


def test_cover_below_minimum_and_broken_images_are_rejected_with_reasons():
    broken = covers.CoverCandidate("provider", b"\xff\xd8\xff not really a jpeg", "broken")
    choice = covers.choose_cover(
        [_candidate("provider", 100, 150, "tiny"), broken, _candidate("folder", 500, 700, "folder")],
        min_size=300,
    )
    assert choice.chosen is not None and choice.chosen.candidate.label == "folder"
    reasons = dict(choice.rejected)
    assert "too small (100x150" in reasons["tiny"]
    assert "not a readable image" in reasons["broken"]


def test_no_usable_cover_explains_itself():
    choice = covers.choose_cover([_candidate("provider", 50, 50, "tiny")], min_size=300)
    assert choice.chosen is None and "too small" in choice.explain()


def test_written_cover_is_an_rgb_jpeg(tmp_path):
    from PIL import Image

    png = covers.CoverCandidate("folder", samples.image_bytes(400, 500, fmt="PNG"), "cover.png")
    path = covers.write_cover_jpeg(covers.inspect(png, min_size=300), tmp_path / "cover.jpg")
    with Image.open(path) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (400, 500))
    assert [p.name for p in Path(tmp_path).iterdir()] == ["cover.jpg"]
