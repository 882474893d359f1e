from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """Followed authors and series: a scheduled check adds their new books as wanted. Imports
    core, media, search and indexers; nothing imports it but the project's urls, API and schedules."""

    name = "monitoring"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from media.models import MediaItem
        from monitoring.dismissals import remember_removed_item

        # A removed book (recycle bin, denied request) is never added again by a monitor.
        pre_delete.connect(remember_removed_item, sender=MediaItem, dispatch_uid="monitoring-dismiss-removed")
