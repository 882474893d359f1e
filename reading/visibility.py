"""What a user may see: the one place that answers it. Every page, feed, download and API of
`reading` (and the OPDS catalogue) asks here; nothing trusts an id or a path from a request.

Admins see every library. A reader sees every library unless their `LibraryAccess` names some.
An item is visible when one of its present files lies in a visible library (scan folder)."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.db.models.lookups import EndsWith, StartsWith

from core.permissions import Role, role_of
from media.models import FileState, LibraryFile, MediaItem
from reading.models import LibraryAccess
from scanning.models import ScanFolder


def visible_folders(user) -> QuerySet[ScanFolder] | None:
    """The scan folders the user may see, or None for "all of them"."""
    role = role_of(user)
    if role is Role.ANONYMOUS:
        return ScanFolder.objects.none()
    if role is Role.ADMIN:
        return None
    access = LibraryAccess.objects.filter(user=user).first()
    if access is None or access.all_libraries:
        return None
    return access.libraries.all()


def visible_folder_ids(user):
    """The ids of the scan folders the user may see (a subquery), or None for "all of them"
    (registered with core.visibility for the scanning pages)."""
    folders = visible_folders(user)
    return None if folders is None else folders.values("pk")


def _under(folders: QuerySet[ScanFolder]) -> Q:
    query = Q(pk__in=[])
    for root in folders.values_list("path", flat=True):
        query |= Q(path__startswith=root.rstrip("/") + "/")
    return query


def visible_files(user) -> QuerySet[LibraryFile]:
    files = LibraryFile.objects.filter(state=FileState.PRESENT, item__isnull=False)
    folders = visible_folders(user)
    return files if folders is None else files.filter(_under(folders))


def _present_files(item_ref: str = "pk") -> QuerySet[LibraryFile]:
    return LibraryFile.objects.filter(item=OuterRef(item_ref), state=FileState.PRESENT)


def _in_chosen_library(limited: QuerySet[LibraryAccess]) -> Exists:
    """For a file (the outer row): it lies in one of the libraries the limited reader chose."""
    folders = ScanFolder.objects.filter(pk__in=limited.values("libraries"))
    return Exists(folders.filter(StartsWith(OuterRef("path"), Concat("path", Value("/")))
                                 | (EndsWith(F("path"), Value("/")) & StartsWith(OuterRef("path"), F("path")))))


def hidden_items(user, item_ref: str = "pk") -> Q | None:
    """The rows (whose `item_ref` holds an item id) of items this user must not see: items with
    present files, none of them in a library the user may see. Wanted items without files stay
    visible (they have no library yet). None for admins: nothing is added to their queries.

    Subqueries only, no query of its own: a reader's test starts with an uncorrelated one (has
    this reader chosen libraries at all?) that the database evaluates once per statement, so an
    unrestricted reader's query does not look at files. core.visibility hands this rule to the
    apps below reading (registered in ReadingConfig.ready)."""
    role = role_of(user)
    if role is Role.ADMIN:
        return None
    present = _present_files(item_ref)
    if role is Role.ANONYMOUS:
        return Q(Exists(present))
    limited = LibraryAccess.objects.filter(user=user, all_libraries=False)
    return Q(Exists(limited)) & Q(Exists(present)) & ~Q(Exists(present.filter(_in_chosen_library(limited))))


def visible_items(user) -> QuerySet[MediaItem]:
    """Items with at least one present file the user may see (wanted items without files are
    not readable and not listed here). Built from subqueries only: filtering by it (or by
    `.values("pk")` of it) adds no query of its own."""
    items = MediaItem.objects.filter(Exists(_present_files()))
    hidden = hidden_items(user)
    return items if hidden is None else items.exclude(hidden)


def visible_file(user, file_id: int) -> LibraryFile | None:
    """The file if this user may open it, else None (callers answer 404, never 403: a hidden
    library's books do not exist for that reader)."""
    return visible_files(user).filter(pk=file_id).select_related("item").first()


def visible_item(user, item_id: int) -> MediaItem | None:
    return visible_items(user).filter(pk=item_id).first()
