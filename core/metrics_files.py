"""Where prometheus-client's multiprocess files live (no prometheus_client import here: settings.py
points the library at its folder before anything imports it).

Every process (each gunicorn worker, each Dramatiq worker process) writes its counters and
histograms to memory-mapped files in its host's folder, `<METRICS_DIR>/<hostname>/`, so containers
sharing the data volume never share a file; /metrics adds up the files of every folder.

A folder is emptied when the process tree that writes to it starts (`manage.py serve`, gunicorn,
`manage.py worker`): counters then start again from zero, which Prometheus reads as a restart."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

CLEARED_ENV = "OMNI_METRICS_CLEARED"  # set by the process that emptied the folder, for its children


def host_folder(root: Path) -> Path:
    return Path(root) / re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname() or "host")


def use_folder(root: Path) -> Path:
    """Point prometheus-client at this host's folder; must run before prometheus_client is first
    imported (settings.py calls it), or the process would count in memory only."""
    folder = host_folder(root)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


def clear_at_start(root: Path) -> int:
    """Empty this host's folder when a process tree starts, unless a parent already did (it then
    left CLEARED_ENV for its children). Returns the number of files removed."""
    if os.environ.get(CLEARED_ENV):
        return 0
    removed = 0
    for stale in host_folder(root).glob("*.db"):
        stale.unlink(missing_ok=True)
        removed += 1
    os.environ[CLEARED_ENV] = "1"
    return removed


def metric_files(root: Path) -> list[str]:
    return sorted(str(path) for path in Path(root).glob("*/*.db"))
