"""Run every health check, keep one open `HealthIssue` per problem, and emit an event only on a
transition: raised when a problem appears, cleared when it is gone."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core import events
from core.events import EventType, Level
from notifications.health.checks import CHECKS, Check, Finding
from notifications.models import HealthIssue, HealthSettings

logger = logging.getLogger(__name__)
HEALTH_PAGE = "/system/health/"


@dataclass(frozen=True)
class CheckResult:
    check: Check
    findings: tuple[Finding, ...]
    error: str = ""


def run_checks(now: datetime | None = None) -> list[CheckResult]:
    now = now or timezone.now()
    config = HealthSettings.load()
    results = []
    for check in CHECKS:
        try:
            results.append(CheckResult(check, tuple(check.run(config, now))))
        except Exception as exc:  # one broken check must not hide the others
            logger.exception("Health check %s failed", check.name)
            results.append(CheckResult(check, (), error=f"{type(exc).__name__}: {exc}"))
    return results


def evaluate(now: datetime | None = None) -> dict[str, int]:
    """The periodic job: store what the checks found; events for what changed."""
    now = now or timezone.now()
    raised = cleared = 0
    for result in run_checks(now):
        if result.error:  # unknown state: neither raise nor clear what this check found before
            continue
        with transaction.atomic():
            open_issues = {i.key: i for i in HealthIssue.objects.select_for_update()
                           .filter(check_name=result.check.name, cleared_at__isnull=True)}
            for finding in result.findings:
                issue = open_issues.pop(finding.key, None)
                if issue is None:
                    _raise(result.check, finding, now)
                    raised += 1
                else:
                    HealthIssue.objects.filter(pk=issue.pk).update(message=finding.message[:1000],
                                                                   fix=finding.fix[:1000], level=finding.level,
                                                                   last_seen_at=now)
            for issue in open_issues.values():
                _clear(result.check, issue, now)
                cleared += 1
    return {"raised": raised, "cleared": cleared, "open": HealthIssue.objects.filter(cleared_at__isnull=True).count()}


def _raise(check: Check, finding: Finding, now: datetime) -> None:
    HealthIssue.objects.create(check_name=check.name, key=finding.key[:200], level=finding.level,
                               message=finding.message[:1000], fix=finding.fix[:1000], raised_at=now,
                               last_seen_at=now)
    events.emit(EventType.HEALTH_RAISED, title=finding.message, message=f"Fix: {finding.fix}", level=finding.level,
                url=HEALTH_PAGE, data={"check": check.name, "key": finding.key, "fix": finding.fix})


def _clear(check: Check, issue: HealthIssue, now: datetime) -> None:
    HealthIssue.objects.filter(pk=issue.pk).update(cleared_at=now)
    events.emit(EventType.HEALTH_CLEARED, title=f"Resolved: {issue.message}"[:300], level=Level.SUCCESS,
                url=HEALTH_PAGE, data={"check": check.name, "key": issue.key,
                                       "raised_at": issue.raised_at.isoformat()})


def open_issues() -> list[HealthIssue]:
    return list(HealthIssue.objects.filter(cleared_at__isnull=True).order_by("check_name", "raised_at"))


def check_rows() -> list[dict]:
    """Each check with its state: its open problems (and since when), or OK since the last clear."""
    issues = open_issues()
    rows = []
    for check in CHECKS:
        mine = [i for i in issues if i.check_name == check.name]
        last_clear = (HealthIssue.objects.filter(check_name=check.name, cleared_at__isnull=False)
                      .order_by("-cleared_at").values_list("cleared_at", flat=True).first())
        rows.append({"name": check.name, "title": check.title, "ok": not mine, "issues": mine,
                     "since": min(i.raised_at for i in mine) if mine else last_clear})
    return rows


def problems_for_api() -> list[dict]:
    """What GET /api/health adds for admins (installed into core.health when the app is ready)."""
    return [{"check": i.check_name, "key": i.key, "level": i.level, "message": i.message, "fix": i.fix,
             "since": i.raised_at.isoformat()} for i in open_issues()]
