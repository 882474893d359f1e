"""A blackhole (watch folder) client for any downloader we have no adapter for: `add` drops the
.nzb, .torrent or .magnet file into the folder that program watches, and `status` looks for
the finished download in the folder where that program puts completed downloads.

The job id is the name of the file we wrote. File names never come from a release as they
are: they are cleaned and legalised (no separators, no hidden files, at most 200 bytes).
The download is looked for under the name the other program will give it: a torrent's own
name (from its `info` dictionary or a magnet's `dn`), else the release name (usenet programs
name the job after the .nzb file). Names are compared ignoring case and punctuation.

Once the other program has taken our file, nothing in the folders tells a running download
from one we removed, so each job also leaves an empty marker in the hidden folder
`.omnireadarr-jobs` inside the watch folder (watchers look for .nzb/.torrent/.magnet files, not
into hidden folders). A job without its marker is MISSING.

A watch folder cannot pause or resume a download, and has no categories: the program behind
it decides. `remove` deletes only our own file and marker from the watch folder; with
`delete_files` also the finished download, and only when it lies inside the completed folder."""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from core.errors import BadResponse, ConfigurationError, InvalidInput, service_label
from core.http import HttpClient, HttpConfig
from core.paths import clean_value, is_inside, legalize_component, safe_join, split_extension, unique_path
from downloaders.clients.base import AddRequest, ClientSettings, ClientVersion, JobState, JobStatus

logger = logging.getLogger(__name__)
EXTENSIONS = {"nzb_url": ".nzb", "torrent_url": ".torrent", "magnet": ".magnet"}
MAX_FILE_BYTES = 10 * 1024 * 1024
JOBS_FOLDER = ".omnireadarr-jobs"
_PARTIAL = ".omnireadarr-partial"  # no watcher picks up this extension while we write
_SUFFIX = re.compile(r" \(\d+\)$")  # "Name (2)": a second file for the same release
_TORRENT_NAME = re.compile(rb"4:infod.*?4:name(\d+):", re.S)


