from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"

    def ready(self) -> None:
        from core.wizard import registry
        from media import signals
        from media.models import MediaItem

        signals.connect()
        registry.register_library_probe(lambda: MediaItem.objects.exists())
