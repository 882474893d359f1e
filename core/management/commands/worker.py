from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker (Dramatiq) on the configured queue (RabbitMQ or the embedded one)."

    def add_arguments(self, parser):
        parser.add_argument("--processes", type=int, default=settings.WORKER_PROCESSES)
        parser.add_argument("--threads", type=int, default=settings.WORKER_THREADS)

    def handle(self, *args, processes: int, threads: int, **options):
        call_command("rundramatiq", processes=processes, threads=threads, skip_logging=True)
