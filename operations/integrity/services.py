"""Run the integrity check and store its report; read reports back."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from core.errors import NotFound
from operations.integrity.checks import CHECKS
from operations.models import FindingKind, IntegrityFinding, IntegrityReport

STORED_PER_KIND = 1000  # a report keeps this many faults of each kind (and counts them all)


def run_check(*, job_id: int | None = None, progress: Callable[..., None] | None = None) -> IntegrityReport:
    report_progress = progress or (lambda *a, **k: None)
    report = IntegrityReport.objects.create(job_id=job_id)
    counts: Counter[str] = Counter()
    rows: list[IntegrityFinding] = []
    for done, check in enumerate(CHECKS):
        report_progress(done, len(CHECKS), f"Checking: {check.__name__.replace('_', ' ')}")
        for fault in check():
            counts[fault.kind] += 1
            if counts[fault.kind] <= STORED_PER_KIND:
                fields = dataclasses.asdict(fault)
                fields["fixes"] = list(fault.fixes)
                rows.append(IntegrityFinding(report=report, **fields))
    with transaction.atomic():
        IntegrityFinding.objects.bulk_create(rows, batch_size=500)
        report.counts = {kind: counts.get(kind, 0) for kind in FindingKind.values}
        report.truncated = sorted(kind for kind, n in counts.items() if n > STORED_PER_KIND)
        report.finished_at = timezone.now()
        report.save(update_fields=["counts", "truncated", "finished_at"])
    report_progress(len(CHECKS), len(CHECKS), f"{sum(counts.values())} fault(s) found")
    return report


def latest_report() -> IntegrityReport | None:
    return IntegrityReport.objects.filter(finished_at__isnull=False).first()


def get_report(report_id: int) -> IntegrityReport:
    report = IntegrityReport.objects.filter(pk=report_id).first()
    if report is None:
        raise NotFound(f"Integrity report {report_id} does not exist")
    return report
