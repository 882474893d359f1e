"""gunicorn reads this file from its working directory (the app's folder: `manage.py serve`, the
Dockerfile and docker-compose all start it there)."""

import os


def on_starting(server):
    """Take the web server's Prometheus folder and empty it before the workers start
    (core/metrics_files.py), unless `manage.py serve` already took one for all its children."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnireadarr.settings")
    from django.conf import settings

    from core.metrics_files import claim_folder

    claim_folder(settings.METRICS_DIR, "web")


def post_worker_init(worker):
    """Load every view and API schema now rather than during the first request, then tell
    `manage.py serve` that the web server answers (core/supervisor.py): it starts the worker and
    the scheduler only then."""
    from django.urls import get_resolver

    from core.supervisor import report_ready

    get_resolver().url_patterns  # noqa: B018  (imports the URL configuration)
    report_ready()
