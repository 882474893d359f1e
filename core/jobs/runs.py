"""Run records follow their job. A scan run, an import run or a rename batch is written by
the job that works on it; when that job ends for any reason (it finished, failed, was
cancelled before it started, was abandoned, or its worker was killed and the job was then
cancelled or failed), a run record still marked as working is ended too, with an end time
and the reason. Each app registers one settler for its run type (in its `tasks` module, next
to its job kinds); `settle_runs` is called from one place when a job ends (`end_job`) and
at worker start-up for the runs of every job that is finished or gone."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from core.models import FINISHED_STATES, Job

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EndedJob:
    """What a settler needs to know about the job that ended (None state: the job is gone)."""

    id: int
    state: str | None
    message: str = ""

    def describe(self) -> str:
        if self.state is None:
            return f"its job #{self.id} no longer exists"
        detail = f": {self.message}" if self.message else ""
        return f"its job #{self.id} ended ({self.state}{detail})"


# A settler ends the working run records of the given ended jobs and returns how many it ended.
RunSettler = Callable[[dict[int, EndedJob]], int]
_SETTLERS: dict[str, tuple[Callable[[], Iterable[int]], RunSettler]] = {}


def register_run_settler(name: str, *, working_job_ids: Callable[[], Iterable[int]], settle: RunSettler) -> None:
    """`working_job_ids()` lists the job ids of the run records still marked as working;
    `settle(ended)` ends those whose job is in `ended`."""
    _SETTLERS[name] = (working_job_ids, settle)


def ended_jobs(job_ids: Iterable[int | None]) -> dict[int, EndedJob]:
    """Of these job ids, those whose job is finished or no longer exists."""
    wanted = {pk for pk in job_ids if pk is not None}
    found = dict(Job.objects.filter(pk__in=wanted).values_list("pk", "state"))
    finished = Job.objects.filter(pk__in=wanted, state__in=FINISHED_STATES).values_list("pk", "state", "message")
    ended = {pk: EndedJob(pk, state, message) for pk, state, message in finished}
    ended.update({pk: EndedJob(pk, None) for pk in wanted - found.keys()})
    return ended


def settle_runs(job_ids: Iterable[int] | None = None) -> dict[str, int]:
    """End the working run records of these ended jobs; None: of every job that is finished
    or gone (the start-up check). Returns how many records of each type were ended."""
    from core.jobs.actors import job_kinds

    job_kinds()  # imports every app's tasks module, which registers its settler
    ended_by_type: dict[str, int] = {}
    for name, (working_job_ids, settle) in _SETTLERS.items():
        candidates = working_job_ids() if job_ids is None else job_ids
        ended = ended_jobs(candidates)
        count = settle(ended) if ended else 0
        if count:
            logger.warning("Ended %s %s left working by jobs that had ended: %s", count, name, sorted(ended))
        ended_by_type[name] = count
    return ended_by_type
