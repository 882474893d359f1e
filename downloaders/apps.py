from django.apps import AppConfig


class DownloadersConfig(AppConfig):
    name = "downloaders"

    def ready(self) -> None:
        from downloaders import wizard_hooks
        from downloaders.problems import download_problems
        from media.dashboard import register_problem_source

        register_problem_source(download_problems)
        wizard_hooks.register()
