from django.contrib import admin

from processing.renaming.models import NamingTemplate, RenameBatch, RenameOperation


@admin.register(NamingTemplate)
class NamingTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "template", "kind", "updated_at")
    search_fields = ("name", "template")


class OperationInline(admin.TabularInline):
    model = RenameOperation
    fields = ("seq", "source", "destination", "state", "conflict", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0
    show_change_link = True


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
