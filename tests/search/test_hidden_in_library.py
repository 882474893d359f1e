"""The metadata search marks a result "in your library" only when the asker may see that book: a
limited reader is not told that a library hidden from them holds it (issue 19)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.reading.library import libraries, limit_to  # noqa: F401 (the two libraries fixture)

pytestmark = pytest.mark.django_db
ISBN = "9784815602666"  # a Google Books record of the fake providers


def test_the_metadata_search_does_not_mark_a_hidden_librarys_book_as_in_the_library(
        live_providers, libraries, reader_user, admin_client):  # noqa: F811
    hidden = libraries.hidden_item
    hidden.isbn13 = ISBN
    hidden.save()
    limit_to(reader_user, libraries.kids)
    limited = Client()
    limited.force_login(reader_user)
    results = limited.get("/api/metadata/search", {"isbn": ISBN}).json()["data"]["results"]
    assert results and all(r["in_library"] is None for r in results)
    results = admin_client.get("/api/metadata/search", {"isbn": ISBN}).json()["data"]["results"]
    assert results[0]["in_library"]["item_id"] == hidden.pk
