"""Transmission's RPC (`<url><base>/rpc`, base "/transmission" by default), built against
transmission-daemon 3.00 (RPC version 16) and the RPC spec.

Facts that shape it (checked against the real daemon): every request needs the
X-Transmission-Session-Id the server hands out in a 409 reply; wrong credentials are a
401 (a host outside rpc-whitelist a 403); `torrent-add` ignores `labels` on 3.00, so the
category is set with `torrent-set` afterwards; labels are free-form (nothing to create);
an unknown hash in `torrent-get`, `torrent-stop` or `torrent-remove` is silently ignored."""

from __future__ import annotations

import base64
import logging
from collections.abc import Generator
from typing import Any

import httpx

from core.errors import AuthenticationFailed, BadResponse, ConfigurationError, NotFound, service_label
from core.http import HttpClient, HttpConfig
from downloaders.clients.base import AddRequest, ClientSettings, ClientVersion, JobState, JobStatus
from downloaders.clients.torrent_common import client_path, eta_text, int_or_none, ratio_or_none

logger = logging.getLogger(__name__)
SESSION_HEADER = "X-Transmission-Session-Id"
DEFAULT_BASE = "/transmission"
STATUS_FIELDS = [
    "hashString",
    "name",
    "status",
    "percentDone",
    "error",
    "errorString",
    "leftUntilDone",
    "sizeWhenDone",
    "eta",
    "downloadDir",
    "uploadRatio",
    "secondsSeeding",
    "isFinished",
    "labels",
]
# tr_torrent_activity: 0 stopped, 1 check-wait, 2 check, 3 download-wait, 4 download, 5 seed-wait, 6 seed
_RAW = {
    0: "paused",
    1: "check pending",
    2: "checking",
    3: "queued",
    4: "downloading",
    5: "queued to seed",
    6: "seeding",
}
_LOCAL_ERROR = 3  # tr_stat_errtype: 1 tracker warning, 2 tracker error, 3 local error (disk, missing data)


class SessionIdAuth(httpx.Auth):
    """HTTP Basic auth plus Transmission's CSRF handshake: a 409 reply carries the session id
    to resend the same request with (the id changes when the daemon restarts)."""

    def __init__(self, username: str, password: str) -> None:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self._authorization = f"Basic {token}" if username or password else ""
        self.session_id = ""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._authorization:
            request.headers["Authorization"] = self._authorization
        if self.session_id:
            request.headers[SESSION_HEADER] = self.session_id
        response = yield request
        if response.status_code == 409 and SESSION_HEADER in response.headers:
            self.session_id = response.headers[SESSION_HEADER]
            request.headers[SESSION_HEADER] = self.session_id
            yield request


