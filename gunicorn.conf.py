"""gunicorn reads this file from its working directory (the app's folder: `manage.py serve`, the
Dockerfile and docker-compose all start it there)."""

import os


def on_starting(server):
    """Empty this host's Prometheus files before the workers start (core/metrics_files.py), unless
    `manage.py serve` already did for all its children."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnireadarr.settings")
    from django.conf import settings

    from core.metrics_files import clear_at_start

    clear_at_start(settings.METRICS_DIR)
