from django.contrib import admin

from operations.models import BackupSettings, IntegrityFinding, IntegrityReport


@admin.register(BackupSettings)
class BackupSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "keep", "include_covers"]

    def has_add_permission(self, request) -> bool:
        return not BackupSettings.objects.exists()


class FindingInline(admin.TabularInline):
    model = IntegrityFinding
    extra = 0
    can_delete = False
    fields = ["kind", "path", "detail", "fixes", "fixed_at", "fixed_with", "fix_result"]
    readonly_fields = fields


@admin.register(IntegrityReport)
class IntegrityReportAdmin(admin.ModelAdmin):
    list_display = ["id", "started_at", "finished_at", "counts"]
    readonly_fields = ["job", "started_at", "finished_at", "counts", "truncated"]
    inlines = [FindingInline]
