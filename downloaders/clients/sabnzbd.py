"""SABnzbd's HTTP API (`<url><base>/api?mode=...&output=json&apikey=...`), built against the
recorded replies of SABnzbd 5.0 and the official API documentation.

Facts that shape it: a wrong or missing key is answered with HTTP 403 and a bare HTML body
("API Key Incorrect" / "API Key Required"; older versions said it with 200); the API lives at
`/api` unless the server has a `url_base`, and a wrong base path gets 404; `history` may report
a job as Completed with an empty `storage` while post-processing still moves files; a paused
queue keeps its jobs "Queued" and says `"paused": true` once, at the top."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import httpx

from core.errors import (
    AuthenticationFailed,
    BadResponse,
    ConfigurationError,
    DownloadClientAuthFailed,
    NotFound,
    OmniError,
    service_label,
)
from core.http import HttpClient, HttpConfig
from downloaders.clients.base import AddRequest, ClientSettings, ClientVersion, JobState, JobStatus

logger = logging.getLogger(__name__)
_QUEUED = {"queued", "paused", "grabbing", "fetching", "propagating"}
_AUTH_TEXTS = ("api key incorrect", "api key required", "missing authentication")
_KEY_HINT = "Copy the API key from SABnzbd (Config > General > Security) into the download client settings."
_BASE_HINT = "SABnzbd's API is at /api unless its url_base is set (e.g. /sabnzbd): set the base path to match."
PAUSED = "Paused"  # raw status of a job in a paused queue
_CATEGORY = re.compile(r"^[\w][\w .-]{0,63}$")


def _is_absolute(path: str) -> bool:
    """POSIX or Windows (C:\\ or \\\\server): SABnzbd may run on either."""
    return path.startswith(("/", "\\\\")) or bool(re.match(r"^[A-Za-z]:[\\/]", path))


def _section(data: dict, name: str) -> Any:
    """get_config/set_config answer {"config": {section: ...}}."""
    config = data.get("config")
    return config.get(name) if isinstance(config, dict) else None


class SabnzbdClient:
    kind = "sabnzbd"
    label = "SABnzbd"
    protocols = ("nzb_url",)
    fields = ("url", "api_key")
    default_port = 8080

    def __init__(self, settings: ClientSettings, *, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.service = service_label("SABnzbd", settings.name)
        self._http = HttpClient(
            HttpConfig(
                base_url=settings.base_url,
                service=self.service,
                timeout=settings.timeout,
                retries=1,
                params={"output": "json", "apikey": settings.api_key},
                verify_ssl=settings.verify_ssl,
            ),
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def api(self, mode: str, **params: Any) -> dict:
        try:
            response = self._http.request("GET", "/api", params={"mode": mode, **params})
        except (AuthenticationFailed, NotFound) as exc:
            raise self._refusal(exc) from exc
        return self._decode(response, mode)

    def _refusal(self, exc: OmniError) -> OmniError:
        """SABnzbd's 403 (a key problem, or access denied to this host) and 404 (wrong base
        path), said in SABnzbd's terms."""
        details = exc.details if isinstance(exc.details, dict) else {}
        text = str(details.get("body") or "").strip()
        if isinstance(exc, NotFound):
            return ConfigurationError(
                f"{self.service}: no API at {self.settings.base_url}/api (HTTP 404): wrong base path?",
                hint=_BASE_HINT,
            )
        if text.lower().startswith(_AUTH_TEXTS):
            return self._key_error(text)
        if text.lower().startswith("access denied"):
            return ConfigurationError(
                f"{self.service} refused the connection: {text[:160]}",
                hint="Allow this host in SABnzbd (Config > General > Security: external access, host_whitelist).",
            )
        return DownloadClientAuthFailed(f"{self.service}: HTTP {details.get('status', 403)}: {text[:160]}")

    def _key_error(self, text: str) -> DownloadClientAuthFailed:
        first = text.splitlines()[0][:80] if text else "API Key Incorrect"
        what = "no API key was sent" if "required" in first.lower() else "the API key is wrong"
        return DownloadClientAuthFailed(f"{self.service} refused the API key ({first}): {what}", hint=_KEY_HINT)

    def _decode(self, response: httpx.Response, mode: str) -> dict:
        text = response.text.strip()
        if text.lower().startswith(_AUTH_TEXTS):  # SABnzbd before 4.x said it with HTTP 200
            raise self._key_error(text)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadResponse(
                f"{self.service}: mode={mode} did not answer JSON: {text[:100]!r}", hint=_BASE_HINT
            ) from exc
        if not isinstance(data, dict):
            raise BadResponse(f"{self.service}: mode={mode} answered {type(data).__name__}, not an object")
        if data.get("status") is False:
            error = str(data.get("error") or "unknown error")
            if error.lower().startswith(_AUTH_TEXTS):
                raise self._key_error(error)
            raise BadResponse(f"{self.service}: mode={mode} failed: {error}")
        return data

    def test_connection(self) -> ClientVersion:
        """The version (needs no key) and the categories (need the key: proves it)."""
        version = str(self.api("version").get("version") or "")
        if not version:
            raise BadResponse(f"{self.service}: mode=version gave no version")
        self.list_categories()
        return ClientVersion("SABnzbd", version)

    def list_categories(self) -> list[str]:
        categories = self.api("get_cats").get("categories")
        if not isinstance(categories, list):
            raise BadResponse(f"{self.service}: get_cats gave no list of categories")
        return [str(c) for c in categories if c != "*"]

    def create_category(self, name: str) -> None:
        """mode=set_config&section=categories&keyword=<name>: SABnzbd adds the category (its
        folder is the name, below the completed folder); an existing one is left alone."""
        if not _CATEGORY.match(name):
            raise ConfigurationError(f"{self.service}: {name!r} is not a usable category name")
        if name.lower() in {c.lower() for c in self.list_categories()}:
            return
        data = self.api("set_config", section="categories", keyword=name, name=name)
        if not _section(data, "categories"):
            raise BadResponse(f"{self.service}: set_config did not create category {name!r}: {str(data)[:120]}")
        logger.info("%s: created category %s", self.service, name)

    def download_folder(self) -> str:
        """SABnzbd's completed folder (misc.complete_dir). A relative value is relative to the
        server's home folder, which only mode=fullstatus reports already resolved."""
        misc = _section(self.api("get_config", section="misc", keyword="complete_dir"), "misc")
        folder = str(misc.get("complete_dir") or "") if isinstance(misc, dict) else ""
        if folder and not _is_absolute(folder):
            status = self.api("fullstatus", skip_dashboard=1).get("status")
            resolved = status.get("completedir") if isinstance(status, dict) else ""
            folder = str(resolved or folder)
        return folder

    def add(self, request: AddRequest) -> str:
        if request.link_kind not in self.protocols:
            raise ConfigurationError(
                f"{self.service} downloads usenet NZBs only, not {request.link_kind} links"
            )
        params = {
            "name": request.url,
            "nzbname": request.name[:200],
            "priority": self.settings.priority,
            "cat": self.settings.category_for(request.kind) or "*",
        }
        data = self.api("addurl", **params)
        ids = data.get("nzo_ids")
        if not isinstance(ids, list) or not ids or not isinstance(ids[0], str):
            raise BadResponse(f"{self.service}: addurl returned no job id: {str(data)[:120]}")
        logger.info("%s: added %r as %s (category %s)", self.service, request.name, ids[0], params["cat"])
        return ids[0]

    def status(self, job_id: str) -> JobStatus:
        return self.statuses([job_id])[job_id]

    def statuses(self, job_ids: list[str]) -> dict[str, JobStatus]:
        wanted = set(job_ids)
        ids = ",".join(sorted(wanted))
        found: dict[str, JobStatus] = {}
        queue = self.api("queue", nzo_ids=ids, limit=max(100, len(wanted) * 2)).get("queue") or {}
        for slot in queue.get("slots") or []:
            if slot.get("nzo_id") in wanted:
                found[slot["nzo_id"]] = queue_status(slot, queue_paused=queue.get("paused") is True)
        if wanted - set(found):
            history = self.api("history", nzo_ids=ids, limit=max(100, len(wanted) * 2)).get("history") or {}
            for slot in history.get("slots") or []:
                if slot.get("nzo_id") in wanted and slot["nzo_id"] not in found:
                    found[slot["nzo_id"]] = history_status(slot)
        return {job_id: found.get(job_id, JobStatus(job_id, JobState.MISSING)) for job_id in job_ids}

    def remove(self, job_id: str, *, delete_files: bool = False) -> None:
        """Out of the queue and the history. For a finished job SABnzbd's `del_files` deletes only
        its incomplete folder (a failed job's leftovers), never the completed files, and the
        history entry goes to SABnzbd's archive unless the archive is switched off there."""
        extra = {"del_files": 1} if delete_files else {}
        self.api("queue", name="delete", value=job_id, **extra)
        self.api("history", name="delete", value=job_id, **extra)
        logger.info("%s: removed %s (files %s)", self.service, job_id, "deleted" if delete_files else "kept")

    def pause(self, job_id: str) -> None:
        self.api("queue", name="pause", value=job_id)

    def resume(self, job_id: str) -> None:
        self.api("queue", name="resume", value=job_id)


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _mb_to_bytes(value: Any) -> int | None:
    number = _float(value)
    return int(number * 1024 * 1024) if number is not None else None


