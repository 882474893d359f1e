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
