"""Format profiles: the one place that says which formats are acceptable per kind, in which
order, where upgrades stop (cutoff) and the lowest release score taken. Pages, API, the
release search (`scoring_prefs`), the periodic search (`upgrade_wanted`) and the import
pipeline (`upgrade_plan`, `record_import`, `refresh_item`) all ask this module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.db import chunks
from core.errors import Conflict, InvalidInput, NotFound
from indexers import qualities
from indexers.models import FormatProfile, ItemProfile
from media.models import FileState, LibraryFile, MediaItem, MediaKind

DEFAULT_NAMES = {"ebook": "Ebooks", "audiobook": "Audiobooks", "comic": "Comics"}
MAX_NAME = 100


@dataclass(frozen=True)
class ProfileRules:
    """What the scorer needs of a profile (frozen: crosses into pure code)."""

    kind: str
    qualities: tuple[str, ...]
    cutoff: str
    min_score: float = 0.0


@dataclass(frozen=True)
class UpgradeState:
    profile_id: int
    profile_name: str
    chosen: bool  # False: the kind's default applies
    current: str  # best present file's quality key ('' = no file)
    cutoff: str
    upgrade_wanted: bool
    message: str


# --- profiles ---------------------------------------------------------------------------------
def rules(profile: FormatProfile) -> ProfileRules:
    return ProfileRules(profile.kind, tuple(profile.qualities), profile.cutoff, float(profile.min_score))


def default_profile(kind: str) -> FormatProfile:
    """The kind's default profile; made from the suggested order (cutoff: the last, so no
    upgrades) if it was never made."""
    kind = qualities.kind_of(kind)
    found = FormatProfile.objects.filter(kind=kind, is_default=True).first()
    if found is not None:
        return found
    keys = qualities.SUGGESTED[kind]
    try:
        with transaction.atomic():
            return FormatProfile.objects.create(
                name=_free_name(DEFAULT_NAMES[kind]), kind=kind, qualities=list(keys), cutoff=keys[-1],
                is_default=True,
            )
    except IntegrityError:  # made meanwhile by another request
        return FormatProfile.objects.get(kind=kind, is_default=True)


def _free_name(name: str) -> str:
    taken = set(FormatProfile.objects.filter(name__startswith=name).values_list("name", flat=True))
    return next(n for n in (name, *(f"{name} ({i})" for i in range(2, 1000))) if n not in taken)


def profile_for(item: MediaItem) -> FormatProfile:
    row = ItemProfile.objects.select_related("profile").filter(item_id=item.pk).first()
    if row is not None and row.profile is not None and row.profile.kind == item.kind:
        return row.profile
    return default_profile(item.kind)


def get_profile(profile_id: int) -> FormatProfile:
    profile = FormatProfile.objects.filter(pk=profile_id).first()
    if profile is None:
        raise NotFound(f"Format profile {profile_id} does not exist")
    return profile


def all_profiles() -> list[FormatProfile]:
    for kind in qualities.KINDS:
        default_profile(kind)
    return list(FormatProfile.objects.all())


def validate(values: dict[str, Any]) -> dict[str, Any]:
    """Clean a profile's values; InvalidInput names every problem (details.errors per field)."""
    errors: dict[str, list[str]] = {}
    kind = values.get("kind")
    if kind not in qualities.KINDS:
        errors["kind"] = [f"Choose one of {', '.join(qualities.KINDS)}."]
        kind = "ebook"
    name = str(values.get("name") or "").strip()
    if not name or len(name) > MAX_NAME:
        errors["name"] = [f"Give a name of 1 to {MAX_NAME} characters."]
    keys = [str(k).strip().lower() for k in values.get("qualities") or []]
    allowed = qualities.keys_for(kind)
    unknown = [k for k in keys if k not in allowed]
    if unknown:
        errors["qualities"] = [f"Not {kind} qualities: {', '.join(unknown)}; known: {', '.join(allowed)}."]
    elif not keys:
        errors["qualities"] = ["Accept at least one format."]
    elif len(set(keys)) != len(keys):
        errors["qualities"] = ["Each format may be listed once."]
    cutoff = str(values.get("cutoff") or "").strip().lower()
    if keys and cutoff not in keys and "qualities" not in errors:
        errors["cutoff"] = ["The cutoff must be one of the accepted formats."]
    try:
        min_score = float(values.get("min_score", 0) or 0)
    except (TypeError, ValueError):
        min_score = -1.0
    if not 0 <= min_score <= 100:
        errors["min_score"] = ["The minimum score is a number from 0 to 100."]
    if errors:
        first = "; ".join(f"{field}: {problems[0]}" for field, problems in errors.items())
        raise InvalidInput(f"The format profile is not valid: {first}", details={"errors": errors})
    return {"name": name, "kind": kind, "qualities": keys, "cutoff": cutoff, "min_score": min_score}


