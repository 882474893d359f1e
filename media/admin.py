from django.contrib import admin

from media.models import Author, Contribution, Identifier, LibraryFile, MediaItem, Series, Work


class ContributionInline(admin.TabularInline):
    model = Contribution
    extra = 0
    autocomplete_fields = ["author"]


class IdentifierInline(admin.TabularInline):
    model = Identifier
    extra = 0


class LibraryFileInline(admin.TabularInline):
    model = LibraryFile
    extra = 0
    fields = ["path", "format", "size", "state"]
    readonly_fields = ["path", "format", "size", "state"]


@admin.register(MediaItem)
class MediaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "series", "series_index", "year", "language", "added_at"]
    list_filter = ["kind", "status", "language"]
    search_fields = ["title", "isbn13", "contributions__author__name", "series__title"]
    autocomplete_fields = ["series"]
    raw_id_fields = ["work"]
    inlines = [ContributionInline, IdentifierInline, LibraryFileInline]


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "external_id", "created_at"]
    search_fields = ["title", "external_id"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_name", "created_at"]
    search_fields = ["name", "sort_name"]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "created_at"]
    search_fields = ["title"]
    readonly_fields = ["cover_path"]  # set by an upload (validated, re-encoded), never typed in


@admin.register(LibraryFile)
class LibraryFileAdmin(admin.ModelAdmin):
    list_display = ["path", "format", "size", "state", "item"]
    list_filter = ["state", "format"]
    search_fields = ["path", "sha256"]
    raw_id_fields = ["item"]
