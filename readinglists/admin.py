from django.contrib import admin

from readinglists.models import ImportRow, ListEntry, ListImport


@admin.register(ListImport)
class ListImportAdmin(admin.ModelAdmin):
    list_display = ("id", "filename", "source_format", "kind", "state", "row_count", "created_at")
    list_filter = ("source_format", "state", "kind")
    readonly_fields = ("created_by", "created_at", "source_format", "row_count", "shelves", "warnings", "job_id",
                       "counts", "error", "started_at", "finished_at")
    exclude = ("content",)


@admin.register(ListEntry)
class ListEntryAdmin(admin.ModelAdmin):
    list_display = ("title", "source_format", "kind", "outcome", "item", "updated_at")
    list_filter = ("source_format", "outcome", "kind", "dismissed")
    search_fields = ("title", "key", "isbn13")
    readonly_fields = ("source_format", "key", "candidates", "last_import", "created_at", "updated_at")
    raw_id_fields = ("item",)


@admin.register(ImportRow)
class ImportRowAdmin(admin.ModelAdmin):
    list_display = ("list_import", "number", "title", "outcome", "reason")
    list_filter = ("outcome",)
    raw_id_fields = ("list_import", "entry", "item")
