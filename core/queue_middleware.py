"""Dramatiq middleware: jobs whose message was skipped (too old) are marked failed, and
worker processes report a heartbeat for /api/health."""

from __future__ import annotations

import logging
import threading

from django.db import connection
from dramatiq.middleware import Middleware

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 15


class JobLifecycleMiddleware(Middleware):
    def after_skip_message(self, broker, message):
        from django.utils import timezone

        from core.models import FINISHED_STATES, Job, JobState

        if not message.args:
            return
        Job.objects.filter(pk=message.args[0]).exclude(state__in=FINISHED_STATES).update(
            state=JobState.FAILED, finished_at=timezone.now(),
            last_error="The job waited in the queue longer than its age limit and was skipped",
        )


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
