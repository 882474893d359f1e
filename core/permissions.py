"""Who may do what: the one table of roles for every API operation and every page.

The API's auth classes (core/api/auth.py) and the pages' middleware (core/middleware.py) both
read it; tests/core/test_roles.py walks the URLconf and the OpenAPI document and fails for an
endpoint without an entry. Roles: anonymous (not logged in), reader (any active user), admin
(staff or superuser). Something missing from the table is for admins only."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    READER = "reader"
    ADMIN = "admin"


@dataclass(frozen=True)
class Access:
    roles: frozenset[Role]
    note: str = ""

    def allows(self, role: Role) -> bool:
        return role in self.roles


def _access(*roles: Role, note: str = "") -> Access:
    return Access(frozenset(roles), note)


EVERYONE = _access(Role.ANONYMOUS, Role.READER, Role.ADMIN)
READERS = _access(Role.READER, Role.ADMIN)
ADMINS = _access(Role.ADMIN)
UNLISTED = ADMINS  # fail safe: an endpoint nobody listed yet is for admins only

# API operations: "METHOD /api/path", the OpenAPI document's path without its version: the
# documented /api/v1/... and the deprecated alias /api/... are one operation, checked by one entry.
API: dict[str, Access] = {
    "GET /api/health": _access(*EVERYONE.roles, note="anonymous: status only; admins: every check"),
    "GET /api/auth/api-key": READERS,
    "POST /api/auth/api-key": _access(*READERS.roles, note="own key; needs the session or the password"),
    "GET /api/jobs/": READERS,
    "POST /api/jobs/": ADMINS,
    "GET /api/jobs/kinds": READERS,
    "GET /api/jobs/{job_id}": READERS,
    "POST /api/jobs/{job_id}/cancel": ADMINS,
    "POST /api/jobs/{job_id}/retry": ADMINS,
    "GET /api/schedules/": ADMINS,
    "PUT /api/schedules/{name}": _access(Role.ADMIN, note="interval_minutes null: the default"),
    "GET /api/parse/": READERS,
    "GET /api/indexers/": _access(Role.ADMIN, note="API keys never returned (masked)"),
    "POST /api/indexers/": ADMINS,
    "GET /api/indexers/{config_id}/": ADMINS,
    "PATCH /api/indexers/{config_id}/": _access(Role.ADMIN, note="an empty API key keeps the stored one"),
    "DELETE /api/indexers/{config_id}/": ADMINS,
    "POST /api/indexers/{config_id}/test/": ADMINS,
    "POST /api/indexers/test/": _access(Role.ADMIN, note="typed values before saving"),
    "GET /api/profiles/": ADMINS,
    "POST /api/profiles/": ADMINS,
    "GET /api/profiles/qualities": ADMINS,
    "GET /api/profiles/{profile_id}": ADMINS,
    "PUT /api/profiles/{profile_id}": _access(Role.ADMIN, note="books using it are checked against the new cutoff"),
    "DELETE /api/profiles/{profile_id}": _access(Role.ADMIN, note="not a kind's default"),
    "POST /api/profiles/{profile_id}/default": ADMINS,
    "GET /api/profiles/items/{item_id}": ADMINS,
    "PUT /api/profiles/items/{item_id}": ADMINS,
    "GET /api/indexers/{config_id}/query-forms/": _access(Role.ADMIN, note="grabs and imports per query form"),
    "GET /api/reading-lists/": ADMINS,
    "POST /api/reading-lists/": _access(Role.ADMIN, note="CSV text; detected format and a preview, nothing added"),
    "POST /api/reading-lists/upload": _access(Role.ADMIN, note="CSV file, at most 5 MB; nothing added yet"),
    "GET /api/reading-lists/{import_id}": ADMINS,
    "POST /api/reading-lists/{import_id}/run": _access(Role.ADMIN, note="adds wanted books in a background job"),
    "GET /api/reading-lists/{import_id}/rows": ADMINS,
    "GET /api/reading-lists/review": ADMINS,
    "POST /api/reading-lists/review/{entry_id}": ADMINS,
    "POST /api/downloads/search/{media_id}/": _access(Role.ADMIN, note="asks the indexers; results lead to grabs"),
    "GET /api/downloads/search/{media_id}/results/": READERS,
    "POST /api/downloads/initiate/": ADMINS,
    "GET /api/downloads/attempts/{media_id}/": READERS,
    "GET /api/downloads/attempt/{attempt_id}/status/": READERS,
    "DELETE /api/downloads/attempt/{attempt_id}/": ADMINS,
    "POST /api/downloads/attempt/{attempt_id}/handoff/": ADMINS,
    "POST /api/downloads/retry/{media_id}/": ADMINS,
    "POST /api/downloads/blacklist/": ADMINS,
    "GET /api/downloads/blacklist/": READERS,
    "POST /api/downloads/blacklist/{entry_id}/remove/": ADMINS,
    "GET /api/downloads/queue/": READERS,
    "GET /api/downloads/history/": READERS,
    "GET /api/downloads/wanted/": READERS,
    "POST /api/downloads/monitor/": ADMINS,
    "POST /api/downloads/notify/": _access(*READERS.roles, note="a client's job-finished hook: only asks it now"),
    "POST /api/downloads/wanted/search/": ADMINS,
    "POST /api/downloads/clients/{config_id}/test/": ADMINS,
    "GET /api/downloads/clients/": _access(*READERS.roles, note="secrets never shown, only whether one is set"),
    "GET /api/downloads/clients/kinds": READERS,
    "POST /api/downloads/clients/": ADMINS,
    "GET /api/downloads/clients/{config_id}/": READERS,
    "PATCH /api/downloads/clients/{config_id}/": ADMINS,
    "DELETE /api/downloads/clients/{config_id}/": ADMINS,
    "POST /api/downloads/clients/test/": ADMINS,
    "POST /api/downloads/clients/{config_id}/categories/": ADMINS,
    "GET /api/processing/runs/": READERS,
    "GET /api/processing/events/": READERS,
    "GET /api/processing/runs/{run_id}/": READERS,
    "POST /api/processing/convert/{attempt_id}/": ADMINS,
    "POST /api/processing/organize/{attempt_id}/": ADMINS,
    "POST /api/processing/imports/": ADMINS,
    "POST /api/processing/rerun/{run_id}/": ADMINS,
    "POST /api/processing/runs/{run_id}/undo/": ADMINS,
    "GET /api/processing/settings": ADMINS,
    "PATCH /api/processing/settings": _access(Role.ADMIN, note="path_mappings replaces the list"),
    "GET /api/processing/settings/kinds": ADMINS,
    "GET /api/processing/settings/kinds/{kind}": ADMINS,
    "PUT /api/processing/settings/kinds/{kind}": ADMINS,
    "POST /api/processing/settings/kinds/{kind}/test-conversion": _access(
        Role.ADMIN, note="runs the converter on a generated sample, never a library file"
    ),
    "GET /api/rename/tokens": READERS,
    "POST /api/rename/preview": ADMINS,
    "GET /api/rename/preview/{batch_id}": READERS,
    "POST /api/rename/execute": ADMINS,
    "POST /api/rename/revert": ADMINS,
    "GET /api/rename/batches": READERS,
    "GET /api/rename/batches/{batch_id}": READERS,
    "GET /api/rename/templates": READERS,
    "POST /api/rename/templates": ADMINS,
    "PUT /api/rename/templates/{template_id}": ADMINS,
    "DELETE /api/rename/templates/{template_id}": ADMINS,
    "POST /api/rename/templates/check": _access(*READERS.roles, note="renders a sample; changes nothing"),
    "GET /api/providers/": READERS,
    "PATCH /api/providers/{name}": ADMINS,
    "POST /api/providers/": ADMINS,
    "POST /api/providers/{name}/retire": ADMINS,
    "POST /api/providers/{name}/test": _access(Role.ADMIN, note="one small search with typed or stored settings"),
    "GET /api/metadata/search": READERS,
    "GET /api/metadata/sources": READERS,
    "PATCH /api/metadata/sources/{name}": ADMINS,
    "PUT /api/metadata/sources/{name}/bounds": ADMINS,
    "GET /api/metadata/trust/changes": READERS,
    "POST /api/metadata/trust/changes/{change_id}/revert": ADMINS,
    "POST /api/metadata/trust/auto-adjust": ADMINS,
    "POST /api/metadata/trust/bulk": ADMINS,
    "POST /api/metadata/trust/bulk/{batch_id}/rollback": ADMINS,
    "POST /api/media/wanted/": _access(*READERS.roles, note="a reader's item is a request: not searched "
                                       "or grabbed until an admin approves it"),
    "POST /api/media/wanted/manual": _access(*READERS.roles, note="by hand, without a provider; a reader's "
                                             "item is a request an admin approves"),
    "GET /api/media/wanted/requests/": READERS,
    "POST /api/media/wanted/{item_id}/approve": ADMINS,
    "POST /api/media/wanted/{item_id}/deny": ADMINS,
    "GET /api/media/status/": READERS,
    "GET /api/media/{item_id}/metadata": READERS,
    "POST /api/media/{item_id}/fields/{field}": ADMINS,
    "POST /api/media/{item_id}/fields/{field}/lock": ADMINS,
    "POST /api/media/changes/{change_id}/revert": ADMINS,
    "POST /api/media/{item_id}/refresh": ADMINS,
    "POST /api/media/refresh": ADMINS,
    "POST /api/media/bulk-edit": _access(Role.ADMIN, note="dry_run counts the books a value would change"),
    "GET /api/media/{item_id}/covers": READERS,
    "POST /api/media/{item_id}/cover": ADMINS,
    "POST /api/media/{item_id}/cover/upload": ADMINS,
    "GET /api/review/": READERS,
    "POST /api/review/{review_id}/accept": ADMINS,
    "POST /api/review/{review_id}/keep": ADMINS,
    "GET /api/review/runs/": READERS,
    "POST /api/review/runs/{run_id}/revert": ADMINS,
    "GET /api/authors/": READERS,
    "POST /api/authors/{author_id}/rename": ADMINS,
    "POST /api/authors/{author_id}/merge": ADMINS,
    "POST /api/series/{series_id}/rename": ADMINS,
    "POST /api/series/{series_id}/shared-universe": ADMINS,
    "POST /api/series/{series_id}/memberships": ADMINS,
    "DELETE /api/series/{series_id}/memberships/{membership_id}": ADMINS,
    "PATCH /api/series/{series_id}": ADMINS,
    "POST /api/series/{series_id}/cover/upload": _access(Role.ADMIN, note="validated and re-encoded as JPEG"),
    "GET /api/series/{series_id}/history": ADMINS,
    "POST /api/series/changes/{change_id}/revert": ADMINS,
    "GET /api/library/search": READERS,
    "GET /api/library/items": READERS,
    "GET /api/library/history": _access(*READERS.roles, note="the caller's own"),
    "DELETE /api/library/history": _access(*READERS.roles, note="the caller's own"),
    "GET /api/library/preferences": _access(*READERS.roles, note="the caller's own"),
    "PUT /api/library/preferences": _access(*READERS.roles, note="the caller's own"),
    "GET /api/library/items/{item_id}": READERS,
    "DELETE /api/library/items/{item_id}": ADMINS,
    "POST /api/library/items/delete": _access(Role.ADMIN, note="to the recycle folder, each restorable"),
    "POST /api/library/recycle/{entry_id}/restore": ADMINS,
    "GET /api/library/export": _access(*READERS.roles, note="CSV cells starting with = + - @ tab CR are quoted"),
    "GET /api/scanning/folders": READERS,
    "POST /api/scanning/folders": ADMINS,
    "GET /api/scanning/folders/{folder_id}": READERS,
    "PUT /api/scanning/folders/{folder_id}": ADMINS,
    "DELETE /api/scanning/folders/{folder_id}": ADMINS,
    "POST /api/scanning/folders/{folder_id}/scan": ADMINS,
    "POST /api/scanning/folders/{folder_id}/cancel": ADMINS,
    "GET /api/scanning/runs": READERS,
    "GET /api/scanning/files/{state}": READERS,
    "GET /api/scanning/sidecar-problems": READERS,
    "GET /api/reading/progress/{item_id}": _access(*READERS.roles, note="own progress; books the reader may see"),
    "PUT /api/reading/progress/{item_id}": _access(*READERS.roles, note="last write wins by server time"),
    "PUT /api/reading/status/{item_id}": READERS,
    "DELETE /api/reading/status/{item_id}": READERS,
    "GET /api/reading/continue": READERS,
    "GET /api/reading/shelves": _access(*READERS.roles, note="own shelves only"),
    "POST /api/reading/shelves": READERS,
    "GET /api/reading/shelves/{shelf_id}": READERS,
    "PATCH /api/reading/shelves/{shelf_id}": READERS,
    "DELETE /api/reading/shelves/{shelf_id}": READERS,
    "GET /api/reading/shelves/{shelf_id}/items": READERS,
    "POST /api/reading/shelves/{shelf_id}/items": READERS,
    "POST /api/reading/shelves/{shelf_id}/items/bulk": _access(*READERS.roles, note="own shelves; only books "
                                                              "the reader may see are added"),
    "DELETE /api/reading/shelves/{shelf_id}/items/{item_id}": READERS,
    "POST /api/reading/koreader-key": _access(*READERS.roles, note="own KOReader sync key"),
    "DELETE /api/reading/koreader-key": READERS,
    "GET /api/users/": ADMINS,
    "POST /api/users/": ADMINS,
    "GET /api/users/{user_id}": ADMINS,
    "PATCH /api/users/{user_id}": _access(Role.ADMIN, note="never the last active admin; never oneself out"),
    "POST /api/users/{user_id}/password": ADMINS,
    "PUT /api/users/{user_id}/libraries": ADMINS,
    "GET /api/operations/backups": ADMINS,
    "POST /api/operations/backups": ADMINS,
    "GET /api/operations/backups/{name}": _access(Role.ADMIN, note="the whole database: users, API key hashes"),
    "GET /api/operations/integrity": ADMINS,
    "GET /api/operations/integrity/{report_id}": ADMINS,
    "POST /api/operations/integrity": ADMINS,
    "POST /api/operations/integrity/findings/{finding_id}/fix": _access(Role.ADMIN, note="recycle bin or scan"),
    "GET /api/reading/files/{file_id}": _access(*READERS.roles, note="files of the libraries the reader may see"),
    "GET /api/reading/items/{item_id}/files": READERS,
    "GET /api/reading/files/{file_id}/pages": READERS,
    "POST /api/reading/files/{file_id}/conversions/{target}": _access(
        *READERS.roles, note="into the cache; the file is never changed"
    ),
    "GET /api/reading/mail-settings": _access(Role.ADMIN, note="the SMTP password is never returned"),
    "PATCH /api/reading/mail-settings": _access(Role.ADMIN, note="an empty password keeps the stored one"),
    "POST /api/reading/mail-settings/test": ADMINS,
    "GET /api/reading/devices": _access(*READERS.roles, note="own e-readers only"),
    "POST /api/reading/devices": READERS,
    "PATCH /api/reading/devices/{device_id}": READERS,
    "DELETE /api/reading/devices/{device_id}": READERS,
    "POST /api/reading/files/{file_id}/send": _access(*READERS.roles, note="files the reader may see; own e-readers"),
    "GET /api/notifications/events": _access(*READERS.roles, note="the dashboard's What happened list"),
    "GET /api/notifications/connections": ADMINS,
    "POST /api/notifications/connections": _access(Role.ADMIN, note="URL and secret are write-only"),
    "GET /api/notifications/connections/{connection_id}": ADMINS,
    "PATCH /api/notifications/connections/{connection_id}": ADMINS,
    "DELETE /api/notifications/connections/{connection_id}": ADMINS,
    "POST /api/notifications/connections/{connection_id}/test": ADMINS,
    "GET /api/notifications/connections/{connection_id}/deliveries": ADMINS,
    "GET /api/notifications/health": ADMINS,
    "POST /api/notifications/health/check": ADMINS,
    "GET /api/system/status": _access(*READERS.roles, note="arr-compatible (Readarr's shape); also ?apikey="),
    "GET /api/queue": _access(*READERS.roles, note="arr-compatible (Readarr's shape); also ?apikey="),
    "GET /api/queue/status": _access(*READERS.roles, note="arr-compatible (Readarr's shape); also ?apikey="),
    "GET /api/calendar": _access(*READERS.roles, note="arr-compatible: wanted items by release date; also ?apikey="),
    "GET /api/calendar.ics": _access(*READERS.roles, note="iCalendar of wanted and monitored books; also ?apikey="),
    "GET /api/monitoring/authors": READERS,
    "POST /api/monitoring/authors": ADMINS,
    "PATCH /api/monitoring/authors/{monitor_id}": ADMINS,
    "DELETE /api/monitoring/authors/{monitor_id}": _access(Role.ADMIN, note="the books it added stay wanted"),
    "POST /api/monitoring/authors/{monitor_id}/want-missing": ADMINS,
    "GET /api/monitoring/series": READERS,
    "POST /api/monitoring/series": ADMINS,
    "PATCH /api/monitoring/series/{monitor_id}": ADMINS,
    "DELETE /api/monitoring/series/{monitor_id}": _access(Role.ADMIN, note="the books it added stay wanted"),
    "POST /api/monitoring/series/{monitor_id}/want-missing": ADMINS,
    "POST /api/monitoring/check": ADMINS,
    "GET /api/monitoring/books": _access(*READERS.roles, note="why each book was added, matched or dismissed"),
    "POST /api/monitoring/books/{book_id}/resolve": ADMINS,
    "POST /api/monitoring/items/{item_id}/dismiss": _access(Role.ADMIN, note="never added again by a monitor"),
    "GET /api/monitoring/settings": ADMINS,
    "PATCH /api/monitoring/settings": ADMINS,
    "GET /api/openapi.json": READERS,
    "GET /api/docs": READERS,
}

# Pages by URL name ("admin:*" is the whole Django admin). Anonymous visitors of a page that is
# not theirs are sent to the log-in page; readers get 403.
FIRST_RUN = "anonymous only while no account exists (to create the first admin)"
OPDS = "OPDS catalogue: HTTP Basic, API key or session; anonymous gets 401 with a Basic challenge"
_OPDS_FEEDS = ("root", "recent", "books", "authors", "author", "series-list", "series", "shelves", "shelf")
OPDS_PAGES = (
    *_OPDS_FEEDS,
    "continue",
    "search",
    *(f"v2-{name}" for name in (*_OPDS_FEEDS, "continue", "search")),
    "opensearch",
    "download",
    "pse-page",
    "cover",
    "cover-thumb",
)
PAGES: dict[str, Access] = {
    "file-download": _access(*READERS.roles, note="files of the libraries the reader may see"),
    "comic-page": _access(*READERS.roles, note="pages of the libraries the reader may see"),
    "read-item": _access(*READERS.roles, note="web reader or player; books of the libraries the reader may see"),
    "read-file": _access(*READERS.roles, note="web reader or player; files of the libraries the reader may see"),
    "users": ADMINS,
    "user-detail": ADMINS,
    "shelves": _access(*READERS.roles, note="own shelves"),
    "shelf-detail": _access(*READERS.roles, note="own shelves; books the reader may see"),
    "koreader-sync": _access(*READERS.roles, note="own KOReader sync key"),
    "kosync-create": _access(*EVERYONE.roles, note="kosync: registration closed (402, code 2005)"),
    "kosync-auth": _access(*EVERYONE.roles, note="kosync: x-auth-user + x-auth-key (MD5 of the sync key)"),
    "kosync-update": _access(*EVERYONE.roles, note="kosync: x-auth-user + x-auth-key"),
    "kosync-progress": _access(*EVERYONE.roles, note="kosync: x-auth-user + x-auth-key"),
    "kosync-health": EVERYONE,
    "mail-settings": _access(Role.ADMIN, note="the SMTP password is never rendered"),
    "devices": _access(*READERS.roles, note="own e-readers"),
    "file-convert": _access(*READERS.roles, note="converts a visible file into the cache; never touches it"),
    "item-zip": _access(*READERS.roles, note="the book's files the reader may see, as one zip"),
    **{f"opds:{name}": _access(*READERS.roles, note=OPDS) for name in OPDS_PAGES},
    "login": EVERYONE,
    "web-manifest": _access(*EVERYONE.roles, note="app name and icons; browsers fetch it without cookies"),
    "favicon": EVERYONE,
    "logout": EVERYONE,
    "health": _access(*EVERYONE.roles, note="status only"),
    "metrics": _access(*EVERYONE.roles, note="Prometheus; 401 without an API key (X-Api-Key, Bearer or ?apikey=) "
                       "or a login, unless OMNI_METRICS_PUBLIC=true"),
    "api-not-found": _access(*EVERYONE.roles, note="a JSON 404 for any unknown /api/ address"),
    "home": READERS,
    "dashboard-live": _access(*READERS.roles, note="the dashboard's counts, redrawn while a scan runs"),
    "library": READERS,
    "user-preferences": _access(*READERS.roles, note="the signed-in user's own theme, view and page size"),
    "cover": READERS,
    "cover-thumb": READERS,
    "wanted": _access(*READERS.roles, note="admins approve or deny readers' requests here"),
    "reading-lists": _access(Role.ADMIN, note="upload a Goodreads, StoryGraph or plain CSV list"),
    "reading-list": ADMINS,
    "reading-list-run": ADMINS,
    "reading-list-review": ADMINS,
    "reading-list-resolve": ADMINS,
    "parse-release": READERS,
    "downloads": READERS,
    "downloads-wanted": READERS,
    "downloads-search": ADMINS,
    "downloads-blacklist": READERS,
    "rename_books": _access(*READERS.roles, note="readers see plans and history; admins change"),
    "rename_templates": READERS,
    "rename_history": READERS,
    "metadata-search": READERS,
    "review": READERS,
    "data-sources": READERS,
    "data-source-add": _access(Role.ADMIN, note="its API key is never shown back"),
    "data-source-retire": _access(Role.ADMIN, note="asks first; the values it gave stay"),
    "book-detail": READERS,
    "cover-candidate": READERS,
    "item-redirect": READERS,
    "series-list": READERS,
    "series-detail": READERS,
    "series-cover": READERS,
    "author-list": READERS,
    "author-detail": READERS,
    "imports": READERS,
    "import_detail": READERS,
    "scanning": READERS,
    "activity": READERS,
    "help": READERS,
    "help-topic": READERS,
    "settings": _access(*READERS.roles, note="own API key; system checks and the settings pages for admins"),
    "indexer-settings": ADMINS,
    "indexer-add": ADMINS,
    "indexer-edit": _access(Role.ADMIN, note="API keys never rendered; empty keeps"),
    "indexer-delete": ADMINS,
    "indexer-toggle": ADMINS,
    "format-profiles": ADMINS,
    "format-profile-add": ADMINS,
    "format-profile-edit": ADMINS,
    "format-profile-delete": ADMINS,
    "format-profile-default": ADMINS,
    "item-format-profile": ADMINS,
    "metadata-settings": _access(Role.ADMIN, note="API keys never rendered; empty keeps"),
    "metadata-provider-save": ADMINS,
    "media-settings": ADMINS,
    "media-library-naming": ADMINS,
    "schedule-settings": ADMINS,
    "download-clients": ADMINS,
    "download-client-add": ADMINS,
    "download-client": ADMINS,
    "download-client-delete": ADMINS,
    "download-client-toggle": ADMINS,
    "wizard": _access(Role.ADMIN, note=FIRST_RUN),
    "wizard-step": _access(Role.ADMIN, note=FIRST_RUN),
    "wizard-test": ADMINS,
    "operations-backups": ADMINS,
    "operations-backup-start": ADMINS,
    "operations-backup-download": ADMINS,
    "operations-integrity": ADMINS,
    "operations-integrity-start": ADMINS,
    "operations-integrity-fix": ADMINS,
    "system-health": ADMINS,
    "system-health-run": ADMINS,
    "system-health-settings": ADMINS,
    "notifications": ADMINS,
    "notification-detail": _access(Role.ADMIN, note="URL and secret are never shown back"),
    "notification-test": ADMINS,
    "notification-delete": ADMINS,
    "monitoring": _access(*READERS.roles, note="followed authors and series; admins change them"),
    "monitor-author": _access(*READERS.roles, note="an author's works at the providers; admins follow"),
    "monitor-series": _access(*READERS.roles, note="a series' books and gaps; admins want the missing ones"),
    "monitor-follow": ADMINS,
    "monitor-change": ADMINS,
    "monitor-check": ADMINS,
    "monitor-want-missing": ADMINS,
    "monitor-resolve": ADMINS,
    "monitor-settings": ADMINS,
    "calendar": _access(*READERS.roles, note="release dates of wanted and monitored books"),
    "admin:*": ADMINS,
}
# Pages anonymous visitors may open before the first account exists (the wizard's first steps
# check further which step).
FIRST_RUN_PAGES = frozenset({"wizard", "wizard-step"})


def role_of(user) -> Role:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Role.ANONYMOUS
    return Role.ADMIN if (user.is_staff or user.is_superuser) else Role.READER


API_VERSION_PREFIX = "/api/v1/"


def api_table_path(path: str) -> str:
    """The roles table's key for an API path: `/api/v1/jobs/{job_id}` -> `/api/jobs/{job_id}`
    (the deprecated alias `/api/jobs/{job_id}` is its own key already)."""
    return "/api/" + path.removeprefix(API_VERSION_PREFIX) if path.startswith(API_VERSION_PREFIX) else path


def api_access(method: str, path: str) -> Access:
    return API.get(f"{method.upper()} {api_table_path(path)}", UNLISTED)


def page_access(name: str) -> Access:
    return PAGES.get(name, UNLISTED)


def markdown_table() -> str:
    """The README's table: `python manage.py shell -c "from core.permissions import *;
    print(markdown_table())"`."""
    lines = ["| endpoint or page | anonymous | reader | admin | note |", "|---|---|---|---|---|"]
    for title, table in (("", API), ("page ", PAGES)):
        for key, access in table.items():
            marks = " | ".join("yes" if access.allows(role) else "-" for role in Role)
            lines.append(f"| {title}`{key}` | {marks} | {access.note} |")
    return "\n".join(lines)
