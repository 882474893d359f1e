"""`manage.py serve` prepares only what changed: the migrations `migrate` would apply, the
static files when their sources changed (core/startup.py); and the process counts it starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from core.management.commands.serve import Command as Serve
from core.startup import (
    STATIC_STAMP,
    collect_static,
    pending_migrations,
    prepare,
    static_fingerprint,
    static_up_to_date,
)
from core.supervisor import Supervisor, commands


@pytest.mark.django_db
def test_no_migration_is_pending_on_a_migrated_database():
    assert pending_migrations() == []


@pytest.mark.django_db
def test_a_migration_not_yet_applied_is_pending():
    recorder = MigrationRecorder(connection)
    latest = recorder.migration_qs.filter(app="scanning").order_by("-id").first()
    recorder.record_unapplied(latest.app, latest.name)  # as if its file had just arrived with an update
    assert pending_migrations() == [f"scanning.{latest.name}"]


@pytest.fixture
def static_sources(settings, tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "app.css").write_text("body { color: black }")
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "collected"
    return source


def test_static_files_are_collected_once_until_a_source_changes(static_sources, settings):
    fingerprint = static_fingerprint()
    assert not static_up_to_date(fingerprint)  # never collected
    collect_static(fingerprint)
    assert (Path(settings.STATIC_ROOT) / "app.css").is_file()
    assert static_up_to_date(static_fingerprint())

    (static_sources / "app.css").write_text("body { color: navy }")
    assert not static_up_to_date(static_fingerprint())  # edited
    collect_static(static_fingerprint())
    (static_sources / "new.js").write_text("1;")
    assert not static_up_to_date(static_fingerprint())  # added


def test_static_files_are_collected_again_when_the_collection_was_removed(static_sources, settings):
    collect_static(static_fingerprint())
    (Path(settings.STATIC_ROOT) / STATIC_STAMP).unlink()
    assert not static_up_to_date(static_fingerprint())


@pytest.mark.django_db
def test_prepare_on_an_up_to_date_installation_does_nothing_it_needs_to_say(static_sources):
    said: list[str] = []
    prepare(said.append)
    assert said == ["Static files: collecting them (they changed since the last start, or this is the first)..."]
    said.clear()
    prepare(said.append)
    assert said == []


def test_serve_defaults_to_one_web_process_with_threads_and_one_worker_process(settings, monkeypatch):
    monkeypatch.delenv("OMNI_WEB_WORKERS", raising=False)
    monkeypatch.delenv("OMNI_WEB_THREADS", raising=False)
    options = Serve().create_parser("manage.py", "serve").parse_args([])
    assert (options.web_workers, options.web_threads) == (1, 8)
    children = commands(
        "python", bind="127.0.0.1:8000", web_workers=options.web_workers, web_threads=options.web_threads
    )
    assert list(children) == ["web", "worker"]  # the scheduler is a thread of the worker
    assert children["web"] == ["python", "-m", "core.webserver", "--bind", "127.0.0.1:8000", "--threads", "8"]
    assert children["worker"][-3:] == ["--processes", "1", "--with-scheduler"]


def test_several_web_processes_are_run_by_gunicorn():
    web = commands("python", bind="0.0.0.0:8000", web_workers=2, web_threads=4)["web"]
    assert web[:4] == ["python", "-m", "gunicorn", "omnireadarr.wsgi:application"]
    assert web[web.index("--workers") + 1] == "2" and web[web.index("--threads") + 1] == "4"
    assert web[web.index("--bind") + 1] == "0.0.0.0:8000"


def test_a_worker_of_several_processes_gets_a_scheduler_process_beside_it():
    children = commands("python", bind="127.0.0.1:8000", web_workers=2, web_threads=4, worker_processes=3)
    assert list(children) == ["web", "worker", "scheduler"]
    assert "--with-scheduler" not in children["worker"]


def test_supervisor_restarts_a_child_that_dies_and_stops_all_on_request(tmp_path):
    starts = tmp_path / "starts"
    dying = f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)"
    supervisor = Supervisor(
        {"steady": [sys.executable, "-c", "import time; time.sleep(120)"], "dying": [sys.executable, "-c", dying]},
        restart_delay=0,
        ready_timeout=0,
    )
    runner = threading.Thread(target=supervisor.run, kwargs={"poll": 0.05})
    runner.start()
    try:
        for _ in range(400):
            if starts.exists() and len(starts.read_text()) >= 3:
                break
            threading.Event().wait(0.05)
        assert len(starts.read_text()) >= 3
    finally:
        supervisor.stop()
        runner.join(30)
    assert not runner.is_alive()
    assert all(child.poll() is not None for child in supervisor.running.values())
    assert supervisor.running["steady"].returncode == -signal.SIGTERM


def _run_supervisor(children: dict[str, list[str]], **options) -> tuple[Supervisor, list[bool], threading.Thread]:
    told: list[bool] = []
    supervisor = Supervisor(children, restart_delay=0, on_ready=told.append, **options)
    runner = threading.Thread(target=supervisor.run, kwargs={"poll": 0.05})
    runner.start()
    return supervisor, told, runner


def _wait_for(path: Path, seconds: float = 60) -> None:
    for _ in range(int(seconds / 0.05)):
        if path.exists():
            return
        threading.Event().wait(0.05)
    raise AssertionError(f"{path} never appeared")


def test_supervisor_starts_the_others_only_once_the_first_reports_ready(tmp_path):
    go, ready, other = tmp_path / "go", tmp_path / "ready", tmp_path / "other"
    first = (
        "import pathlib, time\n"
        f"while not pathlib.Path({str(go)!r}).exists(): time.sleep(0.02)\n"
        f"from core.supervisor import report_ready; pathlib.Path({str(ready)!r}).touch(); report_ready()\n"
        "time.sleep(120)"
    )
    supervisor, told, runner = _run_supervisor(
        {"web": [sys.executable, "-c", first], "worker": [sys.executable, "-c", f"open({str(other)!r}, 'w')"]},
        ready_timeout=120,
    )
    try:
        threading.Event().wait(1)
        assert not other.exists() and told == []  # waiting for the first
        go.touch()
        _wait_for(other)
        assert ready.exists() and told == [True]
    finally:
        supervisor.stop()
        runner.join(30)


def test_supervisor_starts_the_others_when_the_first_ends_without_reporting(tmp_path):
    other = tmp_path / "other"
    supervisor, told, runner = _run_supervisor(
        {
            "web": [sys.executable, "-c", "raise SystemExit(1)"],
            "worker": [sys.executable, "-c", f"open({str(other)!r}, 'w')"],
        },
        ready_timeout=120,
    )
    try:
        _wait_for(other, 60)  # long before the timeout
        assert told[0] is False
    finally:
        supervisor.stop()
        runner.join(30)


@pytest.mark.parametrize(("outside", "seen"), [(None, "2"), ("4", "4")])
def test_children_get_two_malloc_heaps_unless_the_environment_says_otherwise(tmp_path, monkeypatch, outside, seen):
    if outside is None:
        monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    else:
        monkeypatch.setenv("MALLOC_ARENA_MAX", outside)
    write = "import os, sys; open(sys.argv[1], 'w').write(os.environ.get('MALLOC_ARENA_MAX', '-'))"
    first, other = tmp_path / "first", tmp_path / "other"
    supervisor, _, runner = _run_supervisor(
        {"web": [sys.executable, "-c", write, str(first)], "worker": [sys.executable, "-c", write, str(other)]},
        ready_timeout=120,
    )
    try:
        _wait_for(other)
        _wait_for(first)
    finally:
        supervisor.stop()
        runner.join(30)
    assert first.read_text() == other.read_text() == seen


def test_supervisor_module_does_not_import_django():
    code = "import sys, core.supervisor; print(any(m.startswith('django') for m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONPATH": "."},
    )
    assert result.stdout.strip() == "False"


def _database_url(db) -> str:
    """The test database, for a subprocess: the SQLite file, or the PostgreSQL test database."""
    s = db.settings_dict
    if db.vendor == "postgresql":
        return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return f"sqlite:///{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_worker_with_scheduler_runs_scheduled_jobs_in_one_process_and_stops_on_sigterm(tmp_path):
    """`manage.py worker --with-scheduler` (what serve starts): the scheduler thread enqueues the
    due schedules on the embedded queue and Dramatiq's threads in the same process run them."""
    from django.db import connection as db

    from core.models import FINISHED_STATES, Heartbeat, Job

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "omnireadarr.settings",
        "OMNI_DATA_DIR": str(tmp_path),
        "DATABASE_URL": _database_url(db),
        "OMNI_LOG_LEVEL": "warning",
    }
    env.pop("OMNI_QUEUE", None)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--with-scheduler"], cwd=Path(__file__).resolve().parents[2], env=env
    )
    try:
        done = threading.Event()
        for _ in range(1200):  # up to 2 minutes on a busy machine
            roles = set(Heartbeat.objects.filter(name__endswith=f":{worker.pid}").values_list("role", flat=True))
            finished = Job.objects.filter(target__startswith="schedule:", state__in=FINISHED_STATES).exists()
            if roles == {"worker", "scheduler"} and finished:
                break
            assert worker.poll() is None, "the worker exited"
            done.wait(0.1)
        assert roles == {"worker", "scheduler"}
        assert finished
    finally:
        worker.send_signal(signal.SIGTERM)
        returncode = worker.wait(60)
    assert returncode == 0


