"""Settings > Media management's "Test conversion": the real converter of a kind run on a tiny
sample made here, in a throw-away folder, so a missing or broken tool shows before an import
needs it. Ebooks: Calibre's ebook-convert turns a small text file into the kind's target
(EPUB when none is set: what "Convert and import" uses). Comics: a small solid RAR (written
here, stored, RAR 4 format) is repacked as a CBZ by processing.comics, which extracts a solid
archive with the RAR tool itself, so the tool really runs. Audiobooks have no converter.

Frozen config in, frozen result out; no ORM, no settings, never a library path."""

from __future__ import annotations

import struct
import subprocess
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import OmniError
from processing import comics
from processing.converters import ebook_convert

SAMPLE_TITLE = "OmniReadarr conversion test"
VERSION_SECONDS = 30


@dataclass(frozen=True)
class CheckConfig:
    kind: str
    target: str  # the kind's conversion target ("none" tests the default: EPUB / CBZ)
    work_dir: Path  # a folder of the data dir; the sample lives in a temporary folder inside it
    ebook_convert: ebook_convert.ConvertConfig = field(default_factory=lambda: ebook_convert.ConvertConfig(
        timeout_seconds=180))
    rar_tools: comics.RarTools = field(default_factory=comics.RarTools)


@dataclass(frozen=True)
class CheckResult:
    kind: str
    target: str  # the format the test converted into ("" when nothing was run)
    ok: bool
    tool: str = ""  # the program that ran: ebook-convert, unrar, unar, bsdtar
    version: str = ""
    seconds: float = 0.0  # the conversion itself
    message: str = ""
    hint: str = ""


def run_check(config: CheckConfig) -> CheckResult:
    if config.kind == "ebook":
        return _check_ebook(config)
    if config.kind == "comic":
        return _check_comic(config)
    return CheckResult(
        config.kind, "", ok=False, message="Audiobooks are filed as downloaded: there is no conversion tool to test."
    )


def _failed(config: CheckConfig, target: str, exc: OmniError, tool: str = "", version: str = "") -> CheckResult:
    return CheckResult(config.kind, target, False, tool, version, message=exc.message, hint=exc.hint or "")


# --- ebooks -------------------------------------------------------------------------------------


def _check_ebook(config: CheckConfig) -> CheckResult:
    target = config.target if config.target in ebook_convert.SUPPORTED_OUTPUTS else "epub"
    try:
        executable = ebook_convert.find_executable(config.ebook_convert)
    except OmniError as exc:
        return _failed(config, target, exc, "ebook-convert")
    version = _version([executable, "--version"], env=ebook_convert.calibre_env())
    config.work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=config.work_dir, prefix="conversion-test-") as folder:
        source = Path(folder) / "sample.txt"
        source.write_text(f"{SAMPLE_TITLE}\n\nA tiny sample made to test the ebook converter.\n", encoding="utf-8")
        metadata = ebook_convert.ConvertMetadata(title=SAMPLE_TITLE, authors=("OmniReadarr",))
        try:
            result = ebook_convert.convert(source, Path(folder) / f"sample.{target}", config.ebook_convert,
                                           metadata=metadata)
        except OmniError as exc:
            return _failed(config, target, exc, "ebook-convert", version)
    note = "" if config.target == target else " (no automatic conversion is set; EPUB is what Convert and import uses)"
    return CheckResult(config.kind, target, True, "ebook-convert", version, result.seconds,
                       f"Converted a sample to {target.upper()} in {result.seconds:.1f} s{note}.")


# --- comics -------------------------------------------------------------------------------------


def _check_comic(config: CheckConfig) -> CheckResult:
    try:
        tool, executable = comics._choose_tool(config.rar_tools)
    except OmniError as exc:
        return _failed(config, "cbz", exc, "unrar")
    version = _version([executable, *_VERSION_ARGS[tool]])
    config.work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=config.work_dir, prefix="conversion-test-") as folder:
        # bsdtar (libarchive) cannot extract a solid RAR 4 archive: it gets a plain one
        source = write_sample_cbr(Path(folder) / "sample.cbr", solid=tool != "bsdtar")
        started = time.monotonic()
        try:
            result = comics.repack_cbr(source, Path(folder) / "sample.cbz", tools=config.rar_tools)
        except OmniError as exc:
            return _failed(config, "cbz", exc, tool, version)
        seconds = round(time.monotonic() - started, 2)
    note = "" if config.target == "cbz" else " (repacking is off for comics; this is what it would do)"
    message = f"Repacked a sample CBR ({result.pages} pages) as CBZ with {result.tool} in {seconds:.2f} s{note}."
    return CheckResult(config.kind, "cbz", True, result.tool, version, seconds, message)


_VERSION_ARGS = {"unrar": [], "unar": ["-v"], "bsdtar": ["--version"]}


def _version(command: list[str], env: dict[str, str] | None = None) -> str:
    """The tool's own first line about its version ('' when it says nothing usable)."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace", env=env,
                              stdin=subprocess.DEVNULL, timeout=VERSION_SECONDS, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = [line.strip() for line in (done.stdout + "\n" + done.stderr).splitlines() if line.strip()]
    return lines[0][:200] if lines else ""


# --- the sample comic ---------------------------------------------------------------------------

_PNG = (  # a 1x1 grey PNG page
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
    b"\x00\x00\x00\nIDATx\x9cc\xb8\x07\x00\x01\x01\x00\xc1\x0b\x8a\x10\x00\x00\x00\x00IEND\xaeB`\x82"
)
_COMICINFO = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<ComicInfo><Series>Conversion test</Series>'
    b"<Number>1</Number><Writer>OmniReadarr</Writer></ComicInfo>\n"
)
_MAIN_SOLID, _FILE_SOLID, _LONG_BLOCK = 0x0008, 0x0010, 0x8000


def _block(kind: int, flags: int, body: bytes) -> bytes:
    header = struct.pack("<BHH", kind, flags, 7 + len(body)) + body
    return struct.pack("<H", zlib.crc32(header) & 0xFFFF) + header


def _file_block(name: str, data: bytes, *, solid: bool) -> bytes:
    encoded = name.encode()
    dos_time = (2026 - 1980) << 25 | 1 << 21 | 1 << 16  # 2026-01-01 00:00
    body = struct.pack(
        "<IIBIIBBHI", len(data), len(data), 3, zlib.crc32(data), dos_time, 20, 0x30, len(encoded), 0o100644
    ) + encoded
    return _block(0x74, _LONG_BLOCK | (_FILE_SOLID if solid else 0), body) + data


def write_sample_cbr(path: Path, *, solid: bool = True) -> Path:
    """A RAR 4 archive (solid unless asked), members stored: two pages and a ComicInfo.xml."""
    members = [("page1.png", _PNG), ("page2.png", _PNG), ("ComicInfo.xml", _COMICINFO)]
    parts = [b"Rar!\x1a\x07\x00", _block(0x73, _MAIN_SOLID if solid else 0, b"\x00" * 6)]
    parts += [_file_block(name, data, solid=solid and index > 0) for index, (name, data) in enumerate(members)]
    parts.append(_block(0x7B, 0x4000, b""))
    path.write_bytes(b"".join(parts))
    return path

