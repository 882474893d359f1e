"""Start-up benchmark of `manage.py serve` (what `./omni run` execs), as a user starts it: a fresh
data folder, a cold first start (migrations, static files, admin account), then warm restarts
(nothing changed), each timed from the command to the first HTTP 200 of /api/health (a Django
view that queries the database: nothing but Django listens on the port; the log-in page is then
checked too), then the idle memory of the whole process tree once the worker and scheduler have
started.

    python -m benchmarks.startup                 # SQLite, 5 warm restarts
    python -m benchmarks.startup --restarts 9 --database-url postgres://postgres@127.0.0.1:5432/postgres

On a shared machine wall seconds depend on the other processes, so it also prints the CPU
seconds the process tree used until the first 200 (all of it, and the web path alone: serve, the
supervisor and the web server, not the worker) and the load average. Bytecode caching is left on, as in
a user's shell (PYTHONDONTWRITEBYTECODE is dropped from the environment unless --keep-environment):
the cold start writes the caches the warm restarts read. Prints figures only; asserts nothing."""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.e2e import PostgresDatabase, Sampler, Server, _line, _mem, free_port, tree_detail

LOGIN = "/accounts/login/"


def environment(data: Path, args: argparse.Namespace) -> dict[str, str]:
    env = {
        **os.environ,
        "OMNI_DATA_DIR": str(data),
        "OMNI_ADMIN_USER": "bench",
        "OMNI_ADMIN_PASSWORD": secrets.token_urlsafe(16),
        "OMNI_LOG_LEVEL": "warning",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("OMNI_METRICS_FOLDER", None)
    if not args.keep_environment:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    return env


def is_login_page(server: Server) -> bool:
    import httpx

    response = httpx.get(f"{server.base}{LOGIN}", timeout=10)
    return response.status_code == 200 and 'name="password"' in response.text and "csrfmiddlewaretoken" in response.text


def _timing(elapsed: float, cpu: float, web_cpu: float) -> str:
    return f"{elapsed:.2f} s ({cpu:.2f} CPU s, web path {web_cpu:.2f})"


def measure(args: argparse.Namespace, server: Server) -> None:
    cold = server.start()
    _line("cold first start: command -> first HTTP 200", _timing(*cold))
    _line("  then the log-in page renders", str(is_login_page(server)))
    server.stop()
    lines = server.log.read_text().splitlines()
    _line("  lines it printed before serving", f"{sum(1 for line in lines if not line.startswith('['))}")
    warm = []
    for number in range(args.restarts):
        if number:
            server.stop()
        warm.append(server.start())
    for label, index in (("wall", 0), ("CPU", 1), ("web path CPU", 2)):
        figures = [run[index] for run in warm]
        _line(
            f"warm restart ({len(warm)}x): {label} seconds to first 200",
            f"median {statistics.median(figures):.2f} (min {min(figures):.2f}, max {max(figures):.2f})",
        )
    _line("  each", ", ".join(_timing(*run) for run in warm))
    assert server.process is not None
    sampler = Sampler(server.process.pid)
    sampler.start()
    time.sleep(args.idle_seconds)  # the worker and scheduler start after the first 200
    sampler.mark("idle")
    time.sleep(3)
    sampler.stop()
    _line("idle memory of the process tree", _mem(sampler.peak("idle")))
    for pid, rss, command in tree_detail(server.process.pid):
        print(f"    {pid:>7} {rss:6.0f} MB  {command}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Cold start, warm restarts and idle memory of manage.py serve")
    parser.add_argument("--restarts", type=int, default=5, help="warm restarts timed (the median is printed)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server: a fresh database is made on it")
    parser.add_argument("--idle-seconds", type=float, default=15, help="wait before the idle memory sample")
    parser.add_argument(
        "--keep-environment",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE if set (every start compiles the project then)",
    )
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs", flush=True)
    database = PostgresDatabase(args.database_url) if args.database_url else None
    if database:
        args.database_url = database.create()
    try:
        with tempfile.TemporaryDirectory(prefix="omni-startup-") as work:
            server = Server(environment(Path(work) / "data", args), free_port(), Path(work) / "serve.log")
            try:
                measure(args, server)
            finally:
                if server.process and server.process.poll() is None:
                    server.stop()
    finally:
        if database:
            database.drop()
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
