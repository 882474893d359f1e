"""The import pipeline: small steps declared in ONE list, run in order. Each step may opt
out (`applies`), may stop the run cleanly (StopImport: e.g. needs review), and every step
that ran gets its `cleanup`; the work directory is always removed. Each step's outcome
(ok / skipped / failed / stopped, detail, error, seconds) is reported through `on_step`
so the service can store it as it happens."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.errors import JobCancelled, OmniError
from processing.context import ImportContext, Step, StopImport
from processing.steps.catalogue import CatalogueStep
from processing.steps.convert import ConvertStep
from processing.steps.duplicates import DuplicatesStep
from processing.steps.embed import EmbedStep
from processing.steps.extract import ExtractStep
from processing.steps.identify import IdentifyStep
from processing.steps.locate import LocateStep, VerifyStep
from processing.steps.place import PlaceStep
from processing.steps.repack import RepackStep
from processing.steps.sidecars import SidecarsStep
from processing.steps.size import SizeStep

logger = logging.getLogger(__name__)

STEPS: tuple[Step, ...] = (
    LocateStep(),
    SizeStep(),
    VerifyStep(),
    RepackStep(),
    ExtractStep(),
    IdentifyStep(),
    ConvertStep(),
    EmbedStep(),
    DuplicatesStep(),
    PlaceStep(),
    SidecarsStep(),
    CatalogueStep(),
)


@dataclass(frozen=True)
class StepRecord:
    name: str
    status: str  # ok | skipped | failed | stopped
    seconds: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    error_code: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "seconds": self.seconds,
            "detail": self.detail,
            "error": self.error,
            "error_code": self.error_code,
        }


@dataclass(frozen=True)
class PipelineOutcome:
    status: str  # completed | failed | needs_review | cancelled
    records: tuple[StepRecord, ...]
    error: str = ""
    error_step: str = ""
    transient: bool = False
    exception: BaseException | None = None


def _describe(exc: BaseException) -> tuple[str, str, bool]:
    """(message, code, transient) of a failure."""
    if isinstance(exc, OmniError):
        return str(exc), exc.code, exc.transient
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc} ({getattr(exc, 'filename', '') or ''})", "os_error", False
    return f"Internal error: {type(exc).__name__}: {exc}", "internal_error", False


def _run_step(step: Step, ctx: ImportContext) -> StepRecord:
    started = time.monotonic()
    detail = step.run(ctx)
    return StepRecord(step.name, "ok", round(time.monotonic() - started, 3), detail or {})


def _cleanup(ran: list[Step], ctx: ImportContext) -> None:
    for step in reversed(ran):
        try:
            step.cleanup(ctx)
        except Exception:
            logger.exception("Cleanup of step %s failed (import %s)", step.name, ctx.run_id)
    shutil.rmtree(ctx.work_dir, ignore_errors=True)


def run_pipeline(
    ctx: ImportContext, steps: Sequence[Step] = STEPS, *, on_step: Callable[[StepRecord], None] | None = None
) -> PipelineOutcome:
    records: list[StepRecord] = []
    ran: list[Step] = []

    def emit(record: StepRecord) -> None:
        records.append(record)
        if on_step is not None:
            on_step(record)

    ctx.work_dir.mkdir(parents=True, exist_ok=True)
    outcome = PipelineOutcome("failed", (), "did not finish")
    try:
        for index, step in enumerate(steps):
            started = time.monotonic()
            try:
                ctx.progress(index, len(steps), step.name)
                if not step.applies(ctx):
                    emit(StepRecord(step.name, "skipped"))
                    continue
                ran.append(step)
                emit(_run_step(step, ctx))
            except StopImport as stop:
                emit(StepRecord(step.name, "stopped", _since(started), stop.details, error=stop.reason))
                outcome = PipelineOutcome(stop.status, tuple(records), stop.reason, step.name)
                return outcome
            except JobCancelled as exc:
                emit(StepRecord(step.name, "stopped", _since(started), error="Cancelled by request"))
                outcome = PipelineOutcome(
                    "cancelled", tuple(records), "Cancelled by request", step.name, exception=exc
                )
                return outcome
            except Exception as exc:
                message, code, transient = _describe(exc)
                if code == "internal_error":
                    logger.exception("Import %s: step %s crashed", ctx.run_id, step.name)
                emit(StepRecord(step.name, "failed", _since(started), error=message, error_code=code))
                outcome = PipelineOutcome("failed", tuple(records), message, step.name, transient, exc)
                return outcome
        ctx.progress(len(steps), len(steps), "Imported")
        outcome = PipelineOutcome("completed", tuple(records))
        return outcome
    finally:
        ctx.outcome_status = outcome.status
        _cleanup(ran, ctx)


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)
