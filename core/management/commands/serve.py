"""`manage.py serve`: prepares what has changed (migrations, static files, the first admin) and
records what it read, then becomes the supervising process (core/supervisor.py, without Django)
that runs the web server (core/webserver.py, or gunicorn for several web processes) and then the
worker, which runs the scheduler too; a child that dies is restarted, Ctrl-C stops them all. A
start where nothing changed since the last one does not get here: manage.py hands it to
core/warm_start.py before Django sets its apps up."""

from django.core.management.base import BaseCommand

from core.startup import prepare, record_prepared
from core.warm_start import add_serve_arguments, become_supervisor


class Command(BaseCommand):
    help = "Run web server, background worker and scheduler together (the embedded default)."
    # The project's own checks (paths, secrets: core/checks.py) only: Django's (models, URLs, admin)
    # cost a second of CPU before the web server may start and are for development (`manage.py check`).
    requires_system_checks = ["omni"]

    def add_arguments(self, parser):
        add_serve_arguments(parser)

    def handle(self, *args, bind: str, web_workers: int, web_threads: int, skip_prepare: bool, **options):
        if not skip_prepare:
            prepare(lambda line: self.stdout.write(line))
            record_prepared()
        self.stdout.flush()
        become_supervisor(bind=bind, web_workers=web_workers, web_threads=web_threads)
