from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Backups and the integrity check: sits on top of every other app; none imports it."""

    name = "operations"
