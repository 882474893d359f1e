from django.contrib import admin

from downloaders.models import DownloadAttempt, DownloadClientConfig, DownloadSettings


@admin.register(DownloadClientConfig)
class DownloadClientConfigAdmin(admin.ModelAdmin):
    """Secrets are edited on the Download clients settings page, which never shows them."""

    list_display = ["name", "kind", "url", "base_path", "order", "enabled", "last_test_ok", "last_test_at"]
    list_filter = ["kind", "enabled"]
    exclude = ["api_key", "password"]
    readonly_fields = ["last_test_at", "last_test_ok", "last_test_message"]


@admin.register(DownloadAttempt)
class DownloadAttemptAdmin(admin.ModelAdmin):
    list_display = ["release_title", "item", "state", "progress", "client_job_id", "automatic", "created_at"]
    list_filter = ["state", "automatic", "protocol"]
    search_fields = ["release_title", "guid", "client_job_id"]
    raw_id_fields = ["item", "search_result"]
    readonly_fields = [
        "state",
        "client_job_id",
        "storage_path",
        "handoff_job_id",
        "created_at",
        "sent_at",
        "completed_at",
        "missing_since",
        "client_state",
        "send_failures",
    ]


@admin.register(DownloadSettings)
class DownloadSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "remove_completed", "remove_failed"]

    def has_add_permission(self, request) -> bool:
        return not DownloadSettings.objects.exists()