_UNITS = {"": 0, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5}
_SIZE_TEXT = re.compile(r"^\s*(\d+(?:\.(\d+))?)\s*([KMGTP]?)B?\s*$", re.I)


def parse_size(text: str) -> tuple[int, int] | None:
    """SABnzbd's human sizes ("20 KB", "2.3 GB", "43 K": powers of 1024, rounded) as
    (bytes, margin): the margin is half a unit of the last digit shown."""
    match = _SIZE_TEXT.match(text)
    if match is None:
        return None
    number, decimals, unit = match.groups()
    scale = 1024 ** _UNITS[unit.upper()]
    return round(float(number) * scale), int(scale * 0.5 * 10 ** -len(decimals or ""))


def history_size(slot: dict) -> tuple[int | None, int]:
    """The job's downloaded bytes: `bytes` (an exact integer in every recorded reply), else
    the rounded `size` text with its margin; (None, 0) when neither says."""
    exact = slot.get("bytes")
    if isinstance(exact, str) and exact.strip().isdigit():
        exact = int(exact)
    if isinstance(exact, int | float) and not isinstance(exact, bool) and exact > 0:
        return int(exact), 0
    parsed = parse_size(str(slot.get("size") or ""))
    return parsed if parsed and parsed[0] > 0 else (None, 0)


