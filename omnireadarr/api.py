"""The one JSON API: every app contributes a router; everything needs a login or an
API key except /api/health. OpenAPI at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

from ninja import NinjaAPI

from core.api import handlers
from core.api.auth import API_AUTH
from core.api.jobs import router as jobs_router
from core.api.system import router as system_router
from scanning.api import router as scanning_router

api = NinjaAPI(
    title="OmniReadarr API",
    version="1",
    description="All responses use the envelope {success, data, error, error_code}. "
    "Authenticate with the browser session (CSRF token on writes) or the X-Api-Key header.",
    auth=API_AUTH,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
handlers.install(api)
api.add_router("/", system_router)
api.add_router("/jobs", jobs_router)
api.add_router("/scanning", scanning_router)
