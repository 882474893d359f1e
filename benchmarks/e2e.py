"""End-to-end benchmark, as a user runs the application: the real `manage.py serve` (web server,
worker and scheduler) on a free port with a fresh data folder, driven over HTTP with an API key.

    python -m benchmarks.e2e                      # 5,000 generated EPUBs (+ a few others), SQLite
    python -m benchmarks.e2e --size 100000
    python -m benchmarks.e2e --database-url postgres://postgres@127.0.0.1:5432/postgres

It generates a corpus (benchmarks/scan_corpus.py), starts serve and times the first start (command
to the first HTTP 200), stops it, times a warm restart, measures the idle memory of the whole
process tree, adds the corpus as a scan folder, scans it (the scan job's end: every book is
searchable), waits for every job (covers and thumbnails), rescans it unchanged, runs library
searches and prints the figures. The memory of the process tree (serve and every descendant) is
sampled every 0.25 s from /proc: RSS (what each process holds, shared pages counted in each) and
PSS (shared pages divided among their processes). With --database-url it creates a fresh database
on that server (dropped at the end). Prints figures only; it asserts nothing."""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# --- memory of a process tree (/proc) ---------------------------------------------------------
def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()  # the name may hold spaces and ')'
        except OSError:  # ended meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def process_tree(root: int) -> list[int]:
    """The process and every descendant alive now."""
    children, found, stack = _children_map(), [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def _kib(path: str, key: bytes) -> int:
    try:
        with open(path, "rb") as lines:
            for line in lines:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:  # ended meanwhile, or smaps_rollup unreadable
        pass
    return 0


@dataclass(frozen=True)
class TreeMemory:
    rss_mb: float
    pss_mb: float
    processes: int


def tree_memory(root: int) -> TreeMemory:
    """RSS and PSS of a process and all its descendants, added up, in MB."""
    pids = process_tree(root)
    rss = sum(_kib(f"/proc/{pid}/status", b"VmRSS:") for pid in pids)
    pss = sum(_kib(f"/proc/{pid}/smaps_rollup", b"Pss:") for pid in pids)
    return TreeMemory(rss / 1024, pss / 1024, len(pids))


BESIDE_THE_WEB = (b"manage.py\0worker", b"bin/dramatiq\0", b"manage.py\0scheduler")  # start beside it


def tree_cpu_seconds(root: int, *, web_path: bool = False) -> float:
    """User + system CPU time used so far by a process and its live descendants; with
    `web_path`, only by those the first HTTP 200 waits for (not the worker and scheduler)."""
    ticks = 0
    for pid in process_tree(root):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if web_path and any(marker in command for marker in BESIDE_THE_WEB):
            continue
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_detail(root: int) -> list[tuple[int, float, str]]:
    detail = []
    for pid in process_tree(root):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:90]
        except OSError:
            continue
        detail.append((pid, _kib(f"/proc/{pid}/status", b"VmRSS:") / 1024, command))
    return detail


