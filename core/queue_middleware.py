"""Dramatiq middleware: jobs whose message was skipped (too old) are marked failed, worker
processes report a heartbeat for /api/health, and each worker process runs the job watchdog
and ends, when it starts, the run records that jobs which ended left working."""

from __future__ import annotations

import logging
import threading

from django.db import connection
from dramatiq.middleware import Middleware

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 15


class JobLifecycleMiddleware(Middleware):
    def after_skip_message(self, broker, message):
        from core.jobs.services import end_job
        from core.models import JobState

        if not message.args:
            return
        end_job(message.args[0], JobState.FAILED,
                last_error="The job waited in the queue longer than its age limit and was skipped")


class JobWatchdogMiddleware(Middleware):
    """At boot: end the run records of jobs that are finished or gone (a worker killed
    mid-job, a job cancelled while no worker ran), then start the watchdog that abandons
    jobs that do not stop after a cancel (core.jobs.watchdog)."""

    def after_worker_boot(self, broker, worker):
        from core.jobs.runs import settle_runs
        from core.jobs.watchdog import WATCHDOG

        try:
            settle_runs()
        except Exception:
            logger.exception("Run records left working by ended jobs could not be settled")
        WATCHDOG.start(on_abandon=lambda thread: _replace_worker_thread(worker, thread))

    def before_worker_shutdown(self, broker, worker):
        from core.jobs.watchdog import WATCHDOG

        WATCHDOG.stop()


def _replace_worker_thread(worker, thread: threading.Thread) -> None:
    """Take an abandoned thread out of the worker's pool (it leaves its loop if it ever
    returns; shutting down does not wait for it) and start a new one in its place."""
    if thread not in worker.workers:
        return
    thread.stop()
    worker.workers.remove(thread)
    worker._add_worker()  # dramatiq.Worker's own way of starting a worker thread


class WorkerHeartbeatMiddleware(Middleware):
    def __init__(self) -> None:
        self._stop = threading.Event()

    def after_worker_boot(self, broker, worker):
        threading.Thread(target=self._run, name="omni-heartbeat", daemon=True).start()

    def before_worker_shutdown(self, broker, worker):
        self._stop.set()

    def _run(self) -> None:
        from core.models import Heartbeat

        name = Heartbeat.name_for("worker")  # in the worker process (Dramatiq forks after loading us)
        while not self._stop.is_set():
            try:
                Heartbeat.beat(name, "worker")
            except Exception:
                logger.warning("Worker heartbeat could not be written", exc_info=True)
            finally:
                connection.close()
            self._stop.wait(HEARTBEAT_SECONDS)
