from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from core.api.system import health_page_fallback
from omnireadarr.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("health", health_page_fallback, name="health"),
    path("", include("media.urls")),
    path("", include("scanning.urls")),
    path("", include("core.urls")),
]
