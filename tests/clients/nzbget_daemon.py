"""A real NZBGet (`nzbget -s`, server mode in the foreground) for tests: its own config file
and folders in a temporary directory, the control port on a free 127.0.0.1 port, one news
server (tests/clients/nntp_server.py), no retries or waits that would slow tests down, and
stopped by its PID."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from downloaders.clients.base import ClientSettings
from tests.clients.swarm import free_port

CONTROL_USER, CONTROL_PASSWORD = "omni", "nzbget-test-password"
CATEGORIES = ("ebooks", "audiobooks")


@dataclass
class NzbgetDaemon:
    folder: Path
    news_port: int
    news_user: str
    news_password: str
    port: int = field(default_factory=free_port)
    popen: subprocess.Popen | None = None

    @property
    def dest_dir(self) -> Path:
        return self.folder / "complete"

    @property
    def config_file(self) -> Path:
        return self.folder / "nzbget.conf"

    def config(self) -> dict[str, str]:
        main = self.folder / "main"
        values = {
            "MainDir": str(main),
            "DestDir": str(self.dest_dir),
            "InterDir": str(main / "intermediate"),
            "NzbDir": str(main / "nzb"),
            "QueueDir": str(main / "queue"),
            "TempDir": str(main / "tmp"),
            "ScriptDir": str(main / "scripts"),
            "LockFile": str(main / "nzbget.lock"),
            "LogFile": str(main / "nzbget.log"),
            "WebDir": "",
            "ConfigTemplate": "",
            "ControlIP": "127.0.0.1",
            "ControlPort": str(self.port),
            "ControlUsername": CONTROL_USER,
            "ControlPassword": CONTROL_PASSWORD,
            "SecureControl": "no",
            "UpdateCheck": "none",
            "OutputMode": "loggable",
            "WriteLog": "append",
            "DetailTarget": "log",
            "DebugTarget": "none",
            "NzbDirInterval": "0",  # no watch folder scans
            "ArticleRetries": "0",  # a missing article fails at once
            "ArticleInterval": "0",
            "ArticleTimeout": "5",
            "UrlRetries": "0",
            "UrlTimeout": "5",
            "ParCheck": "auto",
            "Unpack": "no",
            "HealthCheck": "park",
            "DupeCheck": "yes",  # as in Debian's default config
            "DiskSpace": "0",
            "KeepHistory": "30",
            "AppendCategoryDir": "yes",
            "Server1.Active": "yes",
            "Server1.Name": "test-news",
            "Server1.Level": "0",
            "Server1.Host": "127.0.0.1",
            "Server1.Port": str(self.news_port),
            "Server1.Username": self.news_user,
            "Server1.Password": self.news_password,
            "Server1.JoinGroup": "no",
            "Server1.Encryption": "no",
            "Server1.Connections": "2",
        }
        for number, name in enumerate(CATEGORIES, start=1):
            values[f"Category{number}.Name"] = name
        return values

    def start(self) -> NzbgetDaemon:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.dest_dir.mkdir(parents=True, exist_ok=True)
        if not self.config_file.exists():
            text = "".join(f"{key}={value}\n" for key, value in self.config().items())
            self.config_file.write_text(text, encoding="utf-8")
        log = (self.folder / "console.log").open("ab")
        self.popen = subprocess.Popen(
            ["nzbget", "-s", "-c", str(self.config_file)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._wait_listening()
        return self

    def _wait_listening(self, timeout: float = 20.0) -> None:
        assert self.popen is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                log = (self.folder / "console.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"nzbget exited with {self.popen.returncode}: {log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nzbget: nothing listens on 127.0.0.1:{self.port} after {timeout} s")

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=5)

    def client_settings(self, **overrides) -> ClientSettings:
        values = {
            "name": "test",
            "url": f"http://127.0.0.1:{self.port}",
            "username": CONTROL_USER,
            "password": CONTROL_PASSWORD,
            "timeout": 5.0,
            "categories": (("ebook", "ebooks"), ("audiobook", "audiobooks")),
            **overrides,
        }
        return ClientSettings(**values)


def nzbget_missing() -> bool:
    return shutil.which("nzbget") is None
