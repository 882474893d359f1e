from django.contrib import admin

from processing.models import ImportEvent, ImportFileOperation, ImportRun, ImportSettings, KindProcessingSettings
from processing.renaming.models import NamingTemplate, RenameBatch, RenameOperation


class OperationInline(admin.TabularInline):
    model = ImportFileOperation
    extra = 0
    can_delete = False
    fields = ["sequence", "kind", "source", "destination", "state", "detail", "done_at", "undone_at"]
    readonly_fields = fields


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "media_item",
        "download_attempt_id",
        "action",
        "post_process_status",
        "error_step",
        "attempts",
        "created_at",
        "finished_at",
    ]
    list_filter = ["post_process_status", "action"]
    search_fields = ["storage_path", "local_path", "error", "media_item__title"]
    raw_id_fields = ["media_item", "rerun_of"]
    readonly_fields = [
        "steps",
        "result",
        "error",
        "error_step",
        "attempts",
        "job_id",
        "previous_item_status",
        "started_at",
        "finished_at",
        "undone_at",
    ]
    inlines = [OperationInline]


@admin.register(ImportSettings)
class ImportSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "write_epub_metadata", "match_threshold", "updated_at"]
    exclude = ["remote_path_mappings"]  # edited as rows on Settings > Media management
    readonly_fields = ["path_mappings"]

    @admin.display(description="Remote path mappings")
    def path_mappings(self, obj: ImportSettings) -> str:
        rows = [f"{m.get('remote', '')} → {m.get('local', '')}" for m in obj.remote_path_mappings or []]
        return "; ".join(rows) or "none (edit them on Settings > Media management)"

    def has_add_permission(self, request):
        return not ImportSettings.objects.exists()


@admin.register(KindProcessingSettings)
class KindProcessingSettingsAdmin(admin.ModelAdmin):
    """One row per kind, made on first use; edited on Settings > Media management (validated)."""

    list_display = ["kind", "import_mode", "existing_file_policy", "conversion_target", "keep_original", "template"]
    readonly_fields = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NamingTemplate)
class NamingTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "template", "kind", "updated_at")
    search_fields = ("name", "template")


@admin.register(RenameBatch)
class RenameBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "origin", "template_name", "policy", "state", "created_at", "finished_at")
    list_filter = ("state", "origin", "policy")
    readonly_fields = (
        "origin",
        "template",
        "policy",
        "selection",
        "root",
        "totals",
        "owner",
        "heartbeat_at",
        "job_id",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    )


@admin.register(RenameOperation)
class RenameOperationAdmin(admin.ModelAdmin):
    """The journal is evidence: read-only here; undo goes through the history page."""

    list_display = ("batch", "seq", "state", "conflict", "source", "destination")
    list_filter = ("state", "conflict", "role")
    search_fields = ("source", "destination")
    readonly_fields = [f.name for f in RenameOperation._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ImportEvent)
class ImportEventAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "title", "step", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "message"]
    raw_id_fields = ["run", "media_item"]
    readonly_fields = ["kind", "run", "media_item", "title", "message", "step", "created_at"]
