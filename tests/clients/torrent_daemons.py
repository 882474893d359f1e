"""Real transmission-daemon and deluged + deluge-web for tests, each in a temporary config
folder, listening on free 127.0.0.1 ports, with DHT/LSD/PeX/UPnP off, stopped by PID.
Also: real .torrent files made by mktorrent, their info hashes, and a tiny HTTP server
that hands .torrent files to the clients (for the "client fetches the URL" path)."""

from __future__ import annotations

import hashlib
import json
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from downloaders.clients.base import ClientSettings
from downloaders.clients.torrentfiles import info_hash_of_torrent
from tests.clients.swarm import free_port, wait_for_port

TRANSMISSION_USER, TRANSMISSION_PASSWORD = "omni", "transmission-test-password"
DELUGE_WEB_PASSWORD = "deluge-test-password"
DEAD_TRACKER = "http://127.0.0.1:9/announce"  # nothing listens: the clients simply find no peers


def wait_until(check: Callable[[], object], *, timeout: float = 15.0, what: str = "condition") -> object:
    """Poll `check` until it returns something truthy (daemons apply commands asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached in {timeout} s (last: {result!r})")
        time.sleep(0.1)


@dataclass
class Process:
    args: list[str]
    log: Path
    port: int
    popen: subprocess.Popen | None = None

    def start(self) -> None:
        self.popen = subprocess.Popen(
            self.args, stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self) -> None:
        assert self.popen is not None
        wait_for_port(self.port, process=self.popen, timeout=20.0)

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=5)


@dataclass
class Transmission:
    folder: Path
    rpc_port: int = field(default_factory=free_port)
    peer_port: int = field(default_factory=free_port)
    process: Process | None = None

    @property
    def downloads(self) -> Path:
        return self.folder / "downloads"

    def settings_json(self) -> dict:
        return {
            "rpc-enabled": True,
            "rpc-bind-address": "127.0.0.1",
            "rpc-port": self.rpc_port,
            "rpc-authentication-required": True,
            "rpc-username": TRANSMISSION_USER,
            "rpc-password": TRANSMISSION_PASSWORD,
            "rpc-whitelist-enabled": True,
            "rpc-whitelist": "127.0.0.1",
            "rpc-host-whitelist-enabled": False,
            "bind-address-ipv4": "127.0.0.1",
            "peer-port": self.peer_port,
            "peer-port-random-on-start": False,
            "port-forwarding-enabled": False,
            "dht-enabled": False,
            "lpd-enabled": False,
            "pex-enabled": False,
            "utp-enabled": False,
            "download-dir": str(self.downloads),
            "incomplete-dir-enabled": False,
            "watch-dir-enabled": False,
            "ratio-limit-enabled": False,
            "start-added-torrents": True,
            "download-queue-enabled": False,
            "seed-queue-enabled": False,
            "message-level": 1,
        }

    def start(self) -> Transmission:
        config = self.folder / "config"
        config.mkdir(parents=True, exist_ok=True)
        self.downloads.mkdir(parents=True, exist_ok=True)
        if not (config / "settings.json").exists():  # the daemon rewrites it (hashing the password)
            (config / "settings.json").write_text(json.dumps(self.settings_json()), encoding="utf-8")
        self.process = Process(["transmission-daemon", "-f", "-g", str(config)], self.folder / "log", self.rpc_port)
        self.process.start()
        self.process.wait_ready()
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def client_settings(self, **overrides) -> ClientSettings:
        values = {
            "name": "test",
            "url": f"http://127.0.0.1:{self.rpc_port}",
            "username": TRANSMISSION_USER,
            "password": TRANSMISSION_PASSWORD,
            "timeout": 10.0,
            **overrides,
        }
        return ClientSettings(**values)


def _deluge_config(name: str, version: int, values: dict) -> str:
    """Deluge's config files: a JSON header object then the JSON values."""
    return json.dumps({"file": version, "format": 1}) + json.dumps(values, indent=2)


def deluge_web_password(password: str) -> dict:
    """web.conf's password: sha1(salt + password) next to the salt (deluge/ui/web/auth.py)."""
    salt = secrets.token_hex(20)
    return {"pwd_salt": salt, "pwd_sha1": hashlib.sha1((salt + password).encode()).hexdigest()}


