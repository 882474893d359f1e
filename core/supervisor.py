"""The supervising process of `manage.py serve`: once serve has prepared the database and the
static files it replaces itself with this module (same process id, so Ctrl-C and a service
manager's SIGTERM reach it), which starts the web server, then, once the web server reports that
it answers (or has ended, or after READY_TIMEOUT), the worker (which runs the scheduler as a
thread); it restarts a child that dies and stops them all on SIGINT or SIGTERM. The worker waits
so that on a small machine it does not take the CPU the web server needs to start.

The web server is one process serving with threads (core/webserver.py, waitress), or gunicorn
when several web processes are asked for (OMNI_WEB_WORKERS). It reports through a pipe: the
supervisor passes its writing end's number in OMNI_READY_FD, and core/webserver.py (or
gunicorn.conf.py, in each gunicorn worker) calls `report_ready()` once it has loaded every view.

It imports no Django: it holds about 10 MB where a Django process holds about 100 MB.

    python -m core.supervisor --bind 127.0.0.1:8000 --web-workers 1 --web-threads 8
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
READY_FD_ENV = "OMNI_READY_FD"
READY_TIMEOUT = 60.0  # seconds the worker waits for the web server at most
# glibc gives each thread that allocates its own heap (up to 8 per core), and the web server's 8
# threads and the worker's take turns: ~20 MB more per process after some work, kept for good.
# Python threads take turns under the GIL anyway, so two heaps cost no measurable speed (e2e
# search latency). The environment's own value wins.
CHILD_ENVIRONMENT = {"MALLOC_ARENA_MAX": "2"}


def report_ready() -> None:
    """In a child started first: tell the supervisor it is ready (once; nothing outside serve)."""
    descriptor = os.environ.pop(READY_FD_ENV, None)
    if descriptor is None:
        return
    # OSError: the supervisor stopped waiting already (a web process started later), or no such pipe
    with contextlib.suppress(OSError, ValueError):
        os.write(int(descriptor), b"ready")
    with contextlib.suppress(OSError, ValueError):
        os.close(int(descriptor))


def child_environment() -> dict[str, str]:
    return {**CHILD_ENVIRONMENT, **os.environ}


def process_age() -> float | None:
    """Seconds since this process started (the command: serve execs into the supervisor), from
    /proc; None where there is none."""
    try:
        started = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return uptime - started / os.sysconf("SC_CLK_TCK")


def web_command(python: str, *, bind: str, web_workers: int, web_threads: int) -> list[str]:
    """One web process: waitress in that process (core/webserver.py), since a gunicorn master
    would only watch the one worker, as this supervisor does, for 26 MB. Several: gunicorn."""
    if web_workers == 1:
        return [python, "-m", "core.webserver", "--bind", bind, "--threads", str(web_threads)]
    return [
        python,
        "-m",
        "gunicorn",
        "omnireadarr.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(web_workers),
        "--threads",
        str(web_threads),
        "--worker-class",
        "gthread",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]


def commands(
    python: str, *, bind: str, web_workers: int, web_threads: int, worker_processes: int = 1
) -> dict[str, list[str]]:
    """The children, in start order: the web server first, so it answers as soon as it can. A
    worker of one process runs the scheduler as a thread; Dramatiq's several processes cannot."""
    manage = str(BASE_DIR / "manage.py")
    children = {
        "web": web_command(python, bind=bind, web_workers=web_workers, web_threads=web_threads),
        "worker": [python, manage, "worker", "--processes", str(worker_processes)],
    }
    if worker_processes == 1:
        children["worker"].append("--with-scheduler")
    else:
        children["scheduler"] = [python, manage, "scheduler"]
    return children


class Supervisor:
    """Starts the first child alone and the others once it is ready (see the module's text)."""

    def __init__(
        self,
        children: dict[str, list[str]],
        *,
        restart_delay: float = 2.0,
        ready_timeout: float = READY_TIMEOUT,
        on_ready: Callable[[bool], None] = lambda ready: None,
    ) -> None:
        self.commands = children
        self.restart_delay = restart_delay
        self.ready_timeout = ready_timeout
        self.on_ready = on_ready  # called with True when the first child reported, False otherwise
        self.running: dict[str, subprocess.Popen] = {}
        self.stopping = False

    def stop(self, *_: object) -> None:
        self.stopping = True

    def start(self, name: str) -> None:
        self.running[name] = subprocess.Popen(self.commands[name], cwd=BASE_DIR, env=child_environment())

    def start_and_wait(self, name: str, *, poll: float) -> bool:
        """Starts a child with the pipe's writing end; True once it wrote, False when it ended
        (every writer closed), the timeout passed or a stop was asked first."""
        reading, writing = os.pipe()
        try:
            env = {**child_environment(), READY_FD_ENV: str(writing)}
            self.running[name] = subprocess.Popen(self.commands[name], cwd=BASE_DIR, pass_fds=(writing,), env=env)
        finally:
            os.close(writing)
        deadline = time.monotonic() + self.ready_timeout
        try:
            while not self.stopping and time.monotonic() < deadline:  # `poll` only to notice a stop
                if select.select([reading], [], [], min(poll, max(0.0, deadline - time.monotonic())))[0]:
                    return os.read(reading, 16) != b""
            return False
        finally:
            os.close(reading)

    def run(self, *, poll: float = 0.5) -> None:
        first, *others = self.commands
        ready = self.start_and_wait(first, poll=poll)
        if not self.stopping:
            self.on_ready(ready)
            for name in others:
                self.start(name)
        while not self.stopping:
            time.sleep(poll)
            for name, child in list(self.running.items()):
                if child.poll() is not None and not self.stopping:
                    print(
                        f"{name} exited with {child.returncode}; restarting in {self.restart_delay:g} s",
                        file=sys.stderr,
                        flush=True,
                    )
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
    children = commands(
        sys.executable,
        bind=args.bind,
        web_workers=args.web_workers,
        web_threads=args.web_threads,
        worker_processes=args.worker_processes,
    )
    supervisor = Supervisor(children, on_ready=lambda ready: announce(args.bind, ready=ready))
    signal.signal(signal.SIGINT, supervisor.stop)
    signal.signal(signal.SIGTERM, supervisor.stop)
    print(f"Web server: starting on http://{args.bind}/ ...", flush=True)
    supervisor.run()


def announce(bind: str, *, ready: bool) -> None:
    age = process_age()
    after = f" {age:.1f} s after the command" if age is not None else ""
    if ready:
        print(
            f"OmniReadarr is ready on http://{bind}/{after} (Ctrl-C stops); starting the worker and scheduler.",
            flush=True,
        )
    else:
        print(
            f"The web server has not reported ready{after}; starting the worker and scheduler anyway.",
            file=sys.stderr,
            flush=True,
        )


if __name__ == "__main__":
    main()
