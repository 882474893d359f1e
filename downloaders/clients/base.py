"""What every download client takes and returns, and the Protocol they implement.
Clients import only `core` and this module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class JobState:
    QUEUED = "queued"
    DOWNLOADING = "downloading"
    POST_PROCESSING = "post_processing"  # finished downloading, files still being moved/unpacked
    COMPLETED = "completed"  # storage path known
    FAILED = "failed"
    MISSING = "missing"  # neither in the queue nor in the history


@dataclass(frozen=True)
class ClientSettings:
    name: str
    url: str  # scheme://host[:port]
    api_key: str = ""
    base_path: str = ""  # the client's URL base, e.g. SABnzbd's "/sabnzbd"; the API is below it
    username: str = ""  # clients that log in (qBittorrent, Transmission, Deluge's password, NZBGet)
    password: str = ""
    verify_ssl: bool = True
    timeout: float = 20.0
    categories: tuple[tuple[str, str], ...] = ()  # (media kind, category)
    priority: int = -100  # SABnzbd: -100 default, -1 low, 0 normal, 1 high, 2 force
    add_paused: bool = False
    watch_folder: str = ""  # blackhole: where .nzb/.torrent/.magnet files are dropped for another program
    completed_folder: str = ""  # blackhole: where that program puts finished downloads
    config_id: int | None = None
    # Torrents: remove the torrent from the client (files kept) once it was imported and its
    # ratio or seeding time reaches one of these; None = never (the client's own limits apply).
    seed_ratio_limit: float | None = None
    seed_time_limit_minutes: int | None = None

    def seed_goal_reached(self, ratio: float | None, seeding_seconds: int | None) -> bool:
        by_ratio = self.seed_ratio_limit is not None and ratio is not None and ratio >= self.seed_ratio_limit
        limit = self.seed_time_limit_minutes
        by_time = limit is not None and seeding_seconds is not None and seeding_seconds >= limit * 60
        return by_ratio or by_time

    @property
    def base_url(self) -> str:
        path = "/" + self.base_path.strip("/") if self.base_path.strip("/") else ""
        return self.url.rstrip("/") + path

    def category_for(self, kind: str) -> str:
        return dict(self.categories).get(kind, "")


@dataclass(frozen=True)
class AddRequest:
    url: str
    name: str
    kind: str  # media kind: picks the category
    link_kind: str = "nzb_url"  # nzb_url | torrent_url | magnet
    content: bytes | None = None  # the .nzb/.torrent file itself when we fetched it (client can't reach the URL)


@dataclass(frozen=True)
class JobStatus:
    job_id: str
    state: str  # a JobState value
    name: str = ""
    progress: float = 0.0  # percent
    size_bytes: int | None = None  # a completed job: the bytes the client downloaded for it
    size_margin_bytes: int = 0  # how far size_bytes may be off (the client gave a rounded "2.3 GB")
    left_bytes: int | None = None
    time_left: str = ""
    storage_path: str = ""
    fail_message: str = ""
    raw_status: str = ""
    category: str = ""
    seeding: bool = False  # torrents: complete and still being seeded (never move its files)
    ratio: float | None = None  # torrents: uploaded / downloaded
    seeding_seconds: int | None = None


@dataclass(frozen=True)
class ClientVersion:
    name: str
    version: str


class DownloadClient(Protocol):
    settings: ClientSettings
    protocols: tuple[str, ...]  # which link kinds it accepts

    def test_connection(self) -> ClientVersion: ...

    def add(self, request: AddRequest) -> str: ...

    def status(self, job_id: str) -> JobStatus: ...

    def statuses(self, job_ids: list[str]) -> dict[str, JobStatus]: ...

    def remove(self, job_id: str, *, delete_files: bool = False) -> None: ...

    def pause(self, job_id: str) -> None: ...

    def resume(self, job_id: str) -> None: ...

    def list_categories(self) -> list[str]:
        """The client's categories (labels for Deluge), for the wizard to check ours exist."""
        ...

    def create_category(self, name: str) -> None:
        """Create a missing category (the wizard offers it); existing ones are left alone."""
        ...

    def download_folder(self) -> str:
        """Where the client puts completed downloads, as the client sees it (for path mapping)."""
        ...

    def close(self) -> None: ...
