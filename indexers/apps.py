from django.apps import AppConfig


class IndexersConfig(AppConfig):
    name = "indexers"

    def ready(self) -> None:
        from indexers import wizard_formats, wizard_hooks

        wizard_hooks.register()
        wizard_formats.register()
