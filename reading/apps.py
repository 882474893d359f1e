from django.apps import AppConfig


class ReadingConfig(AppConfig):
    name = "reading"
    verbose_name = "Reading, listening and downloads"

    def ready(self) -> None:
        from core.visibility import register_hidden_items_rule, register_visible_folders_rule
        from reading.visibility import hidden_items, visible_folder_ids

        register_hidden_items_rule(hidden_items)  # the catalogue's pages and APIs hide what reading hides
        register_visible_folders_rule(visible_folder_ids)  # and the scanning pages the hidden libraries

        from core.reading_state import register_read_items_rule
        from reading.progress import read_item_ids

        register_read_items_rule(read_item_ids)  # "2 of 6 read" on the series pages
