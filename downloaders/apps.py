from django.apps import AppConfig


class DownloadersConfig(AppConfig):
    name = "downloaders"

    def ready(self) -> None:
        from downloaders import wizard_hooks

        wizard_hooks.register()
