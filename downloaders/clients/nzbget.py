"""NZBGet's JSON-RPC API (`POST <url><base>/jsonrpc`, HTTP Basic auth with ControlUsername/
ControlPassword), built against nzbget 21.0 and its API documentation.

Facts that shape it (checked against the real program): wrong credentials are a 401 with an
empty body; `append` returns the new NZBID, or 0/-1 when it refuses, and a malformed NZB still
gets an id and then shows in the history as FAILURE/SCAN; `editqueue` answers false for an id
it does not hold; missing articles end as FAILURE/HEALTH when the health check aborts; a
category the config does not define is still accepted (files go to DestDir/<category>).

Categories: NZBGet only changes its configuration through `saveconfig`, and applies it after
a restart (`reload`), which interrupts running downloads. `create_category` therefore saves
the category into the config file and does NOT restart NZBGet: until its next start NZBGet
still files that category's downloads under DestDir/<category>, so grabs work right away.
`list_categories` reads the saved config (`loadconfig`), so a created category shows at once."""

from __future__ import annotations

import base64
import logging
import re
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from core.errors import AuthenticationFailed, BadResponse, ConfigurationError, NotFound, service_label
from core.http import HttpClient, HttpConfig
from core.paths import clean_value, legalize_component
from downloaders.clients.base import AddRequest, ClientSettings, ClientVersion, JobState, JobStatus

logger = logging.getLogger(__name__)
_CATEGORY_NAME = re.compile(r"^Category(\d+)\.Name$")
# ClientSettings.priority is on SABnzbd's scale; NZBGet's: -100 very low, -50 low, 0 normal,
# 50 high, 100 very high, 900 force.
_PRIORITY = {-100: 0, -2: -100, -1: -50, 0: 0, 1: 50, 2: 900}
_QUEUED = {"QUEUED", "PAUSED", "FETCHING"}
_DOWNLOADING = {"DOWNLOADING"}
_COMPLETED = {"SUCCESS", "WARNING/SCRIPT"}  # WARNING/SCRIPT: the files are fine, a user script failed
_FAILURES = {
    "FAILURE/PAR": "the par-check failed (the download is damaged)",
    "FAILURE/UNPACK": "unpacking failed",
    "FAILURE/MOVE": "moving the files to the destination folder failed",
    "FAILURE/SCAN": "the NZB could not be parsed (malformed NZB)",
    "FAILURE/BAD": "marked as bad in NZBGet",
    "FAILURE/HEALTH": "articles are missing from the news server (health below critical)",
    "FAILURE/FETCH": "NZBGet could not fetch the NZB from its URL",
    "WARNING/SPACE": "unpacking failed: not enough disk space",
    "WARNING/PASSWORD": "unpacking failed: the archive needs a password",
    "WARNING/DAMAGED": "the download is damaged and par-check is off (ParCheck=manual)",
    "WARNING/REPAIRABLE": "the download is damaged and par-repair is off (ParRepair=no)",
    "WARNING/HEALTH": "articles are missing from the news server and there are no par files",
    "WARNING/SKIPPED": "the URL did not give an NZB file",
    "DELETED/HEALTH": "articles are missing from the news server (deleted by the health check)",
    "DELETED/DUPE": "deleted by NZBGet's duplicate check",
    "DELETED/COPY": "deleted by NZBGet's duplicate check: the same NZB is already queued or in history",
    "DELETED/GOOD": "deleted by NZBGet's duplicate check: a good copy was already downloaded",
    "DELETED/SCAN": "the NZB could not be parsed (malformed NZB)",
    "DELETED/BAD": "marked as bad by a queue script",
}


