"""Retrying a grab when no stored release is left is a conflict with the item's state (409),
not invalid input (the fuzz test found the 422: the request itself is valid)."""

from __future__ import annotations

import pytest

from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


def test_retry_without_an_untried_release_is_a_409_saying_to_search_again(admin_client):
    item = make_item("Dune", authors=["Frank Herbert"], status="wanted")
    response = admin_client.post(f"/api/v1/downloads/retry/{item.pk}/", {}, content_type="application/json")
    assert response.status_code == 409
    assert "search again" in response.json()["error"]