class TransmissionClient:
    kind = "transmission"
    label = "Transmission"
    fields = ("url", "username", "password")
    default_port = 9091
    protocols = ("torrent_url", "magnet")
    free_form_categories = True  # labels need no creating: any text can be set on a torrent

    def __init__(self, settings: ClientSettings, *, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.service = service_label("Transmission", settings.name)
        self._auth = SessionIdAuth(settings.username, settings.password)
        self._http = HttpClient(
            HttpConfig(
                base_url=rpc_base_url(settings),
                service=self.service,
                timeout=settings.timeout,
                retries=1,
                verify_ssl=settings.verify_ssl,
            ),
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def rpc(self, method: str, **arguments: Any) -> dict:
        """One RPC call; its `arguments` object, or a core.errors error."""
        try:
            response = self._http.request(
                "POST", "/rpc", json={"method": method, "arguments": arguments}, auth=self._auth
            )
        except AuthenticationFailed as exc:
            raise AuthenticationFailed(
                f"{self.service}: the RPC username or password was refused",
                hint="Use rpc-username/rpc-password from Transmission's settings.json, and check that its "
                "rpc-whitelist allows this host.",
            ) from exc
        except NotFound as exc:
            raise NotFound(
                f"{self.service}: no RPC at {self._http.config.base_url}/rpc",
                hint="Check the URL base: Transmission's default is /transmission (its rpc-url setting).",
            ) from exc
        return self._decode(response, method)

    def _decode(self, response: httpx.Response, method: str) -> dict:
        try:
            data = response.json()
        except ValueError as exc:
            raise BadResponse(
                f"{self.service}: {method} did not answer JSON: {response.text[:100]!r}",
                hint="Check the URL and URL base: Transmission's RPC is at /transmission/rpc unless its "
                "rpc-url setting says otherwise.",
            ) from exc
        if not isinstance(data, dict) or "result" not in data:
            raise BadResponse(f"{self.service}: {method} answered without a result: {str(data)[:120]}")
        if data["result"] != "success":
            raise BadResponse(f"{self.service}: {method} failed: {data['result']}")
        arguments = data.get("arguments")
        return arguments if isinstance(arguments, dict) else {}

    def test_connection(self) -> ClientVersion:
        session = self.rpc("session-get", fields=["version", "rpc-version"])
        version = str(session.get("version") or "")
        if not version:
            raise BadResponse(f"{self.service}: session-get gave no version")
        return ClientVersion("Transmission", version)

    def add(self, request: AddRequest) -> str:
        if request.link_kind not in self.protocols:
            raise ConfigurationError(f"{self.service} downloads torrents only, not {request.link_kind} links")
        arguments: dict[str, Any] = {"paused": self.settings.add_paused}
        if request.content:
            arguments["metainfo"] = base64.b64encode(request.content).decode("ascii")
        else:
            arguments["filename"] = request.url
        if self.settings.priority in (-1, 1, 2):
            arguments["bandwidthPriority"] = max(-1, min(1, self.settings.priority))
        added = self.rpc("torrent-add", **arguments)
        torrent = added.get("torrent-added") or added.get("torrent-duplicate")
        if not isinstance(torrent, dict) or not torrent.get("hashString"):
            raise BadResponse(f"{self.service}: torrent-add returned no torrent: {str(added)[:120]}")
        job_id = str(torrent["hashString"]).lower()
        category = self.settings.category_for(request.kind)
        if category:  # 3.00 ignores torrent-add's labels; torrent-set honours them
            self.rpc("torrent-set", ids=[job_id], labels=[category])
        logger.info("%s: added %r as %s (label %s)", self.service, request.name, job_id, category or "-")
        return job_id

    def status(self, job_id: str) -> JobStatus:
        return self.statuses([job_id])[job_id]

    def statuses(self, job_ids: list[str]) -> dict[str, JobStatus]:
        found = {status.job_id: status for status in map(torrent_status, self._torrents(job_ids))}
        return {job_id: found.get(job_id.lower(), JobStatus(job_id, JobState.MISSING)) for job_id in job_ids}

    def _torrents(self, job_ids: list[str], fields: list[str] = STATUS_FIELDS) -> list[dict]:
        if not job_ids:
            return []
        torrents = self.rpc("torrent-get", ids=[job_id.lower() for job_id in job_ids], fields=fields).get("torrents")
        return [t for t in torrents or [] if isinstance(t, dict)]

    def remove(self, job_id: str, *, delete_files: bool = False) -> None:
        self.rpc("torrent-remove", ids=[job_id.lower()], **{"delete-local-data": delete_files})
        logger.info("%s: removed %s (files %s)", self.service, job_id, "deleted" if delete_files else "kept")

    def pause(self, job_id: str) -> None:
        self._require(job_id)
        self.rpc("torrent-stop", ids=[job_id.lower()])

    def resume(self, job_id: str) -> None:
        self._require(job_id)
        self.rpc("torrent-start", ids=[job_id.lower()])

    def _require(self, job_id: str) -> None:
        if not self._torrents([job_id], ["hashString"]):
            raise NotFound(f"{self.service}: no torrent {job_id}")

    def list_categories(self) -> list[str]:
        """The labels in use (Transmission has no list of labels of its own)."""
        torrents = self.rpc("torrent-get", fields=["labels"]).get("torrents") or []
        return sorted({label for t in torrents for label in t.get("labels") or [] if isinstance(label, str)})

    def create_category(self, name: str) -> None:
        """Nothing to do: a label exists as soon as a torrent carries it (set on add)."""
        logger.debug("%s: label %r needs no creating", self.service, name)

    def download_folder(self) -> str:
        return str(self.rpc("session-get", fields=["download-dir"]).get("download-dir") or "")


def rpc_base_url(settings: ClientSettings) -> str:
    """`<url><base>` with the RPC below it: base "/transmission" unless set; a pasted
    ".../transmission/rpc" or ".../transmission/web" is taken back to its base."""
    base = settings.base_path.strip("/") or DEFAULT_BASE.strip("/")
    parts = base.split("/")
    if parts[-1] in ("rpc", "web") and len(parts) > 1:
        parts = parts[:-1]
    return settings.url.rstrip("/") + "/" + "/".join(parts)


def torrent_status(torrent: dict) -> JobStatus:
    code = torrent.get("status")
    left = int_or_none(torrent.get("leftUntilDone"))
    done = left == 0 and float(torrent.get("percentDone") or 0) >= 1.0
    state, seeding = _state(code, done=done)
    fail_message = ""
    if torrent.get("error") == _LOCAL_ERROR:
        state, seeding = JobState.FAILED, False
        fail_message = str(torrent.get("errorString") or "local error")
    raw = _RAW.get(code, f"status {code}") if isinstance(code, int) else "unknown"
    if torrent.get("errorString"):
        raw = f"{raw}: {torrent['errorString']}"
    name = str(torrent.get("name") or "")
    return JobStatus(
        job_id=str(torrent.get("hashString") or "").lower(),
        state=state,
        name=name,
        progress=max(0.0, min(100.0, float(torrent.get("percentDone") or 0) * 100)),
        size_bytes=int_or_none(torrent.get("sizeWhenDone")),
        left_bytes=left,
        time_left=eta_text(torrent.get("eta")),
        storage_path=client_path(str(torrent.get("downloadDir") or ""), name) if state == JobState.COMPLETED else "",
        fail_message=fail_message,
        raw_status=raw,
        category=next(iter(torrent.get("labels") or []), ""),
        seeding=seeding,
        ratio=ratio_or_none(torrent.get("uploadRatio")),
        seeding_seconds=int_or_none(torrent.get("secondsSeeding")),
    )


def _state(code: Any, *, done: bool) -> tuple[str, bool]:
    """(JobState, seeding) for a status code; a stopped torrent is complete or paused."""
    if code in (5, 6):
        return JobState.COMPLETED, True
    if code == 4:
        return JobState.DOWNLOADING, False
    if code == 0 and done:
        return JobState.COMPLETED, False
    return JobState.QUEUED, False
