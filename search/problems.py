"""What the dashboard lists for metadata: the review queue and providers that are down."""

from __future__ import annotations

from media.dashboard import Problem
from search.models import ProviderStatus, ReviewItem, ReviewStatus, SearchProvider
from search.services.providers import status_text


def metadata_problems() -> list[Problem]:
    problems = []
    pending = ReviewItem.objects.filter(status=ReviewStatus.PENDING).count()
    if pending:
        problems.append(Problem("warning", "matches waiting for review", "/review/", pending))
    troubled = SearchProvider.objects.filter(
        enabled=True, status__in=(ProviderStatus.UNAVAILABLE, ProviderStatus.RATE_LIMITED, ProviderStatus.ERROR)
    )
    for row in troubled:
        problems.append(Problem("warning", status_text(row), "/search/"))
    return problems
