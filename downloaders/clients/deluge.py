"""Deluge's Web JSON-RPC (`<url><base>/json`, base "/" and port 8112 by default), built
against deluge-web and deluged 2.0.3.

Facts that shape it (checked against the real programs): `auth.login` answers `false` for a
wrong password (HTTP 200) and sets a session cookie; any other call without it is refused
with error code 1; the web UI is a proxy that must itself be connected to a daemon from its
host list (`web.connect`), and while that daemon is down `core.*` calls never answer, so
`web.connected` is asked first; labels come from the Label plugin (`label.*` is an unknown
method without it) and are lower-case `[a-z0-9_-.]`; adding a torrent already in the session
is an error that names its hash."""

from __future__ import annotations

import base64
import itertools
import logging
import re
from typing import Any

import httpx

from core.errors import (
    AuthenticationFailed,
    BadResponse,
    ConfigurationError,
    NotFound,
    OmniError,
    ServiceUnavailable,
    service_label,
)
from core.http import HttpClient, HttpConfig
from downloaders.clients.base import AddRequest, ClientSettings, ClientVersion, JobState, JobStatus
from downloaders.clients.torrent_common import client_path, eta_text, int_or_none, ratio_or_none

logger = logging.getLogger(__name__)
NOT_AUTHENTICATED, UNKNOWN_METHOD = 1, 2
STATUS_KEYS = [
    "name",
    "state",
    "progress",
    "save_path",
    "ratio",
    "seeding_time",
    "message",
    "total_wanted",
    "total_done",
    "eta",
    "label",
]
_FAILURE = re.compile(r"<class '(?:[\w.]+\.)?(\w+)'>: (.*?)(?:\nTraceback|\n\]|\Z)", re.S)
_DUPLICATE = re.compile(r"already in session \(([0-9a-fA-F]{40})\)")
_VALID_LABEL = re.compile(r"[a-z0-9_\-.]+\Z")
_QUEUED_STATES = {"Queued", "Checking", "Allocating", "Paused"}


