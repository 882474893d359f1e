"""Merging candidates into the catalogue: provenance, manual edits, locks, revert."""

from __future__ import annotations

import pytest

from core.errors import Conflict, InvalidInput
from media.models import Author, MediaItem, Series
from search.models import ChangeReason, DataSource, FieldCandidate, MetadataChange, ResolvedField
from search.services import lock_field, record_candidates, resolve_item, revert_change, set_manual_value

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    return MediaItem.objects.create(title="weapons", sort_title="weapons")


def resolved(item, field):
    return ResolvedField.objects.select_related("source").get(item=item, field=field)


def test_scanner_values_become_fields_with_source_and_confidence(item):
    record_candidates(item, "embedded_epub", {"title": "The Eye of the World (The Wheel of Time Book 1)",
                                              "authors": "Jordan, Robert", "language": "eng",
                                              "isbn13": "0-316-03057-0", "published": "1990-01-15"},
                      {"title": 0.9, "authors": 0.8, "language": 0.7, "isbn13": 0.95, "published": 0.6})
    item.refresh_from_db()
    assert item.title == "The Eye of the World" and item.sort_title == "Eye of the World"
    assert item.series.title == "The Wheel of Time" and item.series_index == 1
    assert item.language == "en" and item.isbn13 == "9780316030571" and item.year == 1990
    assert item.authors_display == "Robert Jordan"
    assert Author.objects.get().sort_name == "Jordan, Robert"
    title = resolved(item, "title")
    assert (title.source.name, title.confidence) == ("embedded_epub", 0.9)
    assert title.score == pytest.approx(0.7 * 0.9)
    assert resolved(item, "series").confidence == pytest.approx(0.72)  # derived from the title: less sure


def test_invalid_isbn_and_unknown_fields_are_dropped(item):
    record_candidates(item, "filename", {"isbn13": "978-0-316-03057-2", "shoe_size": 44, "title": "Use of Weapons"},
                      0.5)
    assert set(FieldCandidate.objects.filter(item=item).values_list("field", flat=True)) == {"title"}


def test_more_trusted_source_wins_and_history_records_it(item):
    record_candidates(item, "filename", {"title": "use of weapons"}, 0.9)
    record_candidates(item, "openlibrary", {"title": "Use of Weapons", "publisher": "Orbit"}, 0.95)
    item.refresh_from_db()
    assert item.title == "Use of Weapons" and item.publisher == "Orbit"
    history = list(MetadataChange.objects.filter(item=item, field="title").order_by("id")
                   .values_list("old_value", "new_value", "new_source"))
    assert history == [("weapons", "use of weapons", "filename"), ("use of weapons", "Use of Weapons", "openlibrary")]


def test_conflicting_sources_keep_the_stronger_value(item):
    record_candidates(item, "openlibrary", {"publisher": "Orbit"}, 0.9)
    record_candidates(item, "filename", {"publisher": "Pirate Press"}, 1.0)
    item.refresh_from_db()
    assert item.publisher == "Orbit"


def test_empty_or_missing_values_never_erase_existing_data(item):
    record_candidates(item, "openlibrary", {"description": "A Culture novel.", "publisher": "Orbit"}, 0.9)
    record_candidates(item, "openlibrary", {"description": "", "publisher": None}, 0.9)  # a broken reply
    item.refresh_from_db()
    assert (item.description, item.publisher) == ("A Culture novel.", "Orbit")


def test_manual_edit_survives_a_refresh_from_every_source(item, admin_user):
    record_candidates(item, "openlibrary", {"title": "Use of Weapons"}, 0.95)
    set_manual_value(item, "title", "Use of Weapons (Author's cut)", user=admin_user)
    record_candidates(item, "openlibrary", {"title": "Use of Weapons"}, 1.0)
    record_candidates(item, "opf", {"title": "USE OF WEAPONS"}, 1.0)
    resolve_item(item)
    item.refresh_from_db()
    assert item.title == "Use of Weapons (Author's cut)"
    assert resolved(item, "title").source.name == "manual"
    change = MetadataChange.objects.filter(item=item, reason=ChangeReason.MANUAL).get()
    assert change.user == admin_user


def test_locked_field_is_not_changed_by_sources_but_by_a_person(item):
    record_candidates(item, "embedded_epub", {"publisher": "Orbit"}, 0.8)
    lock_field(item, "publisher", locked=True)
    record_candidates(item, "openlibrary", {"publisher": "Little, Brown"}, 1.0)
    item.refresh_from_db()
    assert item.publisher == "Orbit"
    set_manual_value(item, "publisher", "Orbit Books")
    item.refresh_from_db()
    assert item.publisher == "Orbit Books"


def test_revert_a_manual_edit_lets_the_sources_decide_again(item):
    record_candidates(item, "openlibrary", {"title": "Use of Weapons"}, 0.95)
    [change] = set_manual_value(item, "title", "Wrong title")
    revert_change(change.pk)
    item.refresh_from_db()
    assert item.title == "Use of Weapons"
    assert not FieldCandidate.objects.filter(item=item, source__name="manual").exists()
    with pytest.raises(Conflict):
        revert_change(change.pk)


def test_revert_a_merge_pins_the_old_value(item):
    record_candidates(item, "embedded_epub", {"publisher": "Orbit"}, 0.9)
    [change] = record_candidates(item, "openlibrary", {"publisher": "Little, Brown"}, 1.0)
    revert_change(change.pk)
    record_candidates(item, "openlibrary", {"publisher": "Little, Brown"}, 1.0)  # a later refresh
    item.refresh_from_db()
    assert item.publisher == "Orbit"
    assert MetadataChange.objects.filter(item=item, reason=ChangeReason.REVERT).exists()


def test_manual_values_must_be_valid(item):
    with pytest.raises(InvalidInput):
        set_manual_value(item, "title", "  ")
    with pytest.raises(InvalidInput):
        set_manual_value(item, "hair_colour", "red")


def test_same_series_is_reused_and_authors_are_not_duplicated(item):
    other = MediaItem.objects.create(title="x", sort_title="x")
    record_candidates(item, "opf", {"authors": ["J.R.R. Tolkien"], "series": "The Lord of the Rings",
                                    "series_index": "2"}, 0.9)
    record_candidates(other, "opf", {"authors": ["Tolkien, J. R. R."], "series": {"name": "the lord of the rings",
                                                                                   "index": 3}}, 0.9)
    assert Author.objects.count() == 1 and Series.objects.count() == 1
    other.refresh_from_db()
    assert other.series_index == 3


def test_unknown_source_gets_a_middle_trust(item):
    record_candidates(item, "embedded_djvu", {"title": "Whatever"}, 0.5)
    assert DataSource.objects.get(name="embedded_djvu").trust == 0.5
