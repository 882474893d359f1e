from django.contrib import admin

from search.models import (
    AuthorAlias,
    DataSource,
    EnrichmentState,
    FieldCandidate,
    MetadataChange,
    MetadataSettings,
    ResolvedField,
    ReviewItem,
    SearchProvider,
)
from search.services.sources import queue_rescore


@admin.register(SearchProvider)
class SearchProviderAdmin(admin.ModelAdmin):
    list_display = ["label", "name", "enabled", "priority", "status", "retry_at", "last_error_at"]
    list_editable = ["enabled", "priority"]
    readonly_fields = ["status", "last_error", "last_error_at", "last_success_at", "retry_at", "consecutive_failures"]


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ["label", "name", "kind", "trust"]
    list_editable = ["trust"]

    def save_model(self, request, obj, form, change):
        """A changed trust rescores the books the source touched (a background job)."""
        trust_changed = change and "trust" in form.changed_data
        super().save_model(request, obj, form, change)
        if trust_changed:
            queue_rescore(obj, user=request.user)


@admin.register(FieldCandidate)
class FieldCandidateAdmin(admin.ModelAdmin):
    list_display = ["item", "field", "source", "confidence", "updated_at"]
    list_filter = ["field", "source"]
    raw_id_fields = ["item"]
    readonly_fields = ["item", "field", "value", "source", "confidence", "external_id", "updated_at"]


@admin.register(ResolvedField)
class ResolvedFieldAdmin(admin.ModelAdmin):
    list_display = ["item", "field", "source", "confidence", "score", "locked"]
    list_filter = ["field", "locked"]
    raw_id_fields = ["item"]
    readonly_fields = ["item", "field", "value", "source", "confidence", "score", "updated_at"]


@admin.register(MetadataChange)
class MetadataChangeAdmin(admin.ModelAdmin):
    list_display = ["item", "field", "reason", "new_source", "user", "created_at", "reverted_at"]
    list_filter = ["reason", "field"]
    readonly_fields = [f.name for f in MetadataChange._meta.fields]


@admin.register(ReviewItem)
class ReviewItemAdmin(admin.ModelAdmin):
    list_display = ["item", "status", "recommendation", "best_distance", "created_at"]
    list_filter = ["status", "recommendation"]
    raw_id_fields = ["item"]
    readonly_fields = ["candidates", "best_distance", "reason", "recommendation"]


@admin.register(AuthorAlias)
class AuthorAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "author"]
    search_fields = ["name", "author__name"]
    autocomplete_fields = ["author"]


admin.site.register(EnrichmentState)
admin.site.register(MetadataSettings)
