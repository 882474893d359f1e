from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path

from core.api.edge import alias_urls
from core.api.openapi import api_not_found
from core.api.system import health_page_fallback
from omnireadarr.api import api
from omnireadarr.metrics import metrics_view

handler500 = "core.views.server_error"  # in the layout, without the database

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/", alias_urls(api)),  # deprecated alias of /api/v1/ for one release (Deprecation header)
    re_path(r"^api/", api_not_found, name="api-not-found"),  # JSON 404 for any other /api/ address
    path("health", health_page_fallback, name="health"),
    path("metrics", metrics_view, name="metrics"),
    path("", include("core.wizard.urls")),
    path("", include("media.urls")),
    path("", include("indexers.urls")),
    path("", include("downloaders.urls")),
    path("", include("processing.renaming.urls")),
    path("", include("search.urls")),
    path("", include("processing.urls")),
    path("", include("scanning.urls")),
    path("", include("reading.urls")),
    path("", include("operations.urls")),
    path("", include("notifications.urls")),
    path("", include("monitoring.urls")),
    path("", include("readinglists.urls")),
    path("", include("core.urls")),
]
