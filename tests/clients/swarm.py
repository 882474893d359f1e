"""A real BitTorrent swarm on loopback for tests: opentracker as the tracker, mktorrent to
make .torrent files of real files, and qbittorrent-nox instances in temporary profiles.
Every daemon listens on 127.0.0.1 only, on a free port, and is stopped by its PID."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from downloaders.clients.base import ClientSettings
from downloaders.clients.torrentfiles import info_hash_of_torrent
from tests.processing.samples import make_epub

QBIT_USER = "omni"
QBIT_PASSWORD = "omni-test-password"


def missing_binaries(*names: str) -> list[str]:
    return [name for name in names if shutil.which(name) is None]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 15.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@dataclass
class Daemon:
    name: str
    process: subprocess.Popen
    port: int
    log: Path

    def stop(self, grace: float = 3.0) -> None:
        """SIGTERM, then SIGKILL after `grace` seconds (qbittorrent-nox may wait for its
        trackers' 'stopped' announces; its temporary profile needs no clean shutdown)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    @property
    def running(self) -> bool:
        return self.process.poll() is None


@dataclass
class Tracker:
    """Debian's opentracker is built with a whitelist: it serves only the info hashes listed
    in its whitelist file, re-read on SIGHUP."""

    daemon: Daemon
    whitelist: Path

    @property
    def announce(self) -> str:
        return f"http://127.0.0.1:{self.daemon.port}/announce"

    def allow(self, info_hash: str) -> None:
        with self.whitelist.open("a", encoding="ascii") as handle:
            handle.write(info_hash + "\n")
        self.daemon.process.send_signal(signal.SIGHUP)
        time.sleep(0.2)  # opentracker reloads the list in its own thread

    def stop(self) -> None:
        self.daemon.stop()


def start_opentracker(folder: Path) -> Tracker:
    """opentracker on 127.0.0.1 (TCP and UDP on the same free port), chrooted in `folder`."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    whitelist = folder / "whitelist"
    whitelist.write_text("", encoding="ascii")
    whitelist.chmod(0o644)
    log = folder / "opentracker.log"
    process = subprocess.Popen(
        ["opentracker", "-i", "127.0.0.1", "-p", str(port), "-P", str(port), "-d", str(folder), "-w", "/whitelist"],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for_port(port, process=process)
    return Tracker(Daemon("opentracker", process, port, log), whitelist)


def make_torrent(source: Path, announce: str, output: Path) -> bytes:
    """A real .torrent of `source` made by mktorrent (32 KiB pieces, the smallest it makes)."""
    output.unlink(missing_ok=True)
    subprocess.run(
        ["mktorrent", "-l", "15", "-a", announce, "-o", str(output), str(source)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return output.read_bytes()


def pbkdf2_password(password: str) -> str:
    """qBittorrent 4.2+'s WebUI\\Password_PBKDF2: PBKDF2-HMAC-SHA512, 100000 rounds,
    a 16-byte salt and a 64-byte key, stored as @ByteArray(salt_b64:key_b64)."""
    salt = os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 100_000, 64)
    return f"@ByteArray({base64.b64encode(salt).decode()}:{base64.b64encode(key).decode()})"


def qbittorrent_conf(*, webui_port: int, torrent_port: int, save_path: Path) -> str:
    """qBittorrent 4.5's config: WebUI on 127.0.0.1 with a password (also for localhost), no
    DHT/PeX/LSD/UPnP, listening on loopback only, and several connections per IP allowed
    (every peer of the swarm is 127.0.0.1)."""
    return "\n".join(
        [
            "[LegalNotice]",
            "Accepted=true",
            "",
            "[BitTorrent]",
            "Session\\DHTEnabled=false",
            "Session\\PeXEnabled=false",
            "Session\\LSDEnabled=false",
            f"Session\\Port={torrent_port}",
            "Session\\Interface=lo",
            "Session\\InterfaceName=lo",
            "Session\\InterfaceAddress=127.0.0.1",
            f"Session\\DefaultSavePath={save_path}",
            "Session\\TempPathEnabled=false",
            "Session\\QueueingSystemEnabled=false",
            "Session\\MultiConnectionsPerIp=true",
            "Session\\AnonymousModeEnabled=false",
            "Session\\SSRFMitigation=false",
            "Session\\ValidateHTTPSTrackerCertificate=false",
            "",
            "[Network]",
            "PortForwardingEnabled=false",
            "",
            "[Preferences]",
            "General\\Locale=en",
            "WebUI\\Address=127.0.0.1",
            f"WebUI\\Port={webui_port}",
            f"WebUI\\Username={QBIT_USER}",
            f'WebUI\\Password_PBKDF2="{pbkdf2_password(QBIT_PASSWORD)}"',
            "WebUI\\LocalHostAuth=true",
            "WebUI\\HostHeaderValidation=false",
            "WebUI\\CSRFProtection=false",
            "WebUI\\UseUPnP=false",
            "WebUI\\MaxAuthenticationFailCount=1000",
            "",
        ]
    )


@dataclass
class Qbittorrent:
    """One qbittorrent-nox in its own profile folder."""

    folder: Path
    daemon: Daemon | None = None
    webui_port: int = 0
    torrent_port: int = 0
    downloads: Path = field(init=False)

    def __post_init__(self) -> None:
        self.downloads = self.folder / "downloads"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.webui_port}"

    def client_settings(self, **overrides) -> ClientSettings:
        values = {"name": "test", "url": self.url, "username": QBIT_USER, "password": QBIT_PASSWORD, "timeout": 10.0}
        return ClientSettings(**{**values, **overrides})

    def start(self) -> Qbittorrent:
        self.webui_port = self.webui_port or free_port()
        self.torrent_port = self.torrent_port or free_port()
        self.downloads.mkdir(parents=True, exist_ok=True)
        conf = self.folder / "qBittorrent" / "config" / "qBittorrent.conf"
        if not conf.exists():
            conf.parent.mkdir(parents=True, exist_ok=True)
            conf.write_text(
                qbittorrent_conf(webui_port=self.webui_port, torrent_port=self.torrent_port, save_path=self.downloads),
                encoding="utf-8",
            )
        log = self.folder / "stdout.log"
        process = subprocess.Popen(
            ["qbittorrent-nox", f"--profile={self.folder}", f"--webui-port={self.webui_port}"],
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "HOME": str(self.folder), "QT_QPA_PLATFORM": "offscreen"},
        )
        self.daemon = Daemon("qbittorrent-nox", process, self.webui_port, log)
        wait_for_port(self.webui_port, process=process)
        return self

    def stop(self) -> None:
        if self.daemon is not None:
            self.daemon.stop()

    @contextmanager
    def session(self) -> Iterator[httpx.Client]:
        """A logged-in raw HTTP session (for set-up steps the adapter does not offer)."""
        with httpx.Client(base_url=self.url, timeout=10) as client:
            reply = client.post("/api/v2/auth/login", data={"username": QBIT_USER, "password": QBIT_PASSWORD})
            assert reply.text == "Ok.", reply.text
            yield client

    def wait_for(self, info_hash: str, predicate, *, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        with self.session() as client:
            while time.monotonic() < deadline:
                rows = client.get("/api/v2/torrents/info", params={"hashes": info_hash}).json()
                if rows and predicate(rows[0]):
                    return rows[0]
                time.sleep(0.1)
        raise AssertionError(f"{info_hash} on {self.url}: condition not met in {timeout} s: {rows}")

    def seed(self, torrent: bytes, data_folder: Path) -> str:
        """Add a .torrent whose data already lies in `data_folder`; wait until it seeds."""
        with self.session() as client:
            reply = client.post(
                "/api/v2/torrents/add",
                data={"savepath": str(data_folder), "skip_checking": "true"},
                files={"torrents": ("seed.torrent", torrent, "application/x-bittorrent")},
            )
            assert reply.text == "Ok.", reply.text
        from downloaders.clients.torrentfiles import info_hash_of_torrent

        info_hash = info_hash_of_torrent(torrent)
        self.wait_for(info_hash, lambda row: row["state"] in ("uploading", "stalledUP"))
        return info_hash


def unique_name(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


@dataclass(frozen=True)
class SeededBook:
    """A real EPUB, its .torrent and info hash, seeded by the session's seeder."""

    name: str
    path: Path
    torrent: bytes
    info_hash: str
    announce: str


def seed_book(
    seeder: Qbittorrent, tracker: Tracker, folder: Path, *, title: str, author: str, cover: bytes | None = None
) -> SeededBook:
    """A new real EPUB under `folder`, made into a torrent and seeded (each its own hash)."""
    if missing_binaries("mktorrent"):
        pytest.skip("needs mktorrent (Debian package; see scripts/system-deps.sh)")
    name = f"{author} - {title}"
    folder.mkdir(parents=True, exist_ok=True)
    path = make_epub(folder / f"{name}.epub", title=title, authors=(author,), cover=cover)
    torrent = make_torrent(path, tracker.announce, folder / f"{name}.torrent")
    tracker.allow(info_hash_of_torrent(torrent))
    info_hash = seeder.seed(torrent, folder)
    return SeededBook(name, path, torrent, info_hash, tracker.announce)
