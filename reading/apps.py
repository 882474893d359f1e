from django.apps import AppConfig


class ReadingConfig(AppConfig):
    name = "reading"
    verbose_name = "Reading, listening and downloads"

    def ready(self) -> None:
        from core.visibility import register_hidden_items_rule
        from reading.visibility import hidden_items

        register_hidden_items_rule(hidden_items)  # the catalogue's pages and APIs hide what reading hides
