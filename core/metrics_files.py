"""Where prometheus-client's multiprocess files live (no prometheus_client import here: settings.py
points the library at its folder before anything imports it).

Every process (each web process, each Dramatiq worker process) writes its counters and
histograms to memory-mapped files; /metrics adds up every folder under METRICS_DIR. A process tree
started by one command owns one folder, `<METRICS_DIR>/<hostname>-<role>/` (role: serve, web or
worker), and empties it when it starts: its counters then start again from zero, which Prometheus
reads as a restart, and the other trees' live files are left alone (containers sharing the data
volume, or a web server and a worker started apart on one machine). The command's children
inherit the folder through the environment. Processes outside such a tree (a management command,
the tests) write to `<hostname>-other/`."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

FOLDER_ENV = "OMNI_METRICS_FOLDER"  # set by the command that owns the folder, for its children


def host_folder(root: Path, role: str) -> Path:
    host = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname() or "host")
    return Path(root) / f"{host}-{role}"


def use_folder(root: Path) -> Path:
    """Point prometheus-client at this process's folder; must run before prometheus_client is
    first imported (settings.py calls it), or the process would count in memory only."""
    folder = Path(os.environ.get(FOLDER_ENV) or host_folder(root, "other"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


def claim_folder(root: Path, role: str) -> int:
    """At the start of a command that runs a process tree: take the role's folder, empty it and
    hand it to the children. Nothing happens under a parent that already claimed one (`serve`
    starts the web server and the worker). Returns the number of stale files removed."""
    if os.environ.get(FOLDER_ENV):
        return 0
    folder = host_folder(root, role)
    folder.mkdir(parents=True, exist_ok=True)
    removed = 0
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)
        removed += 1
    os.environ[FOLDER_ENV] = os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return removed


def metric_files(root: Path) -> list[str]:
    return sorted(str(path) for path in Path(root).glob("*/*.db"))
