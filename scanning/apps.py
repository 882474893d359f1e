from django.apps import AppConfig


class ScanningConfig(AppConfig):
    name = "scanning"

    def ready(self) -> None:
        from media.dashboard import register_problem_source
        from scanning import wizard_hooks
        from scanning.problems import sidecar_problems

        wizard_hooks.register()
        register_problem_source(sidecar_problems)
