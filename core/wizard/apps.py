from django.apps import AppConfig


class WizardConfig(AppConfig):
    name = "core.wizard"
    label = "wizard"
    verbose_name = "Setup wizard"
