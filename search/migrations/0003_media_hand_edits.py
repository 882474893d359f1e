"""Move the library page's old hand edits (media.MetadataEdit, MediaItem.locked_fields) into
the metadata provenance, the single source of truth: each edit becomes a MetadataChange, the
edited value of a field whose last edit stands becomes a 'manual' candidate (which always
wins), and locked fields become locked ResolvedFields. Runs before media drops its tables."""

from django.db import migrations
from django.utils import timezone

# media's edit field -> provenance field (series_index is part of "series"; tags are subjects)
FIELD_MAP = {"series_index": "series", "tags": "subjects"}


def _value(item, field, contributions):
    """The item's current value in the provenance format."""
    if field == "series":
        if not item.series_id:
            return None
        index = float(item.series_index) if item.series_index is not None else None
        return {"name": item.series.title, "index": index}
    if field == "authors":
        return [c.author.name for c in contributions.filter(item=item, role="author").order_by("position")] or None
    if field == "subjects":
        return [t.name for t in item.tags.all()] or None
    value = getattr(item, field, None)
    return value if value not in ("", None) else None


def forwards(apps, schema_editor):
    MediaItem = apps.get_model("media", "MediaItem")
    MetadataEdit = apps.get_model("media", "MetadataEdit")
    Contribution = apps.get_model("media", "Contribution")
    DataSource = apps.get_model("search", "DataSource")
    FieldCandidate = apps.get_model("search", "FieldCandidate")
    ResolvedField = apps.get_model("search", "ResolvedField")
    MetadataChange = apps.get_model("search", "MetadataChange")
    manual, _ = DataSource.objects.get_or_create(
        name="manual", defaults={"label": "Manual entry", "kind": "manual", "trust": 1.0})
    now = timezone.now()
    edited = MetadataEdit.objects.values_list("item_id", flat=True)
    locked = MediaItem.objects.exclude(locked_fields=[]).values_list("pk", flat=True)
    for item in MediaItem.objects.filter(pk__in=set(edited) | set(locked)).select_related("series"):
        standing = set()
        for edit in MetadataEdit.objects.filter(item=item).order_by("created_at", "id"):
            field = FIELD_MAP.get(edit.field, edit.field)
            MetadataChange.objects.create(
                item=item, field=field, old_value=edit.old_value, new_value=edit.new_value, new_source="manual",
                reason="manual", user_id=edit.user_id, created_at=edit.created_at, reverted_at=edit.reverted_at)
            (standing.discard if edit.reverted_at else standing.add)(field)
        locks = {FIELD_MAP.get(f, f) for f in (item.locked_fields or [])}
        for field in standing | locks:
            value = _value(item, field, Contribution.objects)
            if field in standing and value is not None:
                FieldCandidate.objects.update_or_create(
                    item=item, field=field, source=manual,
                    defaults={"value": value, "confidence": 1.0, "updated_at": now})
                ResolvedField.objects.update_or_create(
                    item=item, field=field, defaults={"value": value, "source": manual, "confidence": 1.0,
                                                      "score": 1.0, "locked": field in locks, "updated_at": now})
            else:
                ResolvedField.objects.update_or_create(
                    item=item, field=field, create_defaults={"value": value, "locked": True, "updated_at": now},
                    defaults={"locked": True})


class Migration(migrations.Migration):
    dependencies = [("search", "0002_defaults"), ("media", "0003_ui_search_sort_indexes")]
    run_before = [("media", "0004_drop_hand_edits")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
