from django.contrib import admin

from downloaders.models import DownloadAttempt, DownloadSettings, SabnzbdConfig


@admin.register(SabnzbdConfig)
class SabnzbdConfigAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "base_path", "enabled", "last_test_ok", "last_test_at"]
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
