from django.contrib import admin

from processing.models import ImportEvent, ImportFileOperation, ImportRun, ImportSettings


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
    list_display = [
        "__str__",
        "import_mode",
        "existing_file_policy",
        "ebook_format",
        "convert_ebooks",
        "repack_cbr",
        "write_epub_metadata",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return not ImportSettings.objects.exists()


@admin.register(ImportEvent)
class ImportEventAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "title", "step", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "message"]
    raw_id_fields = ["run", "media_item"]
    readonly_fields = ["kind", "run", "media_item", "title", "message", "step", "created_at"]