# --- the real command ---------------------------------------------------------------------------
def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent to read its status."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def child_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a server started by a test, on the test settings and `data_dir`, with
    `settings` added and nothing of a serve that started this test run (metrics folder, ready pipe)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "OMNI_DATA_DIR": str(data_dir), **settings}
    for name in ("OMNI_METRICS_FOLDER", "OMNI_READY_FD", "PROMETHEUS_MULTIPROC_DIR"):
        env.pop(name, None)
    return env


def _serve_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """child_env for a real `manage.py serve` on the test database."""
    return child_env(data_dir, DATABASE_URL=_database_url(connection), **settings)


def _serve(env: dict[str, str], port: int) -> tuple[subprocess.Popen, list[str], threading.Event]:
    """Starts `manage.py serve`; returns it, the lines it printed so far (filled by a reader
    thread) and an event set once it says it is ready."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{port}"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout:
            lines.append(line)
            if line.startswith("OmniReadarr is ready on"):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    return process, lines, ready


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("web_workers", "server", "web_processes"), [(1, "core.webserver", 1), (2, "gunicorn", 3)])
def test_serve_runs_one_web_process_unless_several_are_asked_and_stops_all_on_sigterm(
    tmp_path, web_workers, server, web_processes
):
    """By default the web server is one process (no gunicorn master); OMNI_WEB_WORKERS=2 is a
    gunicorn master and two workers. Either answers, logs each request, and SIGTERM to serve
    (a service manager's stop) ends every process of the tree."""
    import httpx

    from benchmarks.e2e import free_port, process_tree

    env = _serve_env(tmp_path, OMNI_LOG_LEVEL="info", OMNI_WEB_WORKERS=str(web_workers), OMNI_WEB_THREADS="2")
    port = free_port()
    serve, lines, ready = _serve(env, port)
    try:
        assert ready.wait(180), "".join(lines)
        for path in ("/accounts/login/", "/api/health"):
            assert httpx.get(f"http://127.0.0.1:{port}{path}", timeout=30).status_code == 200, path
        tree = process_tree(serve.pid)
        web = [pid for pid in tree if f"-m {server} " in _command_line(pid)]
        assert len(web) == web_processes and len(process_tree(web[0])) == web_processes
        if server != "gunicorn":
            assert not any("gunicorn" in _command_line(pid) for pid in tree)
    finally:
        serve.send_signal(signal.SIGTERM)
        returncode = serve.wait(60)
    assert returncode == 0
    assert not [pid for pid in tree if _alive(pid)]
    assert '"GET /accounts/login/ HTTP/1.1" 200' in "".join(lines)  # the access log
