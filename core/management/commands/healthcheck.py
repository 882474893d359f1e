"""`manage.py healthcheck --web|--worker|--scheduler`: exit 0 when this container's process is
alive, 1 otherwise (Docker's HEALTHCHECK contract; see docker-compose.yml)."""

import socket
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from core.health import HEARTBEAT_STALE_AFTER, probe_heartbeat, probe_web


class Command(BaseCommand):
    help = ("Exit 0 if the web server answers its health endpoint with 200 (--web), or if a worker or "
            "scheduler process on this host wrote its heartbeat recently (--worker, --scheduler); else 1.")

    def add_arguments(self, parser):
        role = parser.add_mutually_exclusive_group(required=True)
        role.add_argument("--web", action="store_const", const="web", dest="role")
        role.add_argument("--worker", action="store_const", const="worker", dest="role")
        role.add_argument("--scheduler", action="store_const", const="scheduler", dest="role")
        parser.add_argument("--url", default="http://127.0.0.1:8000/api/v1/health", help="Health URL (--web)")
        parser.add_argument("--max-age", type=int, default=int(HEARTBEAT_STALE_AFTER.total_seconds()),
                            help="Seconds after which a heartbeat is stale (--worker, --scheduler)")

    def handle(self, *args, role: str, url: str, max_age: int, **options):
        if role == "web":
            probe = probe_web(url)
        else:
            probe = probe_heartbeat(role, host=socket.gethostname(), stale_after=timedelta(seconds=max_age))
        if not probe.ok:
            raise CommandError(f"{probe.name} unhealthy: {probe.detail}", returncode=1)
        self.stdout.write(f"{probe.name} healthy: {probe.detail}")