class BlackholeClient:
    kind = "blackhole"
    label = "Blackhole (watch folder)"
    fields = ("watch_folder", "completed_folder")
    default_port = None
    protocols = ("nzb_url", "torrent_url", "magnet")
    can_pause = False
    has_categories = False

    def __init__(self, settings: ClientSettings, *, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.service = service_label("Blackhole", settings.name)
        self._transport = transport

    def close(self) -> None:
        pass

    @property
    def watch(self) -> Path:
        return self._folder(self.settings.watch_folder, "watch folder")

    @property
    def completed(self) -> Path:
        return self._folder(self.settings.completed_folder, "completed folder")

    def _folder(self, value: str, what: str) -> Path:
        if not value.strip() or not os.path.isabs(value):
            raise ConfigurationError(f"{self.service}: the {what} must be an absolute path, not {value!r}")
        path = Path(value)
        if not path.is_dir():
            raise ConfigurationError(
                f"{self.service}: the {what} {value} does not exist or is not a folder",
                hint="Create it, or give the folder the other program uses (as this server sees it).",
            )
        return path

    def test_connection(self) -> ClientVersion:
        watch, completed = self.watch, self.completed
        for folder, what, mode in ((watch, "watch folder", os.W_OK), (completed, "completed folder", os.R_OK)):
            if not os.access(folder, mode | os.X_OK):
                access = "write to" if mode == os.W_OK else "read"
                raise ConfigurationError(f"{self.service}: cannot {access} the {what} {folder}")
        return ClientVersion(self.label, "watch folder")

    def add(self, request: AddRequest) -> str:
        if request.link_kind not in self.protocols:
            raise ConfigurationError(f"{self.service}: unknown link kind {request.link_kind!r}")
        content = self._content(request)
        stem = legalize_component(clean_value(download_name(request, content)), keep_extension=False, max_bytes=200)
        jobs = self.watch / JOBS_FOLDER
        jobs.mkdir(exist_ok=True)
        name = f"{stem or 'download'}{EXTENSIONS[request.link_kind]}"
        target = unique_path(self.watch / name, lambda p: p.exists() or (jobs / p.name).exists())
        (jobs / target.name).touch()
        partial = target.with_name(f".{target.name}{_PARTIAL}")
        partial.write_bytes(content)
        os.replace(partial, target)  # the watcher sees the whole file or nothing
        logger.info("%s: wrote %s for %r", self.service, target, request.name)
        return target.name

    def _content(self, request: AddRequest) -> bytes:
        if request.link_kind == "magnet":
            if not request.url.startswith("magnet:?"):
                raise InvalidInput(f"{self.service}: not a magnet link: {request.url[:60]!r}")
            return request.url.encode() + b"\n"
        content = request.content if request.content is not None else self._fetch(request.url)
        check_content(request.link_kind, content, self.service)
        return content

    def _fetch(self, url: str) -> bytes:
        if not url.startswith(("http://", "https://")):
            raise InvalidInput(f"{self.service}: cannot fetch {url[:60]!r}: not an http(s) URL")
        config = HttpConfig(base_url="", service=self.service, timeout=self.settings.timeout, retries=1)
        with HttpClient(config, transport=self._transport) as http:
            return http.get_bytes(url, max_bytes=MAX_FILE_BYTES)

    def status(self, job_id: str) -> JobStatus:
        return self.statuses([job_id])[job_id]

    def statuses(self, job_ids: list[str]) -> dict[str, JobStatus]:
        watch, completed = self.watch, self.completed
        entries: dict[str, Path] = {}
        for path in sorted(completed.iterdir()):
            if not path.name.startswith("."):
                entries.setdefault(comparable(path.name), path)
                entries.setdefault(comparable(split_extension(path.name)[0]), path)  # "Book.epub" as "Book"
        return {job_id: self._status(job_id, watch, entries) for job_id in job_ids}

    def _status(self, job_id: str, watch: Path, entries: dict[str, Path]) -> JobStatus:
        if not _is_our_file_name(job_id) or not (watch / JOBS_FOLDER / job_id).is_file():
            return JobStatus(job_id, JobState.MISSING)
        stem, name = split_extension(job_id)[0], release_name(job_id)
        found = entries.get(comparable(stem)) or entries.get(comparable(name))
        if found is not None:
            return JobStatus(
                job_id, JobState.COMPLETED, name=name, progress=100.0, storage_path=str(found), raw_status="completed"
            )
        if (watch / job_id).exists():
            return JobStatus(job_id, JobState.QUEUED, name=name, raw_status="waiting in the watch folder")
        return JobStatus(job_id, JobState.DOWNLOADING, name=name, raw_status="picked up by the downloader")

    def remove(self, job_id: str, *, delete_files: bool = False) -> None:
        if not _is_our_file_name(job_id):
            return
        if delete_files:
            self._delete_download(job_id)
        watch_file = safe_join(self.watch, job_id)
        if watch_file.is_file():
            watch_file.unlink()
            logger.info("%s: removed %s", self.service, watch_file)
        safe_join(self.watch, f"{JOBS_FOLDER}/{job_id}").unlink(missing_ok=True)

    def _delete_download(self, job_id: str) -> None:
        storage = self.status(job_id).storage_path
        if not storage or not is_inside(storage, self.completed) or Path(storage) == self.completed:
            return
        path = Path(storage)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        logger.info("%s: deleted the download %s", self.service, path)

    def pause(self, job_id: str) -> None:
        raise ConfigurationError(f"{self.service}: a watch folder cannot pause a download")

    def resume(self, job_id: str) -> None:
        raise ConfigurationError(f"{self.service}: a watch folder cannot resume a download")

    def list_categories(self) -> list[str]:
        return []

    def create_category(self, name: str) -> None:
        """Nothing to create: a watch folder has no categories (the program behind it decides)."""

    def download_folder(self) -> str:
        return str(self.completed)


def check_content(link_kind: str, content: bytes, service: str) -> None:
    """What we write must be what it claims to be (an indexer may answer an HTML error page)."""
    if not content:
        raise BadResponse(f"{service}: the {EXTENSIONS[link_kind]} file is empty")
    if link_kind == "torrent_url" and not (content.startswith(b"d") and b"4:info" in content):
        raise BadResponse(f"{service}: this is not a .torrent file: {content[:60]!r}")
    if link_kind == "nzb_url" and b"<nzb" not in content[:4096]:
        raise BadResponse(f"{service}: this is not an .nzb file: {content[:60]!r}")


def download_name(request: AddRequest, content: bytes) -> str:
    """The name the other program will give the download (see the module docstring)."""
    if request.link_kind == "torrent_url" and (match := _TORRENT_NAME.search(content)):
        start = match.end()
        name = content[start : start + int(match.group(1))].decode("utf-8", "replace")
        return name or request.name
    if request.link_kind == "magnet":
        return parse_qs(urlsplit(request.url).query).get("dn", [request.name])[0] or request.name
    return request.name


def release_name(job_id: str) -> str:
    stem, _ = split_extension(job_id)
    return _SUFFIX.sub("", stem)


def comparable(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


def _is_our_file_name(job_id: str) -> bool:
    return (
        bool(job_id)
        and "/" not in job_id
        and "\\" not in job_id
        and not job_id.startswith(".")
        and split_extension(job_id)[1] in EXTENSIONS.values()
    )