class Sampler(threading.Thread):
    """Samples a process tree's memory until stopped; `mark()` starts a new phase."""

    def __init__(self, root: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.samples: list[tuple[str, TreeMemory]] = []
        self.phase = "start"
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.samples.append((self.phase, tree_memory(self.root)))
            self._halt.wait(self.interval)

    def mark(self, phase: str) -> None:
        self.phase = phase

    def stop(self) -> None:
        self._halt.set()
        self.join(5)

    def peak(self, *phases: str) -> TreeMemory:
        chosen = [m for p, m in self.samples if not phases or p in phases] or [TreeMemory(0, 0, 0)]
        return TreeMemory(max(m.rss_mb for m in chosen), max(m.pss_mb for m in chosen),
                          max(m.processes for m in chosen))


# --- the server -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    env: dict[str, str]
    port: int
    log: Path
    separate_steps: bool = False
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 600) -> tuple[float, float, float]:
        """Starts serve; returns the seconds from the command to the first HTTP 200, the CPU
        seconds every process used until then and those of all but the worker (figures less
        sensitive to a busy machine: the worker starts beside the web server)."""
        import httpx

        started = time.perf_counter()
        children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        with self.log.open("ab") as log:
            for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], ["ensure_admin"]):
                if self.separate_steps:  # what `./omni run` did before serve prepared itself
                    subprocess.run([sys.executable, "manage.py", *step], cwd=ROOT, env=self.env, stdout=log,
                                   stderr=subprocess.STDOUT, check=True)
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{self.port}"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise SystemExit(f"serve exited with {self.process.returncode}; see {self.log}")
            try:
                if httpx.get(f"{self.base}/api/health", timeout=2).status_code == 200:
                    elapsed = time.perf_counter() - started
                    steps = resource.getrusage(resource.RUSAGE_CHILDREN)  # the separate steps, ended
                    steps_cpu = steps.ru_utime + steps.ru_stime - children_cpu.ru_utime - children_cpu.ru_stime
                    return (elapsed, steps_cpu + tree_cpu_seconds(self.process.pid),
                            steps_cpu + tree_cpu_seconds(self.process.pid, web_path=True))
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise SystemExit(f"no HTTP 200 after {timeout} s; see {self.log}")

    def stop(self) -> float:
        """Ctrl-C, as in a terminal; returns the seconds until every process has ended."""
        assert self.process is not None
        started = time.perf_counter()
        tree = process_tree(self.process.pid)
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        while any(Path(f"/proc/{pid}").exists() and _kib(f"/proc/{pid}/status", b"VmRSS:") for pid in tree):
            time.sleep(0.05)
            if time.perf_counter() - started > 60:
                break
        return time.perf_counter() - started


class Api:
    def __init__(self, base: str, key: str) -> None:
        import httpx

        self.client = httpx.Client(base_url=f"{base}/api/v1", headers={"X-Api-Key": key}, timeout=120)

    def call(self, method: str, path: str, **kwargs) -> dict:
        response = self.client.request(method, path, **kwargs)
        body = response.json()
        if not body.get("success"):
            raise SystemExit(f"{method} {path}: HTTP {response.status_code} {body.get('error')}")
        return body["data"]

    def wait_job(self, job_id: int, timeout: float = 7200) -> dict:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            job = self.call("GET", f"/jobs/{job_id}")
            if job["state"] not in ("queued", "running"):
                return job
            time.sleep(0.1)
        raise SystemExit(f"job {job_id} still running after {timeout} s")

    def wait_all_jobs(self, timeout: float = 7200) -> None:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if not self.call("GET", "/jobs/", params={"active": "true", "page_size": 1})["items"]:
                return
            time.sleep(0.25)
        raise SystemExit(f"jobs still running after {timeout} s")


def issue_api_key(base: str, username: str, password: str) -> str:
    """Logs in through the log-in page and creates the user's API key, as the Settings page does."""
    import httpx

    with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as browser:
        browser.get("/accounts/login/")
        token = browser.cookies["csrftoken"]
        response = browser.post("/accounts/login/", data={"username": username, "password": password,
                                                           "csrfmiddlewaretoken": token},
                                headers={"Referer": f"{base}/accounts/login/"})
        if response.status_code != 302:
            raise SystemExit(f"log-in failed: HTTP {response.status_code}")
        response = browser.post("/api/v1/auth/api-key", json={},
                                headers={"X-CSRFToken": browser.cookies["csrftoken"], "Referer": base + "/"})
        return response.json()["data"]["key"]


