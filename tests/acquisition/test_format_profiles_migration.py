"""Migration 0002_format_profiles: the default profile of each kind is the format list the user
had (same formats, same order, cutoff the last: nothing becomes wanted for an upgrade), a new
installation gets the suggested profiles, and the reverse brings the lists back."""

from __future__ import annotations

import pytest

from tests.migrations import migrate

BEFORE = [("indexers", "0001_initial")]
AFTER = [("indexers", "0002_format_profiles")]


def _defaults(apps) -> dict:
    profile = apps.get_model("indexers", "FormatProfile")
    return {p.kind: (p.name, p.qualities, p.cutoff) for p in profile.objects.filter(is_default=True)}


@pytest.mark.django_db(transaction=True)
def test_existing_format_lists_become_the_default_profiles_and_come_back_on_reverse(back_to_latest):
    old = migrate(BEFORE)
    old.get_model("indexers", "AcquisitionSettings").objects.update_or_create(
        pk=1, defaults={"ebook_formats": "pdf,epub,cbz", "audiobook_formats": "mp3, m4b", "comic_formats": "cbr"}
    )
    new = migrate(AFTER)
    assert _defaults(new) == {
        "ebook": ("Ebooks", ["pdf", "epub"], "epub"),  # cbz is no ebook format: the scorer rejected it anyway
        "audiobook": ("Audiobooks", ["mp3", "m4b"], "m4b"),
        "comic": ("Comics", ["cbr"], "cbr"),
    }
    back = migrate(BEFORE)
    row = back.get_model("indexers", "AcquisitionSettings").objects.get(pk=1)
    assert (row.ebook_formats, row.audiobook_formats, row.comic_formats) == ("pdf,epub", "mp3,m4b", "cbr")


@pytest.mark.django_db(transaction=True)
def test_a_new_installation_gets_the_suggested_profiles(back_to_latest):
    old = migrate(BEFORE)
    old.get_model("indexers", "AcquisitionSettings").objects.all().delete()
    new = migrate(AFTER)
    assert _defaults(new) == {
        "ebook": ("Ebooks", ["epub_retail", "epub", "azw3", "mobi", "pdf"], "pdf"),
        "audiobook": ("Audiobooks", ["m4b", "mp3_320", "mp3"], "mp3"),
        "comic": ("Comics", ["cbz", "cbr"], "cbr"),
    }
