from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import checks  # noqa: F401  (registers the system checks)


class OmniAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the project's site (core/admin_site.py); named in INSTALLED_APPS."""

    default = False
    default_site = "core.admin_site.OmniAdminSite"
