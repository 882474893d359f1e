"""gunicorn reads this file from its working directory (the app's folder: the Dockerfile,
docker-compose and `manage.py serve` with several web processes all start it there; serve's
default single web process is core/webserver.py, which does what these hooks do)."""

import os


def on_starting(server):
    """Take the web server's Prometheus folder and empty it before the workers start
    (core/metrics_files.py), unless `manage.py serve` already took one for all its children."""
    from core.metrics_files import FOLDER_ENV, claim_folder

    if os.environ.get(FOLDER_ENV):  # taken: no need to read the settings (0.1 s before the web process starts)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnireadarr.settings")
    from django.conf import settings

    claim_folder(settings.METRICS_DIR, "web")


def post_worker_init(worker):
    """Load every view and API schema now rather than during the first request, then tell
    `manage.py serve` that the web server answers (core/supervisor.py): it starts the worker and
    the scheduler only then."""
    from django.urls import get_resolver

    from core.supervisor import report_ready

    get_resolver().url_patterns  # noqa: B018  (imports the URL configuration)
    report_ready()
