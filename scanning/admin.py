from django.contrib import admin

from scanning.models import ItemMatchKey, ScanFolder, ScanRun, SidecarProblem


@admin.register(ScanFolder)
class ScanFolderAdmin(admin.ModelAdmin):
    list_display = ["path", "name", "content_type", "enabled", "scan_interval_hours", "last_scan_at"]
    list_filter = ["content_type", "enabled"]
    readonly_fields = ["naming_template", "target_root"]  # validated where they are edited: page and API


@admin.register(ScanRun)
class ScanRunAdmin(admin.ModelAdmin):
    list_display = [
        "folder",
        "state",
        "added",
        "updated",
        "moved",
        "missing",
        "duplicates",
        "corrupt",
        "errors",
        "started_at",
        "duration_seconds",
    ]
    list_filter = ["state"]
    readonly_fields = [f.name for f in ScanRun._meta.fields]


@admin.register(ItemMatchKey)
class ItemMatchKeyAdmin(admin.ModelAdmin):
    list_display = ["key", "item"]
    search_fields = ["key"]
    raw_id_fields = ["item"]


@admin.register(SidecarProblem)
class SidecarProblemAdmin(admin.ModelAdmin):
    list_display = ["path", "folder", "books", "seen_at"]
    readonly_fields = [f.name for f in SidecarProblem._meta.fields]