def save_profile(values: dict[str, Any], profile: FormatProfile | None = None) -> FormatProfile:
    """Create (`profile` None) or change a profile; a profile's kind never changes. Items using it
    are checked again against the new order and cutoff."""
    if profile is not None:
        values = {**values, "kind": profile.kind}
    clean = validate(values)
    clash = FormatProfile.objects.filter(name=clean["name"]).exclude(pk=getattr(profile, "pk", None))
    if clash.exists():
        raise Conflict(f"A format profile named {clean['name']!r} exists already", hint="Choose another name.")
    with transaction.atomic():
        if profile is None:
            profile = FormatProfile.objects.create(**clean)
        else:
            for field, value in clean.items():
                setattr(profile, field, value)
            profile.save()
    refresh_profile_items(profile)
    return profile


def delete_profile(profile_id: int) -> FormatProfile:
    profile = get_profile(profile_id)
    if profile.is_default:
        raise Conflict(
            f"{profile.name} is the default {profile.kind} profile", hint="Make another one the default first."
        )
    item_ids = list(ItemProfile.objects.filter(profile=profile).values_list("item_id", flat=True))
    profile.delete()
    for item_id in item_ids:  # they fall back to their kind's default
        refresh_item(item_id)
    return profile


def make_default(profile_id: int) -> FormatProfile:
    profile = get_profile(profile_id)
    with transaction.atomic():
        FormatProfile.objects.filter(kind=profile.kind, is_default=True).exclude(pk=profile.pk).update(is_default=False)
        FormatProfile.objects.filter(pk=profile.pk).update(is_default=True)
    profile.refresh_from_db()
    refresh_profile_items(profile)
    return profile


def public(profile: FormatProfile) -> dict[str, Any]:
    return {
        "id": profile.pk,
        "name": profile.name,
        "kind": profile.kind,
        "qualities": list(profile.qualities),
        "labels": [qualities.label(profile.kind, k) for k in profile.qualities],
        "cutoff": profile.cutoff,
        "cutoff_label": qualities.label(profile.kind, profile.cutoff),
        "min_score": profile.min_score,
        "is_default": profile.is_default,
        "items": ItemProfile.objects.filter(profile=profile).count(),
    }


# --- items ------------------------------------------------------------------------------------
def _present_files(item_id: int) -> list[tuple[str, str]]:
    rows = LibraryFile.objects.filter(item_id=item_id, state=FileState.PRESENT)
    return list(rows.order_by("path").values_list("path", "format"))


def file_qualities(item: MediaItem, row: ItemProfile | None) -> list[tuple[str, str]]:
    """(path, quality key) of each present file: as imported when known, else by its format."""
    known = (row.file_qualities if row is not None and isinstance(row.file_qualities, dict) else {})
    return [
        (path, str(known.get(path) or qualities.narrowest(item.kind, fmt))) for path, fmt in _present_files(item.pk)
    ]


def _best(kind: str, order: tuple[str, ...], keys: list[str]) -> str:
    ranked = [(qualities.rank_of(kind, order, k), k) for k in keys if k]
    inside = sorted((r, k) for r, k in ranked if r is not None)
    if inside:
        return inside[0][1]
    return keys[0] if keys else ""


def _message(kind: str, current: str, cutoff: str, wanted: bool) -> str:
    if not current:
        return "no file yet"
    has, cut = qualities.label(kind, current), qualities.label(kind, cutoff)
    if wanted:
        return f"upgrade wanted: has {has}, cutoff {cut}"
    return f"cutoff met: has {has} (cutoff {cut})"


def _state(item: MediaItem, row: ItemProfile | None, profile: FormatProfile) -> UpgradeState:
    order = tuple(profile.qualities)
    current = _best(item.kind, order, [k for _, k in file_qualities(item, row)])
    cutoff_rank = qualities.rank_of(item.kind, order, profile.cutoff)
    current_rank = qualities.rank_of(item.kind, order, current) if current else None
    wanted = bool(current) and (current_rank is None or (cutoff_rank is not None and current_rank > cutoff_rank))
    return UpgradeState(
        profile.pk, profile.name, bool(row and row.profile_id == profile.pk), current, profile.cutoff, wanted,
        _message(item.kind, current, profile.cutoff, wanted),
    )


