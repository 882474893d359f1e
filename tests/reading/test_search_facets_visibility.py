"""Filter counts and no-results suggestions count only what the viewer may see (core.visibility)."""

from __future__ import annotations

import pytest

from tests.reading.library import libraries, limit_to  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_facet_counts_leave_out_a_readers_hidden_library(client, admin_user, reader_user, libraries):  # noqa: F811
    limit_to(reader_user, libraries.kids)
    client.force_login(reader_user)
    data = client.get("/api/v1/library/search", {"q": "dune", "facets": "true"}).json()["data"]
    assert {v["value"]: v["count"] for v in data["facets"]["format"]} == {"epub": 1}
    client.force_login(admin_user)
    data = client.get("/api/v1/library/search", {"q": "dune", "facets": "true"}).json()["data"]
    assert {v["value"]: v["count"] for v in data["facets"]["format"]} == {"epub": 2}


def test_relaxing_suggestions_never_count_hidden_books(client, reader_user, libraries):  # noqa: F811
    limit_to(reader_user, libraries.kids)
    client.force_login(reader_user)
    data = client.get("/api/v1/library/search", {"q": "unabridged", "format": "epub", "language": "en"}).json()
    assert data["data"]["items"] == [] and not [s for s in data["data"]["suggestions"] if s["total"]]
