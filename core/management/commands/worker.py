import importlib
import io
import signal
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core.metrics_files import claim_folder

SHUTDOWN_TIMEOUT_MS = 600_000  # what rundramatiq gives running jobs to finish (Ctrl-C twice kills)


class Command(BaseCommand):
    help = "Run the background worker (Dramatiq) on the configured queue (RabbitMQ or the embedded one)."
    # The project's own checks only: Django's import every URL module, 20 MB the worker would keep.
    requires_system_checks = ["omni"]

    def add_arguments(self, parser):
        parser.add_argument("--processes", type=int, default=settings.WORKER_PROCESSES)
        parser.add_argument("--threads", type=int, default=settings.WORKER_THREADS)
        parser.add_argument("--with-scheduler", action="store_true",
                            help="run the scheduler as a thread of this process (`manage.py serve` does)")

    def handle(self, *args, processes: int, threads: int, with_scheduler: bool, **options):
        if with_scheduler and processes != 1:
            raise CommandError("--with-scheduler needs --processes 1 (run `manage.py scheduler` beside it)")
        claim_folder(settings.METRICS_DIR, "worker")  # its Prometheus folder, emptied (unless `serve` did)
        stop = threading.Event()
        scheduler = None
        if with_scheduler:
            from core.scheduler import run_scheduler

            scheduler = threading.Thread(target=run_scheduler, args=(stop,), name="scheduler", daemon=True)
            scheduler.start()
        if processes == 1:  # one process: Dramatiq's worker threads run here, no parent process
            self.run_in_process(threads, stop)
        else:
            call_command("rundramatiq", processes=processes, threads=threads, skip_logging=True)
        stop.set()
        if scheduler:
            scheduler.join(10)

    @staticmethod
    def run_in_process(threads: int, stop: threading.Event) -> None:
        """What Dramatiq's command line does in each worker process, without its parent process
        (about 25 MB): load the actors, start the worker threads, stop them on SIGINT/SIGTERM."""
        import dramatiq
        from django_dramatiq.management.commands.rundramatiq import Command as Rundramatiq

        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        broker = dramatiq.get_broker()
        broker.emit_after("process_boot")
        for module in Rundramatiq(stdout=io.StringIO()).discover_tasks_modules():  # quietly
            importlib.import_module(module)
        worker = dramatiq.Worker(broker, worker_threads=threads)
        worker.start()
        while not stop.wait(1):
            pass
        worker.stop(timeout=SHUTDOWN_TIMEOUT_MS)
        broker.close()
