"""`manage.py serve`: prepares what has changed (migrations, static files, the first admin), then
becomes the supervising process (core/supervisor.py, without Django) that runs the web server
(gunicorn) and the worker, which runs the scheduler too; a child that dies is restarted, Ctrl-C
stops them all."""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections

from core.metrics_files import claim_folder
from core.startup import prepare
from omnireadarr.env import env_int


class Command(BaseCommand):
    help = "Run web server, background worker and scheduler together (the embedded default)."
    # The project's own checks (paths, secrets: core/checks.py) only: Django's (models, URLs, admin)
    # cost a second of CPU before the web server may start and are for development (`manage.py check`).
    requires_system_checks = ["omni"]

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("OMNI_BIND", "127.0.0.1:8000"))
        parser.add_argument("--web-workers", type=int, default=env_int("WEB_WORKERS", 1, minimum=1),
                            help="gunicorn processes (each about 90 MB)")
        parser.add_argument("--web-threads", type=int, default=env_int("WEB_THREADS", 8, minimum=1),
                            help="threads per gunicorn process")
        parser.add_argument("--skip-prepare", action="store_true",
                            help="start without checking migrations, static files and the admin account")

    def handle(self, *args, bind: str, web_workers: int, web_threads: int, skip_prepare: bool, **options):
        if not skip_prepare:
            prepare(lambda line: self.stdout.write(line))
        self.stdout.flush()
        claim_folder(settings.METRICS_DIR, "serve")  # one Prometheus folder for web, worker and scheduler
        connections.close_all()
        python = sys.executable
        os.chdir(settings.BASE_DIR)
        # Replaces this process (same PID): the supervisor does not need Django's ~100 MB.
        os.execv(python, [python, "-m", "core.supervisor", "--bind", bind, "--web-workers", str(web_workers),
                          "--web-threads", str(web_threads), "--worker-processes", str(settings.WORKER_PROCESSES)])
