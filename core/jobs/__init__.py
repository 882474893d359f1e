"""Background jobs: one model (`core.models.Job`), one way to start them (`submit_job`),
one decorator to write them (`job_actor`), progress/cancel through `JobContext`."""

from core.jobs.actors import JobContext, job_actor, job_kinds
from core.jobs.services import cancel_job, prune_finished_jobs, retry_job, submit_job

__all__ = [
    "JobContext",
    "cancel_job",
    "job_actor",
    "job_kinds",
    "prune_finished_jobs",
    "retry_job",
    "submit_job",
]
