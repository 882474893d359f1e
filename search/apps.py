from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"

    def ready(self) -> None:
        from media.dashboard import register_problem_source
        from search.problems import metadata_problems

        register_problem_source(metadata_problems)

        from search import wizard_hooks

        wizard_hooks.register()

        from media.scanned_values import register_after_scan, register_hook
        from search.services.scan_provenance import queue_recording, queue_scanned_values

        register_hook(queue_scanned_values)
        register_after_scan(queue_recording)
