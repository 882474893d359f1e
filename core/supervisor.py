"""The supervising process of `manage.py serve`: once serve has prepared the database and the
static files it replaces itself with this module (same process id, so Ctrl-C and a service
manager's SIGTERM reach it), which starts the web server and the worker (the worker runs the
scheduler as a thread), restarts a child that dies, and stops them all on SIGINT or SIGTERM.

It imports no Django: it holds about 10 MB where a Django process holds about 100 MB.

    python -m core.supervisor --bind 127.0.0.1:8000 --web-workers 1 --web-threads 8
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def commands(python: str, *, bind: str, web_workers: int, web_threads: int,
             worker_processes: int = 1) -> dict[str, list[str]]:
    """The children, in start order: the web server first, so it answers as soon as it can. A
    worker of one process runs the scheduler as a thread; Dramatiq's several processes cannot."""
    manage = str(BASE_DIR / "manage.py")
    children = {
        "web": [python, "-m", "gunicorn", "omnireadarr.wsgi:application", "--bind", bind,
                "--workers", str(web_workers), "--threads", str(web_threads), "--worker-class", "gthread",
                "--access-logfile", "-", "--graceful-timeout", "10"],
        "worker": [python, manage, "worker", "--processes", str(worker_processes)],
    }
    if worker_processes == 1:
        children["worker"].append("--with-scheduler")
    else:
        children["scheduler"] = [python, manage, "scheduler"]
    return children


class Supervisor:
    def __init__(self, children: dict[str, list[str]], *, restart_delay: float = 2.0) -> None:
        self.commands = children
        self.restart_delay = restart_delay
        self.running: dict[str, subprocess.Popen] = {}
        self.stopping = False

    def stop(self, *_: object) -> None:
        self.stopping = True

    def start(self, name: str) -> None:
        self.running[name] = subprocess.Popen(self.commands[name], cwd=BASE_DIR)

    def run(self, *, poll: float = 0.5) -> None:
        for name in self.commands:
            self.start(name)
        while not self.stopping:
            time.sleep(poll)
            for name, child in list(self.running.items()):
                if child.poll() is not None and not self.stopping:
                    print(f"{name} exited with {child.returncode}; restarting in {self.restart_delay:g} s",
                          file=sys.stderr, flush=True)
                    time.sleep(self.restart_delay)
                    self.start(name)
        self.shutdown()

    def shutdown(self, timeout: float = 20) -> None:
        for child in self.running.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self.running.values():
            try:
                child.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the web server and the worker; Ctrl-C stops both.")
    parser.add_argument("--bind", required=True)
    parser.add_argument("--web-workers", type=int, required=True)
    parser.add_argument("--web-threads", type=int, required=True)
    parser.add_argument("--worker-processes", type=int, default=1)
    args = parser.parse_args(argv)
    supervisor = Supervisor(commands(sys.executable, bind=args.bind, web_workers=args.web_workers,
                                     web_threads=args.web_threads, worker_processes=args.worker_processes))
    signal.signal(signal.SIGINT, supervisor.stop)
    signal.signal(signal.SIGTERM, supervisor.stop)
    print(f"OmniReadarr is serving on http://{args.bind}/ (Ctrl-C stops)", flush=True)
    supervisor.run()


if __name__ == "__main__":
    main()