class DelugeClient:
    kind = "deluge"
    label = "Deluge"
    fields = ("url", "password")
    default_port = 8112
    protocols = ("torrent_url", "magnet")

    def __init__(self, settings: ClientSettings, *, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.service = service_label("Deluge", settings.name)
        self._ids = itertools.count(1)
        self._http = HttpClient(  # keeps the session cookie auth.login sets
            HttpConfig(
                base_url=settings.base_url,
                service=self.service,
                timeout=settings.timeout,
                retries=1,
                verify_ssl=settings.verify_ssl,
            ),
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    # --- the JSON-RPC layer -------------------------------------------------------------

    def _post(self, method: str, *params: Any) -> dict:
        try:
            response = self._http.request(
                "POST", "/json", json={"method": method, "params": list(params), "id": next(self._ids)}
            )
        except NotFound as exc:
            raise NotFound(
                f"{self.service}: no web API at {self._http.config.base_url}/json",
                hint="Check the URL base: Deluge's web UI is at / unless its 'base' setting says otherwise.",
            ) from exc
        try:
            data = response.json()
        except ValueError as exc:
            raise BadResponse(
                f"{self.service}: {method} did not answer JSON: {response.text[:100]!r}",
                hint="Check the URL: is this Deluge's web UI (port 8112)?",
            ) from exc
        if not isinstance(data, dict):
            raise BadResponse(f"{self.service}: {method} answered {type(data).__name__}, not an object")
        return data

    def call(self, method: str, *params: Any) -> Any:
        """One call; logs in again once when the session is missing or expired."""
        data = self._post(method, *params)
        if _error_code(data) == NOT_AUTHENTICATED:
            self._login()
            data = self._post(method, *params)
        error = data.get("error")
        if error:
            raise self._error(method, error)
        return data.get("result")

    def _login(self) -> None:
        if self._post("auth.login", self.settings.password).get("result") is not True:
            raise AuthenticationFailed(
                f"{self.service}: the web UI password was refused",
                hint="Use the password of Deluge's web UI (Preferences > Interface; 'deluge' until changed).",
            )

    def _error(self, method: str, error: Any) -> OmniError:
        code = error.get("code") if isinstance(error, dict) else None
        message = str(error.get("message") if isinstance(error, dict) else error)
        if code == NOT_AUTHENTICATED:
            return AuthenticationFailed(f"{self.service}: {method} refused: not logged in")
        if code == UNKNOWN_METHOD and method.startswith("label."):
            return ConfigurationError(
                f"{self.service}: the Label plugin is not enabled, so categories are not available",
                hint="Enable it in Deluge (Preferences > Plugins > Label) or leave the categories empty.",
            )
        match = _FAILURE.search(message)
        kind, text = (match.group(1), match.group(2).strip()) if match else ("", message[:200])
        if kind == "InvalidTorrentError":
            return NotFound(f"{self.service}: {text}")
        return BadResponse(f"{self.service}: {method} failed: {text}")

    def _ready(self) -> None:
        """Logged in and connected to a running daemon (the web UI may have lost it)."""
        if self.call("web.connected"):
            return
        hosts = self.call("web.get_hosts") or []
        if not hosts:
            raise ConfigurationError(
                f"{self.service}: the web UI knows no Deluge daemon",
                hint="Add the daemon in Deluge's Connection Manager.",
            )
        for host in hosts:
            self.call("web.connect", host[0])
            if self.call("web.connected"):
                logger.info("%s: web UI connected to the daemon at %s:%s", self.service, host[1], host[2])
                return
        where = ", ".join(f"{host[1]}:{host[2]}" for host in hosts)
        raise ServiceUnavailable(
            f"{self.service}: the web UI answers but no daemon is reachable ({where})",
            hint="Start deluged, or check the Connection Manager's hosts.",
        )

    # --- the DownloadClient protocol ----------------------------------------------------

    def test_connection(self) -> ClientVersion:
        self._ready()
        version = str(self.call("daemon.get_version") or "")
        if not version:
            raise BadResponse(f"{self.service}: daemon.get_version gave no version")
        kinds = [kind for kind, category in self.settings.categories if category]
        if kinds:
            for kind in kinds:
                self._label_for(kind)  # a name Deluge cannot hold is said at the Test button
            self.list_categories()  # raises when the Label plugin is off
        return ClientVersion("Deluge", version)

    def add(self, request: AddRequest) -> str:
        if request.link_kind not in self.protocols:
            raise ConfigurationError(f"{self.service} downloads torrents only, not {request.link_kind} links")
        label = self._label_for(request.kind)
        self._ready()
        if label and label not in self._labels():  # first: without the plugin, nothing is added
            self.call("label.add", label)
        job_id = self._add_torrent(request, {"add_paused": self.settings.add_paused})
        if label:
            self.call("label.set_torrent", job_id, label)
        if self.settings.priority >= 1:
            self.call("core.queue_top", [job_id])
        logger.info("%s: added %r as %s (label %s)", self.service, request.name, job_id, label or "-")
        return job_id

    def _add_torrent(self, request: AddRequest, options: dict) -> str:
        try:
            if request.content:
                encoded = base64.b64encode(request.content).decode("ascii")
                result = self.call("core.add_torrent_file", f"{request.name[:100]}.torrent", encoded, options)
            elif request.link_kind == "magnet":
                result = self.call("core.add_torrent_magnet", request.url, options)
            else:
                result = self.call("core.add_torrent_url", request.url, options)
        except BadResponse as exc:
            duplicate = _DUPLICATE.search(exc.message)
            if duplicate is None:
                raise
            return duplicate.group(1).lower()  # sent before: the same job
        if not isinstance(result, str) or not result:
            raise BadResponse(f"{self.service}: the torrent was not added (Deluge returned {result!r})")
        return result.lower()

    def _label_for(self, kind: str) -> str:
        label = self.settings.category_for(kind).lower()
        if label and not _VALID_LABEL.match(label):
            raise ConfigurationError(
                f"{self.service}: {label!r} cannot be a Deluge label",
                hint="Deluge labels use only a-z, 0-9, '_', '-' and '.'.",
            )
        return label

    def status(self, job_id: str) -> JobStatus:
        return self.statuses([job_id])[job_id]

    def statuses(self, job_ids: list[str]) -> dict[str, JobStatus]:
        found: dict[str, Any] = {}
        if job_ids:
            self._ready()
            found = self.call("core.get_torrents_status", {"id": [j.lower() for j in job_ids]}, STATUS_KEYS) or {}
        return {
            job_id: torrent_status(job_id.lower(), found[job_id.lower()])
            if isinstance(found.get(job_id.lower()), dict)
            else JobStatus(job_id, JobState.MISSING)
            for job_id in job_ids
        }

    def remove(self, job_id: str, *, delete_files: bool = False) -> None:
        self._ready()
        try:
            self.call("core.remove_torrent", job_id.lower(), delete_files)
        except NotFound:
            logger.info("%s: %s was already gone", self.service, job_id)
            return
        logger.info("%s: removed %s (files %s)", self.service, job_id, "deleted" if delete_files else "kept")

    def pause(self, job_id: str) -> None:
        self._require(job_id)
        self.call("core.pause_torrent", [job_id.lower()])

    def resume(self, job_id: str) -> None:
        self._require(job_id)
        self.call("core.resume_torrent", [job_id.lower()])

    def _require(self, job_id: str) -> None:
        if self.status(job_id).state == JobState.MISSING:
            raise NotFound(f"{self.service}: no torrent {job_id}")

    def list_categories(self) -> list[str]:
        self._ready()
        return self._labels()

    def _labels(self) -> list[str]:
        return sorted(str(label) for label in self.call("label.get_labels") or [])

    def create_category(self, name: str) -> None:
        label = name.lower()
        if label not in self.list_categories():
            if not _VALID_LABEL.match(label):
                raise ConfigurationError(
                    f"{self.service}: {name!r} cannot be a Deluge label",
                    hint="Deluge labels use only a-z, 0-9, '_', '-' and '.'.",
                )
            self.call("label.add", label)

    def download_folder(self) -> str:
        """Where completed torrents end up: the move-completed folder when that is on."""
        self._ready()
        config = self.call("core.get_config_values", ["download_location", "move_completed", "move_completed_path"])
        config = config if isinstance(config, dict) else {}
        if config.get("move_completed") and config.get("move_completed_path"):
            return str(config["move_completed_path"])
        return str(config.get("download_location") or "")


def _error_code(data: dict) -> Any:
    error = data.get("error")
    return error.get("code") if isinstance(error, dict) else None


def torrent_status(job_id: str, torrent: dict) -> JobStatus:
    raw = str(torrent.get("state") or "")
    progress = max(0.0, min(100.0, float(torrent.get("progress") or 0)))
    state, seeding = _state(raw, complete=progress >= 100.0)
    name = str(torrent.get("name") or "")
    wanted, done = int_or_none(torrent.get("total_wanted")), int_or_none(torrent.get("total_done"))
    message = str(torrent.get("message") or "")
    return JobStatus(
        job_id=job_id,
        state=state,
        name=name,
        progress=progress,
        size_bytes=wanted,
        left_bytes=max(0, wanted - done) if wanted is not None and done is not None else None,
        time_left=eta_text(torrent.get("eta")) if torrent.get("eta") else "",
        storage_path=client_path(str(torrent.get("save_path") or ""), name) if state == JobState.COMPLETED else "",
        fail_message=message if state == JobState.FAILED else "",
        raw_status=raw if message in ("", "OK") else f"{raw}: {message}",
        category=str(torrent.get("label") or ""),
        seeding=seeding,
        ratio=ratio_or_none(torrent.get("ratio")),
        seeding_seconds=int_or_none(torrent.get("seeding_time")),
    )


def _state(raw: str, *, complete: bool) -> tuple[str, bool]:
    """(JobState, seeding) for Deluge's state names."""
    if raw == "Error":
        return JobState.FAILED, False
    if raw == "Seeding" or (raw == "Queued" and complete):
        return JobState.COMPLETED, True
    if raw == "Paused" and complete:
        return JobState.COMPLETED, False
    if raw == "Moving":
        return JobState.POST_PROCESSING, False
    if raw in _QUEUED_STATES:
        return JobState.QUEUED, False
    return JobState.DOWNLOADING, False