@dataclass
class Deluge:
    """deluged plus deluge-web in one config folder; the web UI's host list holds the daemon."""

    folder: Path
    daemon_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    peer_port: int = field(default_factory=free_port)
    daemon: Process | None = None
    web: Process | None = None

    @property
    def downloads(self) -> Path:
        return self.folder / "downloads"

    @property
    def config(self) -> Path:
        return self.folder / "config"

    def write_config(self) -> None:
        self.config.mkdir(parents=True, exist_ok=True)
        self.downloads.mkdir(parents=True, exist_ok=True)
        daemon_password = secrets.token_hex(8)
        (self.config / "auth").write_text(
            f"localclient:{secrets.token_hex(8)}:10\nomni:{daemon_password}:10\n", encoding="utf-8"
        )
        core = {
            "download_location": str(self.downloads),
            "move_completed": False,
            "listen_ports": [self.peer_port] * 2,
            "random_port": False,
            "listen_interface": "127.0.0.1",
            "dht": False,
            "lsd": False,
            "upnp": False,
            "natpmp": False,
            "utpex": False,
            "new_release_check": False,
            "enabled_plugins": ["Label"],
            "stop_seed_at_ratio": False,
            "max_active_limit": -1,  # no queue: each test's torrents run whatever the others do
            "max_active_downloading": -1,
            "max_active_seeding": -1,
        }
        web = {
            **deluge_web_password(DELUGE_WEB_PASSWORD),
            "interface": "127.0.0.1",
            "port": self.web_port,
            "first_login": False,
            "default_daemon": "",
        }
        hosts = {"hosts": [[secrets.token_hex(16), "127.0.0.1", self.daemon_port, "omni", daemon_password]]}
        (self.config / "core.conf").write_text(_deluge_config("core", 1, core), encoding="utf-8")
        (self.config / "web.conf").write_text(_deluge_config("web", 2, web), encoding="utf-8")
        (self.config / "hostlist.conf").write_text(_deluge_config("hostlist", 3, hosts), encoding="utf-8")

    def start(self) -> Deluge:
        if not (self.config / "core.conf").exists():
            self.write_config()
        self.start_daemon()
        self.web = Process(
            ["deluge-web", "-c", str(self.config), "-i", "127.0.0.1", "-p", str(self.web_port), "-d", "-L", "warning"],
            self.folder / "web.log",
            self.web_port,
        )
        self.web.start()
        self.daemon.wait_ready()
        self.web.wait_ready()
        return self

    def start_daemon(self, *, wait: bool = False) -> None:
        self.daemon = Process(
            ["deluged", "-c", str(self.config), "-u", "127.0.0.1", "-p", str(self.daemon_port), "-d", "-L", "warning"],
            self.folder / "daemon.log",
            self.daemon_port,
        )
        self.daemon.start()
        if wait:
            self.daemon.wait_ready()

    def stop(self) -> None:
        for process in (self.web, self.daemon):
            if process is not None:
                process.stop()

    def client_settings(self, **overrides) -> ClientSettings:
        values = {
            "name": "test",
            "url": f"http://127.0.0.1:{self.web_port}",
            "password": DELUGE_WEB_PASSWORD,
            "timeout": 10.0,
            **overrides,
        }
        return ClientSettings(**values)


# --- real torrents -----------------------------------------------------------------------


@dataclass(frozen=True)
class Torrent:
    path: Path  # the real file the torrent describes
    torrent: bytes
    info_hash: str

    @property
    def magnet(self) -> str:
        return f"magnet:?xt=urn:btih:{self.info_hash}&dn={self.path.name}"


def make_torrent(folder: Path, name: str, size: int = 100_000) -> Torrent:
    """A new file of random bytes (so every torrent has its own hash) made into a .torrent by mktorrent."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(secrets.token_bytes(size))
    output = folder / f"{name}.torrent"
    subprocess.run(
        ["mktorrent", "-l", "15", "-a", DEAD_TRACKER, "-o", str(output), str(path)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    data = output.read_bytes()
    return Torrent(path, data, info_hash_of_torrent(data))


class FileServer:
    """Serves one folder over HTTP on 127.0.0.1 (the clients fetch .torrent URLs themselves)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        handler = partial(_QuietHandler, directory=str(folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/{name}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass
