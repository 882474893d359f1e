from django.contrib import admin

from notifications.models import Connection, Delivery, Event, HealthIssue, HealthSettings


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "level", "title")
    list_filter = ("kind", "level")
    search_fields = ("title", "message")
    readonly_fields = ("kind", "level", "title", "message", "url", "data", "created_at")


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "enabled")
    list_filter = ("kind", "enabled")
    exclude = ("url", "secret")  # secrets are edited on the Notifications page, never shown back


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "connection", "event", "state", "attempts", "last_status")
    list_filter = ("state", "connection")
    readonly_fields = ("connection", "event", "state", "attempts", "next_attempt_at", "last_status",
                       "last_response", "last_error", "created_at", "delivered_at")


@admin.register(HealthIssue)
class HealthIssueAdmin(admin.ModelAdmin):
    list_display = ("raised_at", "check_name", "key", "level", "message", "cleared_at")
    list_filter = ("check_name", "level")
    readonly_fields = ("check_name", "key", "level", "message", "fix", "raised_at", "last_seen_at", "cleared_at")


admin.site.register(HealthSettings)
