from django.apps import AppConfig


class ProcessingConfig(AppConfig):
    name = "processing"

    def ready(self) -> None:
        from media.dashboard import register_problem_source
        from processing.problems import import_problems

        register_problem_source(import_problems)

        from processing import wizard_hooks

        wizard_hooks.register()