def item_state(item_id: int) -> UpgradeState:
    """The item's profile and upgrade state as it is now (nothing stored)."""
    item = _item(item_id)
    row = ItemProfile.objects.filter(item_id=item.pk).first()
    return _state(item, row, profile_for(item))


def _item(item_id: int) -> MediaItem:
    item = MediaItem.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFound(f"Media item {item_id} does not exist")
    return item


def refresh_item(item_id: int, *, create: bool = False) -> UpgradeState | None:
    """Check the item's files against its profile again and store whether it wants an upgrade.
    Items without a row are not followed for upgrades unless `create`."""
    item = MediaItem.objects.filter(pk=item_id).first()
    if item is None:
        return None
    row = ItemProfile.objects.filter(item_id=item_id).first()
    if row is None and not create:
        return None
    if row is None:
        row, _ = ItemProfile.objects.get_or_create(item=item)
    state = _state(item, row, profile_for(item))
    ItemProfile.objects.filter(pk=row.pk).update(
        upgrade_wanted=state.upgrade_wanted, current_quality=state.current, checked_at=timezone.now()
    )
    return state


def refresh_profile_items(profile: FormatProfile) -> int:
    rows = ItemProfile.objects.filter(profile=profile)
    if profile.is_default:
        rows = ItemProfile.objects.filter(Q(profile=profile) | Q(profile__isnull=True, item__kind=profile.kind))
    done = 0
    for page in chunks(rows.only("item_id")):
        for row in page:
            refresh_item(row.item_id)
            done += 1
    return done


def set_item_profile(item_id: int, profile_id: int | None) -> UpgradeState:
    """Choose the item's profile (None: its kind's default); the item is followed for upgrades
    from now on."""
    item = _item(item_id)
    profile = get_profile(profile_id) if profile_id is not None else None
    if profile is not None and profile.kind != item.kind:
        raise InvalidInput(
            f"{profile.name} is {_a(profile.kind)} profile; item {item_id} is {_a(item.kind)}",
            hint=f"Choose a {item.kind} profile.",
        )
    ItemProfile.objects.update_or_create(item=item, defaults={"profile": profile})
    state = refresh_item(item.pk, create=True)
    assert state is not None
    return state


def _a(kind: str) -> str:
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


def is_upgrade_wanted(item_id: int) -> bool:
    return ItemProfile.objects.filter(item_id=item_id, upgrade_wanted=True).exists()


def scoring_inputs(item: MediaItem) -> tuple[ProfileRules, str]:
    """The item's profile rules and the quality a release must beat ('' while the item has no
    file: any acceptable release will do)."""
    profile = profile_for(item)
    row = ItemProfile.objects.filter(item_id=item.pk).first()
    current = _state(item, row, profile).current
    return rules(profile), current


def upgrade_plan(item_id: int, release_title: str) -> qualities.UpgradePlan | None:
    """For an import into an item wanted for an upgrade: what to rank the new files against."""
    row = ItemProfile.objects.filter(item_id=item_id, upgrade_wanted=True).first()
    if row is None:
        return None
    item = _item(item_id)
    profile = profile_for(item)
    return qualities.UpgradePlan(
        item.kind, tuple(profile.qualities), qualities.of_release(release_title),
        tuple(file_qualities(item, row)),
    )


def record_import(item_id: int, placed: list[tuple[str, str]], release_title: str) -> UpgradeState | None:
    """After a completed import: remember each placed file's quality (retail and bitrate from
    the release name) and check the item against its cutoff. Imported items are followed."""
    item = MediaItem.objects.filter(pk=item_id).first()
    if item is None:
        return None
    release = qualities.of_release(release_title)
    row, _ = ItemProfile.objects.get_or_create(item=item)
    known = dict(row.file_qualities) if isinstance(row.file_qualities, dict) else {}
    present = {p for p, _ in _present_files(item_id)}
    known = {p: k for p, k in known.items() if p in present}
    for path, fmt in placed:
        key = release.file_key(item.kind, fmt)
        if key:
            known[path] = key
    ItemProfile.objects.filter(pk=row.pk).update(file_qualities=known)
    return refresh_item(item_id)


def kind_choices() -> list[tuple[str, str]]:
    return list(MediaKind.choices)