def queue_status(slot: dict, *, queue_paused: bool = False) -> JobStatus:
    """A queue slot. In a paused queue a job keeps its own status ("Queued"), unless it is
    forced (priority Force downloads anyway): such jobs are reported as Paused."""
    raw = str(slot.get("status") or "")
    if queue_paused and raw.lower() in ("queued", "downloading") and slot.get("priority") != "Force":
        raw = PAUSED
    state = JobState.QUEUED if raw.lower() in _QUEUED else JobState.DOWNLOADING
    return JobStatus(
        job_id=str(slot.get("nzo_id")),
        state=state,
        name=str(slot.get("filename") or ""),
        progress=max(0.0, min(100.0, _float(slot.get("percentage")) or 0.0)),
        size_bytes=_mb_to_bytes(slot.get("mb")),
        left_bytes=_mb_to_bytes(slot.get("mbleft")),
        time_left=str(slot.get("timeleft") or ""),
        raw_status=raw,
        category=str(slot.get("cat") or ""),
    )


def history_status(slot: dict) -> JobStatus:
    raw = str(slot.get("status") or "")
    storage = str(slot.get("storage") or "")
    lowered = raw.lower()
    if lowered == "completed":
        state = JobState.COMPLETED if storage else JobState.POST_PROCESSING
    elif lowered == "failed":
        state = JobState.FAILED
    elif lowered == "deleted":
        state = JobState.MISSING
    else:
        state = JobState.POST_PROCESSING
    size, margin = history_size(slot)
    return JobStatus(
        job_id=str(slot.get("nzo_id")),
        state=state,
        name=str(slot.get("name") or ""),
        progress=100.0 if state in (JobState.COMPLETED, JobState.POST_PROCESSING) else 0.0,
        size_bytes=size,
        size_margin_bytes=margin,
        left_bytes=0,
        storage_path=storage if state == JobState.COMPLETED else "",
        fail_message=str(slot.get("fail_message") or ("" if state != JobState.FAILED else "failed")),
        raw_status=raw,
        category=str(slot.get("category") or ""),
    )
