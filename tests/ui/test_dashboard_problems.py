"""Other apps' problems reach the dashboard: review queue, provider outages, imports to review."""

from __future__ import annotations

import pytest
from django.utils import timezone

from media.models import MediaItem
from processing.models import ImportRun, PostProcessStatus
from search.models import ProviderStatus, ReviewItem, SearchProvider

pytestmark = pytest.mark.django_db


def test_dashboard_lists_review_queue_outages_and_imports_to_review(admin_client):
    item = MediaItem.objects.create(title="Dune", sort_title="Dune")
    ReviewItem.objects.create(item=item)
    SearchProvider.objects.filter(name="openlibrary").update(
        status=ProviderStatus.UNAVAILABLE, last_error="connection refused", retry_at=timezone.now()
    )
    ImportRun.objects.create(storage_path="/x", media_item=item, post_process_status=PostProcessStatus.NEEDS_REVIEW)
    html = admin_client.get("/").content.decode()
    assert "matches waiting for review" in html
    assert "Open Library" in html
    assert "imports waiting for review" in html
