from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from core.metrics_files import claim_folder


class Command(BaseCommand):
    help = "Run the background worker (Dramatiq) on the configured queue (RabbitMQ or the embedded one)."

    def add_arguments(self, parser):
        parser.add_argument("--processes", type=int, default=settings.WORKER_PROCESSES)
        parser.add_argument("--threads", type=int, default=settings.WORKER_THREADS)

    def handle(self, *args, processes: int, threads: int, **options):
        claim_folder(settings.METRICS_DIR, "worker")  # its Prometheus folder, emptied (unless `serve` did)
        call_command("rundramatiq", processes=processes, threads=threads, skip_logging=True)