# --- the run ----------------------------------------------------------------------------------
def _generate(corpus: Path, size: int) -> list[str]:
    """In a child process, so the generator's memory is not in the figures; returns the titles."""
    expected = corpus.with_suffix(".expected.json")
    if not expected.exists():
        subprocess.run([sys.executable, "-m", "benchmarks.scan_corpus", str(corpus), "--epubs", str(size),
                        "--mobis", "1", "--pdfs", "5", "--cbzs", "5", "--corrupt", "5"],
                       check=True, cwd=ROOT, capture_output=True)
    return [entry["title"] for entry in json.loads(expected.read_text())["valid"]]


def search_terms(titles: list[str], count: int, seed: int = 7) -> list[str]:
    """Queries as people type them: one or two words of a title, a whole title, a prefix."""
    rng = random.Random(seed)
    terms = []
    for _ in range(count):
        words = [w for w in rng.choice(titles).split() if w.isalnum()] or ["book"]
        shape = rng.randrange(4)
        if shape == 0:
            terms.append(rng.choice(words))
        elif shape == 1:
            terms.append(" ".join(words[:2]))
        elif shape == 2:
            terms.append(" ".join(words))
        else:
            terms.append(rng.choice(words)[:4] + "*")
    return terms


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


@dataclass
class PostgresDatabase:
    url: str
    name: str = field(default_factory=lambda: f"omni_e2e_{secrets.token_hex(4)}")

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(statement)

    def create(self) -> str:
        from urllib.parse import urlsplit, urlunsplit

        self._admin(f'CREATE DATABASE "{self.name}"')
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path=f"/{self.name}"))

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _line(label: str, value: str) -> None:
    print(f"{label:<52} {value}", flush=True)


def _mem(memory: TreeMemory) -> str:
    return f"RSS {memory.rss_mb:.0f} MB, PSS {memory.pss_mb:.0f} MB ({memory.processes} processes)"


