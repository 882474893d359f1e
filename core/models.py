from __future__ import annotations

import hashlib
import os
import secrets
import socket
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED_STATES = (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


class Job(models.Model):
    """Every background job: what it does, how far it got, how it ended."""

    kind = models.CharField(max_length=64, db_index=True)
    target = models.CharField(max_length=255, blank=True, help_text="What the job works on, e.g. 'scanfolder:3'")
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED, db_index=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)
    last_error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    correlation_id = models.CharField(max_length=64, blank=True)
    message_id = models.CharField(max_length=64, blank=True, help_text="Dramatiq message id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def percent(self) -> float | None:
        if not self.progress_total:
            return None
        return round(min(100.0, 100.0 * self.progress_done / self.progress_total), 1)

    @property
    def rate_per_second(self) -> float | None:
        """Items done per second of this run so far: what a job whose total is not known yet
        shows instead of a percentage (a scan while its files are being counted)."""
        if self.state != JobState.RUNNING or not self.started_at or self.progress_done <= 0:
            return None
        elapsed = (timezone.now() - self.started_at).total_seconds()
        return round(self.progress_done / elapsed, 1) if elapsed > 0 else None

    @property
    def eta_seconds(self) -> float | None:
        """Linear estimate from the rate so far; None until there is a rate to go by, and
        None while the total is not known (no guess against a partial count)."""
        if self.state != JobState.RUNNING or not self.started_at or not self.progress_total:
            return None
        if self.progress_done <= 0:
            return None
        elapsed = (timezone.now() - self.started_at).total_seconds()
        remaining = max(0, self.progress_total - self.progress_done)
        return round(elapsed / self.progress_done * remaining, 1)


class Heartbeat(models.Model):
    """Last sign of life of a worker or scheduler process (for /api/health)."""

    name = models.CharField(max_length=128, unique=True)
    role = models.CharField(max_length=16, db_index=True)  # worker | scheduler
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"

    @staticmethod
    def name_for(role: str) -> str:
        """This process's heartbeat name: role, host and PID (in a container the host name is its id)."""
        return f"{role}:{socket.gethostname()}:{os.getpid()}"

    @classmethod
    def beat(cls, name: str, role: str) -> None:
        cls.objects.update_or_create(name=name, defaults={"role": role, "seen_at": timezone.now()})

    @classmethod
    def latest(cls, role: str, host: str | None = None) -> Heartbeat | None:
        """The most recent heartbeat of `role`, of any host or only of processes on `host`."""
        beats = cls.objects.filter(role=role)
        if host is not None:
            beats = beats.filter(name__startswith=f"{role}:{host}:")
        return beats.order_by("-seen_at").first()


class ScheduleSetting(models.Model):
    """Database override of a periodic job from `omnireadarr/schedules.py`, plus its run state."""

    name = models.CharField(max_length=64, unique=True)
    enabled = models.BooleanField(default=True)
    interval_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Leave empty to use the default (or the OMNI_SCHEDULE_<NAME> variable)"
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.name


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiKey(models.Model):
    """One API key per user for the JSON API (header X-Api-Key). Only its hash is stored."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_key")
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.prefix}...)"

    @classmethod
    def issue(cls, user) -> str:
        """Creates or replaces the user's key and returns the raw key (shown once)."""
        raw = secrets.token_urlsafe(32)
        cls.objects.update_or_create(user=user, defaults={"prefix": raw[:8], "key_hash": _hash_key(raw),
                                                          "created_at": timezone.now(), "last_used_at": None})
        return raw

    @classmethod
    def user_for(cls, raw: str):
        if not raw or len(raw) > 128:
            return None
        key = cls.objects.select_related("user").filter(key_hash=_hash_key(raw)).first()
        if key is None or not key.user.is_active:
            return None
        if key.last_used_at is None or timezone.now() - key.last_used_at > timedelta(minutes=1):
            cls.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        return key.user
