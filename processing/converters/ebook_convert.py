"""Calibre's `ebook-convert` as an adapter: frozen config in, frozen result out, never the
ORM or settings. The converted file is validated before it is handed back (it opens and
carries the metadata); a failure raises ConversionFailed with calibre's last words."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigurationError, InvalidInput, OmniError

SUPPORTED_OUTPUTS = ("epub", "azw3", "mobi", "pdf", "docx", "fb2", "txt")
_PERCENT = re.compile(r"^\s*(\d{1,3})%\s+(.*)$")


class ConversionFailed(OmniError):
    """ebook-convert ran but did not produce a usable book (permanent for this file)."""

    code = "conversion_failed"
    status = 422


@dataclass(frozen=True)
class ConvertConfig:
    executable: str = "ebook-convert"
    timeout_seconds: float = 900.0


@dataclass(frozen=True)
class ConvertMetadata:
    """Metadata handed to calibre so the converted book carries the wanted item's data."""

    title: str = ""
    authors: tuple[str, ...] = ()
    author_sort: str = ""
    series: str = ""
    series_index: str = ""
    language: str = ""
    publisher: str = ""
    isbn: str = ""


@dataclass(frozen=True)
class ConversionResult:
    source: Path
    output: Path
    output_format: str
    seconds: float
    title: str  # read back from the output (EPUB) or the requested title


def find_executable(config: ConvertConfig) -> str:
    found = shutil.which(config.executable)
    if not found:
        raise ConfigurationError(
            f"Calibre's ebook-convert was not found ({config.executable!r})",
            hint="apt-get install calibre, or set OMNI_EBOOK_CONVERT to its path.",
        )
    return found


def _metadata_args(meta: ConvertMetadata | None) -> list[str]:
    if meta is None:
        return []
    pairs = [
        ("--title", meta.title),
        ("--authors", " & ".join(a.replace("&", "&&") for a in meta.authors)),
        ("--author-sort", meta.author_sort),
        ("--series", meta.series),
        ("--series-index", meta.series_index),
        ("--language", meta.language),
        ("--publisher", meta.publisher),
        ("--isbn", meta.isbn),
    ]
    return [arg for flag, value in pairs if value for arg in (flag, value)]


def calibre_env() -> dict[str, str]:
    """Headless calibre: no display, and QtWebEngine (PDF output) may run as root."""
    env = dict(os.environ)
    env.update({"QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1"})
    return env


def convert(
    source: Path,
    output: Path,
    config: ConvertConfig,
    *,
    metadata: ConvertMetadata | None = None,
    progress: Callable[[int, str], None] | None = None,
    options: tuple[str, ...] = (),
) -> ConversionResult:
    """Convert `source` into `output` (format from its extension), with calibre `options`
    (e.g. ("--epub-version", "3")). The source is never modified; `output` appears only if
    the conversion succeeded and validated."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in SUPPORTED_OUTPUTS:
        raise InvalidInput(f"Cannot convert to {fmt!r}", hint=f"Supported: {', '.join(SUPPORTED_OUTPUTS)}")
    if not source.is_file():
        raise InvalidInput(f"Nothing to convert: {source} is not a file")
    executable = find_executable(config)
    partial = output.with_name(f".{output.stem}.converting.{fmt}")
    partial.unlink(missing_ok=True)
    started = time.monotonic()
    try:
        _run(
            [executable, str(source), str(partial), *_metadata_args(metadata), *options],
            config.timeout_seconds,
            progress,
        )
        title = validate_output(partial, fmt, expected_title=metadata.title if metadata else "")
        partial.replace(output)
        if progress is not None:
            progress(100, "converted and validated")
    finally:
        partial.unlink(missing_ok=True)
    return ConversionResult(source, output, fmt, round(time.monotonic() - started, 2), title)


def _run(args: list[str], timeout: float, progress: Callable[[int, str], None] | None) -> None:
    proc = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=calibre_env(),
        text=True,
        errors="replace",
        start_new_session=True,  # its own process group: a timeout kills calibre's workers too
    )
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        _kill_group(proc)

    timer = threading.Timer(timeout, kill)
    timer.start()
    tail: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            tail = [*tail[-19:], line.rstrip()]
            match = _PERCENT.match(line)
            if match and progress is not None:
                progress(min(100, int(match.group(1))), match.group(2).strip())
        proc.wait()
    finally:
        timer.cancel()
        if proc.poll() is None:
            _kill_group(proc)
            proc.wait()
    if timed_out.is_set():
        raise ConversionFailed(
            f"ebook-convert took longer than {timeout:.0f} s and was stopped",
            hint="Raise the conversion timeout or check the file.",
        )
    if proc.returncode != 0:
        last = next((ln for ln in reversed(tail) if ln.strip()), "no output")
        raise ConversionFailed(
            f"ebook-convert failed (exit {proc.returncode}): {last[:300]}", details={"output_tail": tail}
        )


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill calibre and the worker processes it started (they share its session)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def validate_output(path: Path, fmt: str, *, expected_title: str = "") -> str:
    """The converted file must exist, open as its format and (EPUB) carry a title."""
    if not path.is_file() or path.stat().st_size == 0:
        raise ConversionFailed("ebook-convert reported success but wrote no file")
    if fmt == "epub":
        title = _epub_title(path)
        if not title:
            raise ConversionFailed("The converted EPUB has no title in its metadata")
        if expected_title and title != expected_title:
            raise ConversionFailed(f"The converted EPUB has title {title!r}, expected {expected_title!r}")
        return title
    with path.open("rb") as output:
        head = output.read(68)
    if fmt in ("azw3", "mobi") and head[60:68] != b"BOOKMOBI":
        raise ConversionFailed(f"The converted {fmt.upper()} is not a MOBI container")
    if fmt == "pdf" and not head.startswith(b"%PDF"):
        raise ConversionFailed("The converted PDF does not start with %PDF")
    return expected_title


def _epub_title(path: Path) -> str:
    from processing.epub import read_epub_package

    try:
        return read_epub_package(path).metadata.title
    except (zipfile.BadZipFile, InvalidInput, KeyError) as exc:
        raise ConversionFailed(f"The converted EPUB does not open: {exc}") from exc
