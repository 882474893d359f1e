from django.contrib import admin

from monitoring.models import MonitoredAuthor, MonitoredBook, MonitoredSeries, MonitoringSettings


@admin.register(MonitoredAuthor)
class MonitoredAuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "mode", "last_checked_at")
    list_filter = ("kind", "mode")
    readonly_fields = ("listing", "last_summary", "last_error", "last_checked_at", "created_at")


@admin.register(MonitoredSeries)
class MonitoredSeriesAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "mode", "last_checked_at")
    list_filter = ("kind", "mode")
    readonly_fields = ("listing", "last_summary", "last_error", "last_checked_at", "created_at")


@admin.register(MonitoredBook)
class MonitoredBookAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "state", "provider", "external_id", "created_at")
    list_filter = ("state", "kind", "provider")
    search_fields = ("title", "external_id")
    readonly_fields = ("provider", "external_id", "record", "candidates", "reason", "created_at", "resolved_at")


admin.site.register(MonitoringSettings)