def run(args: argparse.Namespace, work: Path) -> None:
    titles = _generate(work / "corpus", args.size)
    _line("corpus", f"{len(titles)} valid files (+ corrupt ones) in {work / 'corpus'}")
    env = {**os.environ, "OMNI_DATA_DIR": str(work / "data"), "OMNI_ADMIN_USER": "bench",
           "OMNI_ADMIN_PASSWORD": secrets.token_urlsafe(16), "OMNI_LOG_LEVEL": "warning",
           "OMNI_API_RATE_READ": "0", "OMNI_API_RATE_WRITE": "0", "PYTHONUNBUFFERED": "1"}
    env.pop("OMNI_METRICS_FOLDER", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    server = Server(env, free_port(), work / "serve.log", separate_steps=args.separate_steps)
    try:
        measure(args, server, titles, work)
    finally:
        if server.process and server.process.poll() is None:
            _line("stop (Ctrl-C) until every process ended", f"{server.stop():.2f} s")


def measure(args: argparse.Namespace, server: Server, titles: list[str], work: Path) -> None:
    env = server.env
    elapsed, cpu, web_cpu = server.start()
    _line("first start: command -> first HTTP 200", f"{elapsed:.2f} s ({cpu:.1f} CPU s, web path {web_cpu:.1f})")
    server.stop()
    warm = []
    for _ in range(args.restarts):
        warm.append(server.start())
        if len(warm) < args.restarts:
            server.stop()
    _line("warm restart: command -> first HTTP 200",
          ", ".join(f"{e:.2f} s ({c:.1f} CPU s, web path {w:.1f})" for e, c, w in warm))
    assert server.process is not None
    sampler = Sampler(server.process.pid)
    sampler.start()
    api = Api(server.base, issue_api_key(server.base, "bench", env["OMNI_ADMIN_PASSWORD"]))
    sampler.mark("settle")
    time.sleep(args.idle_seconds)
    sampler.mark("idle")
    time.sleep(3)
    idle = sampler.peak("idle")
    _line("idle memory of the process tree", _mem(idle))
    for pid, rss, command in tree_detail(server.process.pid):
        print(f"    {pid:>7} {rss:6.0f} MB  {command}")

    if args.startup_only:
        sampler.stop()
        return
    sampler.mark("import")
    started = time.perf_counter()
    folder = api.call("POST", "/scanning/folders", json={"path": str(work / "corpus"), "name": "e2e"})
    job = api.call("POST", f"/scanning/folders/{folder['id']}/scan")
    job = api.wait_job(job["id"])
    searchable = time.perf_counter() - started
    _line("first import: searchable (scan job done)", f"{searchable:.1f} s ({job['state']}, "
          f"{len(titles) / searchable:.0f} files/s)")
    _line("  peak memory until then", _mem(sampler.peak("import")))
    api.wait_all_jobs()
    _line("first import: every job done (covers, thumbnails)", f"{time.perf_counter() - started:.1f} s")
    sampler.mark("rescan")
    started = time.perf_counter()
    job = api.wait_job(api.call("POST", f"/scanning/folders/{folder['id']}/scan")["id"])
    _line("rescan of the unchanged tree", f"{time.perf_counter() - started:.2f} s ({job['state']})")
    api.wait_all_jobs()

    if args.database_url:
        vacuum_like_autovacuum(args.database_url)
    sampler.mark("search")
    times = []
    for term in search_terms(titles, args.searches):
        begun = time.perf_counter()
        api.call("GET", "/library/search", params={"q": term})
        times.append((time.perf_counter() - begun) * 1000)
    _line(f"library search over HTTP ({len(times)} queries)",
          f"p50 {_percentile(times, 0.5):.1f} ms, p95 {_percentile(times, 0.95):.1f} ms")
    _line("peak memory while importing", _mem(sampler.peak("import")))
    _line("peak memory over the whole run", _mem(sampler.peak()))
    sampler.mark("idle-after")
    time.sleep(3)
    _line("memory at rest after the work", _mem(sampler.peak("idle-after")))
    for pid, rss, command in tree_detail(sampler.root):
        print(f"    {pid:>7} {rss:6.0f} MB  {command}")
    sampler.stop()


def vacuum_like_autovacuum(url: str) -> None:
    """A PostgreSQL server with its default settings vacuums and analyzes a table soon after a
    bulk insert or update (autovacuum); a server with autovacuum off (this development machine's)
    never does, and plans the searches without statistics over the import's dead rows. There the
    benchmark runs what autovacuum would, and says so."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        if connection.execute("SHOW autovacuum").fetchone()[0] == "on":
            return
        started = time.perf_counter()
        connection.execute("VACUUM ANALYZE")
    _line("autovacuum is off on this server: VACUUM ANALYZE", f"{time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description="End-to-end benchmark of manage.py serve over HTTP")
    parser.add_argument("--size", type=int, default=5000, help="generated EPUBs (default 5,000)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server: a fresh database is made on it")
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--restarts", type=int, default=3, help="warm restarts timed")
    parser.add_argument("--idle-seconds", type=float, default=10, help="wait before the idle memory sample")
    parser.add_argument("--separate-steps", action="store_true",
                        help="run migrate, collectstatic, ensure_admin as commands before serve (the old ./omni run)")
    parser.add_argument("--startup-only", action="store_true", help="start-up times and idle memory only")
    parser.add_argument("--workdir", type=Path, default=None, help="keeps the corpus between runs")
    parser.add_argument("--keep-database", action="store_true", help="do not drop the PostgreSQL database at the end")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    database = PostgresDatabase(args.database_url) if args.database_url else None
    if database:
        args.database_url = database.create()
    try:
        if args.workdir:
            args.workdir.mkdir(parents=True, exist_ok=True)
            subprocess.run(["rm", "-rf", str(args.workdir / "data")], check=True)
            run(args, args.workdir)
        else:
            with tempfile.TemporaryDirectory(prefix="omni-e2e-") as work:
                run(args, Path(work))
    finally:
        if database and not args.keep_database:
            database.drop()
        elif database:
            print(f"kept database {args.database_url}", flush=True)
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
