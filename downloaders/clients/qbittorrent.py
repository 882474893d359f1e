"""qBittorrent's Web API v2 (`<url><base>/api/v2/...`), built against qbittorrent-nox 4.5.2
and the wiki page "WebUI API (qBittorrent 4.1)".

Facts that shape it (checked on the real 4.5.2): `auth/login` answers 200 "Ok." with a SID
cookie, or 200 "Fails." for wrong credentials, and 403 once the IP is banned after too many
failures; every other call without the cookie answers 403 "Forbidden". `torrents/add`
answers "Ok." or "Fails." (also for a torrent it already has) and never the hash, so the job
id is computed from the magnet or the .torrent file; an http(s) URL qBittorrent fetches
itself is found again through a unique tag. Unknown categories are created by the add."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

import httpx

from core.errors import AuthenticationFailed, BadResponse, ConfigurationError, NotFound, service_label
from core.http import HttpClient, HttpConfig
from downloaders.clients.base import AddRequest, ClientSettings, ClientVersion, JobState, JobStatus
from downloaders.clients.torrentfiles import info_hash_of_magnet, info_hash_of_torrent

logger = logging.getLogger(__name__)
_QUEUED = {"queuedDL", "pausedDL", "checkingDL", "checkingResumeData", "allocating"}
_COMPLETE = {"uploading", "stalledUP", "queuedUP", "pausedUP", "forcedUP", "checkingUP"}
_PAUSED = {"pausedUP", "pausedDL"}
_FAILED = {"error", "missingFiles"}
_NO_ETA = 8640000  # qBittorrent's "infinity"
LISTED_WAIT_SECONDS = 5.0
TAG_WAIT_SECONDS = 15.0  # how long an http .torrent URL may take to show up after the add


class QbittorrentClient:
    kind = "qbittorrent"
    label = "qBittorrent"
    protocols = ("torrent_url", "magnet")
    fields = ("url", "username", "password")
    default_port = 8080

    def __init__(self, settings: ClientSettings, *, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.service = service_label("qBittorrent", settings.name)
        self._http = HttpClient(
            HttpConfig(
                base_url=settings.base_url,
                service=self.service,
                timeout=settings.timeout,
                retries=1,
                verify_ssl=settings.verify_ssl,
            ),
            transport=transport,
        )
        self._logged_in = False

    def close(self) -> None:
        self._http.close()

    # --- transport ------------------------------------------------------------------------
    def login(self) -> None:
        try:
            response = self._http.request(
                "POST",
                "/api/v2/auth/login",
                data={"username": self.settings.username, "password": self.settings.password},
            )
        except AuthenticationFailed as exc:  # 403: banned after too many failed logins
            raise AuthenticationFailed(
                f"{self.service}: login refused (HTTP 403): this address is banned after failed logins",
                hint="Wait for the ban to end (Options > Web UI > ban duration) or restart qBittorrent, "
                "then check the username and password.",
            ) from exc
        if response.text.strip() != "Ok.":
            raise AuthenticationFailed(
                f"{self.service}: wrong username or password (login answered {response.text.strip()[:40]!r})",
                hint="Use the Web UI's credentials: qBittorrent Options > Web UI > Authentication.",
            )
        self._logged_in = True

    def call(self, method: str, endpoint: str, **kwargs: Any) -> httpx.Response:
        """One API call, logged in; a 403 (expired session) logs in again once."""
        if not self._logged_in:
            self.login()
        try:
            return self._http.request(method, f"/api/v2/{endpoint}", **kwargs)
        except AuthenticationFailed:
            self.login()
            return self._http.request(method, f"/api/v2/{endpoint}", **kwargs)

    def json(self, endpoint: str, **params: Any) -> Any:
        response = self.call("GET", endpoint, params=params)
        try:
            return response.json()
        except ValueError as exc:
            raise BadResponse(f"{self.service}: {endpoint} did not answer JSON: {response.text[:100]!r}") from exc

    # --- the DownloadClient protocol --------------------------------------------------------
    def test_connection(self) -> ClientVersion:
        version = self.call("GET", "app/version").text.strip()
        if not version:
            raise BadResponse(f"{self.service}: app/version gave no version")
        return ClientVersion("qBittorrent", version.removeprefix("v"))

    def add(self, request: AddRequest) -> str:
        if request.link_kind not in self.protocols and request.content is None:
            raise ConfigurationError(f"{self.service} downloads torrents only, not {request.link_kind} links")
        data = {"paused": "true" if self.settings.add_paused else "false"}
        if category := self.settings.category_for(request.kind):
            data["category"] = category
        files = None
        tag = ""
        if request.content is not None:
            job_id = info_hash_of_torrent(request.content)
            files = {"torrents": (f"{job_id}.torrent", request.content, "application/x-bittorrent")}
        elif request.link_kind == "magnet":
            job_id = info_hash_of_magnet(request.url)
            data["urls"] = request.url
        else:
            job_id, tag = "", f"omnireadarr-{secrets.token_hex(6)}"
            data.update(urls=request.url, tags=tag)
        answer = self.call("POST", "torrents/add", data=data, files=files).text.strip()
        if answer != "Ok." and not (job_id and self._has(job_id)):  # "Fails." for one it already has
            raise BadResponse(f"{self.service}: torrents/add refused {request.name!r}: {answer[:80]!r}")
        if tag:
            job_id = self._find_by_tag(tag, request)
        else:
            self._wait_until_listed(job_id)
        logger.info("%s: added %r as %s (category %s)", self.service, request.name, job_id, data.get("category"))
        return job_id

    def _has(self, job_id: str) -> bool:
        return bool(self.json("torrents/info", hashes=job_id))

    def _wait_until_listed(self, job_id: str) -> None:
        """qBittorrent answers "Ok." before the torrent is in its list: wait (briefly) so that the
        id we return is one status() knows. A magnet still fetching its metadata is listed at once."""
        deadline = time.monotonic() + LISTED_WAIT_SECONDS
        while not self._has(job_id):
            if time.monotonic() > deadline:
                logger.warning("%s: %s is not listed yet after the add", self.service, job_id)
                return
            time.sleep(0.1)

    def _find_by_tag(self, tag: str, request: AddRequest) -> str:
        """qBittorrent fetches an http .torrent URL itself, after answering: wait for it to appear."""
        deadline = time.monotonic() + TAG_WAIT_SECONDS
        try:
            while True:
                rows = self.json("torrents/info", tag=tag)
                if rows:
                    return str(rows[0]["hash"]).lower()
                if time.monotonic() > deadline:
                    raise BadResponse(
                        f"{self.service}: {request.name!r} did not appear after the add: "
                        "qBittorrent could not fetch or read the .torrent URL",
                        hint="Check that qBittorrent can reach the indexer's download link.",
                    )
                time.sleep(0.2)
        finally:
            self.call("POST", "torrents/deleteTags", data={"tags": tag})

    def status(self, job_id: str) -> JobStatus:
        return self.statuses([job_id])[job_id]

    def statuses(self, job_ids: list[str]) -> dict[str, JobStatus]:
        wanted = [j.lower() for j in job_ids]
        rows = self.json("torrents/info", hashes="|".join(wanted)) if wanted else []
        if not isinstance(rows, list):
            raise BadResponse(f"{self.service}: torrents/info did not answer a list")
        found = {str(row.get("hash", "")).lower(): torrent_status(row) for row in rows if isinstance(row, dict)}
        return {j: found.get(j.lower(), JobStatus(j, JobState.MISSING)) for j in job_ids}

    def remove(self, job_id: str, *, delete_files: bool = False) -> None:
        flag = "true" if delete_files else "false"
        self.call("POST", "torrents/delete", data={"hashes": job_id.lower(), "deleteFiles": flag})
        logger.info("%s: removed %s (files %s)", self.service, job_id, "deleted" if delete_files else "kept")

    def pause(self, job_id: str) -> None:
        self._pause_or_resume(job_id, "pause", "stop")

    def resume(self, job_id: str) -> None:
        self._pause_or_resume(job_id, "resume", "start")

    def _pause_or_resume(self, job_id: str, old: str, new: str) -> None:
        """4.x has torrents/pause and /resume; 5.0 (Web API 2.11) renamed them stop and start."""
        try:
            self.call("POST", f"torrents/{old}", data={"hashes": job_id.lower()})
        except NotFound:
            self.call("POST", f"torrents/{new}", data={"hashes": job_id.lower()})

    def list_categories(self) -> list[str]:
        data = self.json("torrents/categories")
        if not isinstance(data, dict):
            raise BadResponse(f"{self.service}: torrents/categories did not answer an object")
        return sorted(data)

    def create_category(self, name: str) -> None:
        if name in self.list_categories():
            return
        self.call("POST", "torrents/createCategory", data={"category": name, "savePath": ""})

    def download_folder(self) -> str:
        prefs = self.json("app/preferences")
        folder = str(prefs.get("save_path") or "") if isinstance(prefs, dict) else ""
        if not folder:
            raise BadResponse(f"{self.service}: app/preferences has no save_path")
        return folder


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _eta(seconds: Any) -> str:
    value = _number(seconds)
    if value is None or value < 0 or value >= _NO_ETA:
        return ""
    value = int(value)
    return f"{value // 3600}:{value % 3600 // 60:02d}:{value % 60:02d}"


def _state(raw: str) -> str:
    if raw in _COMPLETE:
        return JobState.COMPLETED
    if raw in _FAILED:
        return JobState.FAILED
    if raw == "moving":
        return JobState.POST_PROCESSING
    return JobState.QUEUED if raw in _QUEUED else JobState.DOWNLOADING


def _storage_path(row: dict) -> str:
    content = str(row.get("content_path") or "")
    if content:
        return content
    save, name = str(row.get("save_path") or ""), str(row.get("name") or "")
    return f"{save.rstrip('/')}/{name}" if save and name else ""


def torrent_status(row: dict) -> JobStatus:
    """One `torrents/info` row as a JobStatus: complete (seeding or paused) torrents report
    their content path, ratio and seeding time."""
    raw = str(row.get("state") or "")
    state = _state(raw)
    size = _number(row.get("size"))
    seeding_time = _number(row.get("seeding_time"))
    return JobStatus(
        job_id=str(row.get("hash") or "").lower(),
        state=state,
        name=str(row.get("name") or ""),
        progress=max(0.0, min(100.0, (_number(row.get("progress")) or 0.0) * 100)),
        size_bytes=int(size) if size and size > 0 else None,
        left_bytes=int(_number(row.get("amount_left")) or 0),
        time_left=_eta(row.get("eta")) if state != JobState.COMPLETED else "",
        storage_path=_storage_path(row) if state == JobState.COMPLETED else "",
        fail_message=f"qBittorrent reports the torrent as {raw}" if state == JobState.FAILED else "",
        raw_status=raw,
        category=str(row.get("category") or ""),
        seeding=state == JobState.COMPLETED and raw not in _PAUSED,
        ratio=_number(row.get("ratio")),
        seeding_seconds=int(seeding_time) if seeding_time is not None else None,
    )