class NzbgetClient:
    kind = "nzbget"
    label = "NZBGet"
    fields = ("url", "username", "password")
    default_port = 6789
    protocols = ("nzb_url",)

    def __init__(self, settings: ClientSettings, *, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.service = service_label("NZBGet", settings.name)
        base_url, username, password = split_credentials(settings)
        self._http = HttpClient(
            HttpConfig(
                base_url=base_url,
                service=self.service,
                timeout=settings.timeout,
                retries=1,
                verify_ssl=settings.verify_ssl,
            ),
            transport=transport,
        )
        self._auth = httpx.BasicAuth(username, password)

    def close(self) -> None:
        self._http.close()

    def rpc(self, method: str, *params: Any) -> Any:
        """One JSON-RPC call; its `result`, or a core.errors error."""
        payload = {"version": "1.1", "id": 1, "method": method, "params": list(params)}
        try:
            response = self._http.request("POST", "/jsonrpc", json=payload, auth=self._auth)
        except AuthenticationFailed as exc:
            raise AuthenticationFailed(
                f"{self.service}: the username or password was refused",
                hint="Use ControlUsername/ControlPassword from NZBGet's Settings > Security.",
            ) from exc
        except NotFound as exc:
            raise NotFound(
                f"{self.service}: no JSON-RPC API at {self._http.config.base_url}/jsonrpc",
                hint="Give NZBGet's address (port 6789 by default) and a URL base only behind a reverse proxy.",
            ) from exc
        return self._decode(response, method)

    def _decode(self, response: httpx.Response, method: str) -> Any:
        try:
            data = response.json()
        except ValueError as exc:
            raise BadResponse(f"{self.service}: {method} did not answer JSON: {response.text[:100]!r}") from exc
        if not isinstance(data, dict):
            raise BadResponse(f"{self.service}: {method} answered {type(data).__name__}, not an object")
        error = data.get("error")
        if error:
            message = error.get("message") if isinstance(error, dict) else error
            raise BadResponse(f"{self.service}: {method} failed: {message}")
        if "result" not in data:
            raise BadResponse(f"{self.service}: {method} gave no result")
        return data["result"]

    def test_connection(self) -> ClientVersion:
        version = self.rpc("version")
        if not isinstance(version, str) or not version:
            raise BadResponse(f"{self.service}: version gave no version")
        self.rpc("listgroups", 0)  # an add-only user may ask the version but not the queue
        return ClientVersion(self.label, version)

    def add(self, request: AddRequest) -> str:
        if request.link_kind not in self.protocols:
            raise ConfigurationError(f"{self.service} downloads usenet NZBs only, not {request.link_kind} links")
        content = base64.b64encode(request.content).decode() if request.content else request.url
        if not content:
            raise ConfigurationError(f"{self.service}: nothing to add for {request.name!r} (no NZB and no URL)")
        category = self.settings.category_for(request.kind)
        nzb_id = self.rpc(
            "append",
            nzb_filename(request.name),
            content,
            category,
            _PRIORITY.get(self.settings.priority, 0),
            False,  # AddToTop
            self.settings.add_paused,
            "",  # DupeKey
            0,  # DupeScore
            "SCORE",  # DupeMode
            [],  # PPParameters
        )
        if not isinstance(nzb_id, int) or isinstance(nzb_id, bool) or nzb_id <= 0:
            raise BadResponse(f"{self.service}: append refused {request.name!r} (answered {nzb_id!r})")
        logger.info("%s: added %r as %s (category %s)", self.service, request.name, nzb_id, category or "none")
        return str(nzb_id)

    def status(self, job_id: str) -> JobStatus:
        return self.statuses([job_id])[job_id]

    def statuses(self, job_ids: list[str]) -> dict[str, JobStatus]:
        wanted = set(job_ids)
        found: dict[str, JobStatus] = {}
        for group in self.rpc("listgroups", 0) or []:
            if str(group.get("NZBID")) in wanted:
                found[str(group["NZBID"])] = queue_status(group)
        if wanted - set(found):
            for item in self.rpc("history", False) or []:
                job_id = str(item.get("NZBID"))
                if job_id in wanted and job_id not in found:
                    found[job_id] = history_status(item)
        return {job_id: found.get(job_id, JobStatus(job_id, JobState.MISSING)) for job_id in job_ids}

    def remove(self, job_id: str, *, delete_files: bool = False) -> None:
        """From the queue without a history entry (NZBGet deletes the partial files), and from
        the history (hidden: NZBGet's duplicate check keeps knowing it). Completed files in the
        destination folder are never touched here: the import owns those."""
        nzb_id = _nzb_id(job_id)
        if nzb_id is None:
            return
        if self._edit("GroupFinalDelete", nzb_id):
            logger.info("%s: removed %s from the queue", self.service, job_id)
        if self._edit("HistoryDelete", nzb_id):
            logger.info("%s: removed %s from the history", self.service, job_id)

    def pause(self, job_id: str) -> None:
        self._edit_known("GroupPause", job_id)

    def resume(self, job_id: str) -> None:
        self._edit_known("GroupResume", job_id)

    def _edit(self, command: str, nzb_id: int, param: str = "") -> bool:
        return self.rpc("editqueue", command, param, [nzb_id]) is True

    def _edit_known(self, command: str, job_id: str) -> None:
        nzb_id = _nzb_id(job_id)
        if nzb_id is None or not self._edit(command, nzb_id):
            raise NotFound(f"{self.service}: no download {job_id!r} in the queue ({command})")

    def list_categories(self) -> list[str]:
        return category_names(self.rpc("loadconfig"))

    def create_category(self, name: str) -> None:
        """Saves `CategoryN.Name=<name>` into NZBGet's config file (see the module docstring:
        no restart; NZBGet takes it on at its next start)."""
        name = name.strip()
        if not name:
            raise ConfigurationError(f"{self.service}: a category needs a name")
        options = self.rpc("loadconfig")
        if name.lower() in (existing.lower() for existing in category_names(options)):
            return
        options.append({"Name": f"Category{next_category_number(options)}.Name", "Value": name})
        if self.rpc("saveconfig", options) is not True:
            raise BadResponse(f"{self.service}: saveconfig refused to add category {name!r}")
        logger.info("%s: category %r saved; NZBGet uses it as a category at its next start", self.service, name)

    def download_folder(self) -> str:
        options = {o.get("Name"): o.get("Value") for o in self.rpc("config") or []}
        return str(options.get("DestDir") or "")


def split_credentials(settings: ClientSettings) -> tuple[str, str, str]:
    """The API's base URL and the credentials: NZBGet's own docs give the address as
    `http://user:pass@host:6789/jsonrpc`, so a pasted URL may carry both (the fields win)."""
    parts = urlsplit(settings.base_url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    path = parts.path.rstrip("/")
    path = path[: -len("/jsonrpc")] if path.endswith("/jsonrpc") else path
    base_url = urlunsplit((parts.scheme, netloc, path, "", ""))
    username = settings.username or unquote(parts.username or "")
    password = settings.password or unquote(parts.password or "")
    return base_url, username, password


def nzb_filename(name: str) -> str:
    """A safe `.nzb` file name from a release title: NZBGet names the job and its folder after
    it, so no separators, no hidden-file dot, bounded length."""
    stem = legalize_component(clean_value(name), keep_extension=False, max_bytes=200) or "download"
    return f"{stem}.nzb"


def _nzb_id(job_id: str) -> int | None:
    return int(job_id) if job_id.isdigit() and int(job_id) > 0 else None


def category_names(options: list[dict]) -> list[str]:
    return [str(o.get("Value")) for o in options if _CATEGORY_NAME.match(str(o.get("Name"))) and o.get("Value")]


def next_category_number(options: list[dict]) -> int:
    numbers = [int(m.group(1)) for o in options if (m := _CATEGORY_NAME.match(str(o.get("Name"))))]
    return max(numbers, default=0) + 1


def _bytes(item: dict, prefix: str) -> int | None:
    low, high = item.get(f"{prefix}Lo"), item.get(f"{prefix}Hi")
    if not isinstance(low, int) or not isinstance(high, int):
        return None
    return (high << 32) + (low & 0xFFFFFFFF)


def queue_status(group: dict) -> JobStatus:
    raw = str(group.get("Status") or "")
    if raw in _QUEUED:
        state = JobState.QUEUED
    elif raw in _DOWNLOADING:
        state = JobState.DOWNLOADING
    else:  # PP_QUEUED, LOADING_PARS, VERIFYING_*, REPAIRING, RENAMING, UNPACKING, MOVING, EXECUTING_SCRIPT...
        state = JobState.POST_PROCESSING
    size, left = _bytes(group, "FileSize"), _bytes(group, "RemainingSize")
    progress = 100.0 * (size - left) / size if size and left is not None else 0.0
    return JobStatus(
        job_id=str(group.get("NZBID")),
        state=state,
        name=str(group.get("NZBName") or ""),
        progress=max(0.0, min(100.0, progress)),
        size_bytes=size,
        left_bytes=left,
        raw_status=raw.lower(),
        category=str(group.get("Category") or ""),
    )


def history_status(item: dict) -> JobStatus:
    raw = str(item.get("Status") or "")
    kind = raw.split("/", 1)[0]
    storage = str(item.get("FinalDir") or item.get("DestDir") or "")
    if kind in _COMPLETED or raw in _COMPLETED:
        state, message = JobState.COMPLETED, ""
    elif raw == "DELETED/MANUAL":
        state, message = JobState.MISSING, ""
    else:
        state, message = JobState.FAILED, _FAILURES.get(raw, f"NZBGet reported {raw or 'an unknown status'}")
    downloaded = _bytes(item, "DownloadedSize") or _bytes(item, "FileSize")
    return JobStatus(
        job_id=str(item.get("NZBID")),
        state=state,
        name=str(item.get("NZBName") or item.get("Name") or ""),
        progress=100.0 if state == JobState.COMPLETED else 0.0,
        size_bytes=downloaded if state == JobState.COMPLETED else None,
        left_bytes=0,
        storage_path=storage if state == JobState.COMPLETED else "",
        fail_message=message,
        raw_status=raw.lower(),
        category=str(item.get("Category") or ""),
    )
