from django.apps import AppConfig


class ScanningConfig(AppConfig):
    name = "scanning"

    def ready(self) -> None:
        from scanning import wizard_hooks

        wizard_hooks.register()
