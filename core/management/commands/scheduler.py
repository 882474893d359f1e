import signal
import threading

from django.core.management.base import BaseCommand

from core.scheduler import run_scheduler


class Command(BaseCommand):
    help = "Run the scheduler: one process that only enqueues the periodic jobs of omnireadarr/schedules.py."

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between checks")
        parser.add_argument("--once", action="store_true", help="Check once and exit")

    def handle(self, *args, tick: float, once: bool, **options):
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        run_scheduler(stop, tick=tick, once=once)
