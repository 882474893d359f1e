from django.contrib import admin

from indexers.models import (
    AcquisitionSettings,
    BlacklistEntry,
    FormatProfile,
    IndexerConfig,
    ItemProfile,
    ItemSearchState,
    QueryGrab,
    SearchResult,
)


@admin.register(IndexerConfig)
class IndexerConfigAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "url", "priority", "enabled", "last_test_ok", "last_test_at"]
    list_editable = ["priority", "enabled"]
    readonly_fields = ["last_test_at", "last_test_ok", "last_test_message", "created_at"]


@admin.register(AcquisitionSettings)
class AcquisitionSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "auto_search", "auto_grab", "auto_grab_min_score", "max_attempts"]

    def has_add_permission(self, request) -> bool:
        return not AcquisitionSettings.objects.exists()


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(admin.ModelAdmin):
    list_display = ["title", "reason", "indexer", "created_at", "expires_at", "removed_at"]
    list_filter = ["reason", "removed_at"]
    search_fields = ["title", "guid", "info_hash", "details"]
    raw_id_fields = ["item"]
    readonly_fields = ["created_at", "created_by", "removed_by"]


@admin.register(SearchResult)
class SearchResultAdmin(admin.ModelAdmin):
    list_display = ["title", "item", "indexer", "protocol", "score", "accepted", "searched_at"]
    list_filter = ["accepted", "protocol"]
    search_fields = ["title", "guid"]
    readonly_fields = [f.name for f in SearchResult._meta.fields]


@admin.register(ItemSearchState)
class ItemSearchStateAdmin(admin.ModelAdmin):
    list_display = ["item", "last_search_at", "next_search_at", "searches", "last_best_score"]
    raw_id_fields = ["item"]


@admin.register(FormatProfile)
class FormatProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "cutoff", "min_score", "is_default"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(ItemProfile)
class ItemProfileAdmin(admin.ModelAdmin):
    list_display = ["item", "profile", "upgrade_wanted", "current_quality", "checked_at"]
    list_filter = ["upgrade_wanted"]
    raw_id_fields = ["item"]
    readonly_fields = ["upgrade_wanted", "current_quality", "file_qualities", "checked_at"]


@admin.register(QueryGrab)
class QueryGrabAdmin(admin.ModelAdmin):
    """What the query learning counts (indexers.learning); written by the download state machine."""

    list_display = ["attempt_id", "indexer_config", "query_form", "outcome", "grabbed_at", "finished_at"]
    list_filter = ["indexer_config", "query_form", "outcome"]
    readonly_fields = [f.name for f in QueryGrab._meta.fields]
