from django.contrib import admin

from core.models import ApiKey, Heartbeat, Job, ScheduleSetting


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "target", "state", "progress_done", "progress_total", "attempts", "created_at",
                    "finished_at"]
    list_filter = ["state", "kind"]
    search_fields = ["kind", "target", "message", "last_error", "correlation_id"]
    readonly_fields = [f.name for f in Job._meta.fields]


@admin.register(ScheduleSetting)
class ScheduleSettingAdmin(admin.ModelAdmin):
    list_display = ["name", "enabled", "interval_seconds", "last_run_at"]
    list_editable = ["enabled", "interval_seconds"]
    readonly_fields = ["last_run_at", "last_job"]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "seen_at"]
    readonly_fields = ["name", "role", "seen_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["user", "prefix", "created_at", "last_used_at"]
    readonly_fields = ["user", "prefix", "key_hash", "created_at", "last_used_at"]
