"""`manage.py serve`: web server (gunicorn), worker and scheduler in one command, each a
child process; a child that dies is restarted, Ctrl-C stops them all."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from core.metrics_files import claim_folder


class Command(BaseCommand):
    help = "Run web server, background worker and scheduler together (the embedded default)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("OMNI_BIND", "127.0.0.1:8000"))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("OMNI_WEB_WORKERS", "2")))

    def handle(self, *args, bind: str, web_workers: int, **options):
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        commands = {
            "web": [python, "-m", "gunicorn", "omnireadarr.wsgi:application", "--bind", bind,
                    "--workers", str(web_workers), "--threads", "4", "--access-logfile", "-",
                    "--graceful-timeout", "10"],
            "worker": [python, manage, "worker"],
            "scheduler": [python, manage, "scheduler"],
        }
        children: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        claim_folder(settings.METRICS_DIR, "serve")  # one Prometheus folder for web, worker and scheduler
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        for name, command in commands.items():
            children[name] = subprocess.Popen(command, cwd=settings.BASE_DIR)
        self.stdout.write(self.style.SUCCESS(f"OmniReadarr is serving on http://{bind}/ (Ctrl-C stops)"))
        while not stopping:
            time.sleep(1)
            for name, child in list(children.items()):
                if child.poll() is not None and not stopping:
                    self.stderr.write(f"{name} exited with {child.returncode}; restarting in 2 s")
                    time.sleep(2)
                    children[name] = subprocess.Popen(commands[name], cwd=settings.BASE_DIR)
        for child in children.values():
            child.send_signal(signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
