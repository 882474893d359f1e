import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import connection

from core.models import Heartbeat
from core.scheduler import run_due_schedules

logger = logging.getLogger("omnireadarr.scheduler")


class Command(BaseCommand):
    help = "Run the scheduler: one process that only enqueues the periodic jobs of omnireadarr/schedules.py."

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between checks")
        parser.add_argument("--once", action="store_true", help="Check once and exit")

    def handle(self, *args, tick: float, once: bool, **options):
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        name = Heartbeat.name_for("scheduler")
        logger.info("Scheduler started (%s)", name)
        while not stop.is_set():
            try:
                Heartbeat.beat(name, "scheduler")
                started = run_due_schedules()
                if started:
                    logger.info("Enqueued: %s", ", ".join(started))
            except Exception:
                logger.exception("Scheduler tick failed; trying again next tick")
            finally:
                connection.close()
            if once:
                break
            stop.wait(tick)
        logger.info("Scheduler stopped")
