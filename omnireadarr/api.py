"""The one JSON API: every app contributes a router; everything needs a login or an
API key except /api/v1/health. Served under /api/v1/ (and, deprecated, under /api/);
OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

from core.api import handlers
from core.api.auth import API_AUTH, docs_guard
from core.api.jobs import router as jobs_router
from core.api.openapi import OmniAPI
from core.api.schedules import router as schedules_router
from core.api.system import router as system_router
from downloaders.api import router as downloads_router
from downloaders.client_api import router as download_clients_router
from indexers.api import router as indexers_router
from indexers.profiles_api import router as profiles_router
from media.api import router as library_router
from monitoring.api import router as monitoring_router
from notifications.api import router as notifications_router
from omnireadarr.arr_api import router as arr_router
from operations.api import router as operations_router
from processing.api import router as processing_router
from processing.parse_api import router as parse_router
from processing.renaming.api import router as rename_router
from processing.settings_api import router as media_settings_router
from reading.api import router as reading_router
from reading.files_api import router as reading_files_router
from reading.send_api import router as reading_send_router
from reading.users_api import router as users_router
from readinglists.api import router as reading_lists_router
from scanning.api import router as scanning_router
from search.api import catalogue_router, media_router, metadata_router, providers_router, review_router
from search.cover_api import covers_router, series_covers_router

api = OmniAPI(
    title="OmniReadarr API",
    version="1.0",
    description="All responses use the envelope {success, data, error, error_code}. "
    "Authenticate with the browser session (CSRF token on writes) or the X-Api-Key header. "
    "The same operations answer under /api/ for one more release (deprecated: each response "
    "carries a Deprecation header and a Link to its /api/v1/ address). The arr-compatible operations "
    "(system/status, queue, queue/status, calendar) answer Readarr's bare JSON instead, for tools "
    "that speak to Readarr. Rate limits: per API key, logged-in user or (anonymous) IP address, "
    "OMNI_API_RATE_READ reads and OMNI_API_RATE_WRITE writes a minute; past them 429 with Retry-After.",
    auth=API_AUTH,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs_decorator=docs_guard,
)
handlers.install(api)
api.add_router("/", system_router)
api.add_router("/jobs", jobs_router)
api.add_router("/schedules", schedules_router)
api.add_router("/parse", parse_router)
api.add_router("/indexers", indexers_router)
api.add_router("/profiles", profiles_router)
api.add_router("/downloads", downloads_router)
api.add_router("/downloads/clients", download_clients_router)
api.add_router("/processing", processing_router)
api.add_router("/processing", media_settings_router)
api.add_router("/rename", rename_router)
api.add_router("/providers", providers_router)
api.add_router("/metadata", metadata_router)
api.add_router("/media", media_router)
api.add_router("/media", covers_router)
api.add_router("/series", series_covers_router)
api.add_router("/review", review_router)
api.add_router("/", catalogue_router)
api.add_router("/library", library_router)
api.add_router("/scanning", scanning_router)
api.add_router("/reading", reading_router)
api.add_router("/users", users_router)
api.add_router("/operations", operations_router)
api.add_router("/reading", reading_files_router)
api.add_router("/reading", reading_send_router)
api.add_router("/notifications", notifications_router)
api.add_router("/monitoring", monitoring_router)
api.add_router("/reading-lists", reading_lists_router)
api.add_router("/", arr_router)
