"""The Django admin under the project's name, for power users. Everyday settings live in the
app (Settings); the admin keeps every model, but the internals below (bookkeeping rows the app
writes for itself) are shown to superusers only: a staff account that is not a superuser sees
the models its Django permissions allow, never these."""

from __future__ import annotations

from django.contrib import admin
from django.db.models.base import ModelBase

# "app_label.modelname": rows the app keeps for itself (heartbeats, jobs, per-field candidates,
# match keys, pending scan values, journals, caches, key hashes).
INTERNAL_MODELS = frozenset(
    {
        "core.heartbeat",
        "core.job",
        "core.apikey",
        "wizard.wizardstate",
        "search.fieldcandidate",
        "search.resolvedfield",
        "search.enrichmentstate",
        "search.metadatachange",
        "scanning.itemmatchkey",
        "scanning.pendingcover",
        "scanning.sidecarproblem",
        "indexers.searchresult",
        "indexers.itemsearchstate",
        "indexers.querygrab",
        "readinglists.importrow",
        "processing.importevent",
        "processing.renameoperation",
    }
)


class SuperusersOnly:
    """Mixed into the ModelAdmin of an internal model: nothing for anyone but a superuser."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        return self.has_module_permission(request) and super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request) and super().has_delete_permission(request, obj)


class OmniAdminSite(admin.AdminSite):
    site_header = "OmniReadarr administration"
    site_title = "OmniReadarr admin"
    index_title = "Power-user settings (everyday settings are on the app's Settings page)"
    site_url = "/settings/"

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        for model in models:
            model_admin = admin_class or admin.ModelAdmin
            if model._meta.label_lower in INTERNAL_MODELS:
                model_admin = type(model_admin.__name__, (SuperusersOnly, model_admin), {})
            super().register(model, model_admin, **options)
