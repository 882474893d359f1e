"""Events (what happened), connections (where to tell it: Apprise or a webhook), the delivery
log, the health problems found by the periodic checks, and the thresholds of those checks."""

from __future__ import annotations

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.events import EventType, Level


class Event(models.Model):
    """One thing that happened. Recorded even when no connection is set: the dashboard's "What
    happened" list and every notification come from these rows."""

    kind = models.CharField(max_length=32, choices=EventType.choices, db_index=True)
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.INFO)
    title = models.CharField(max_length=300)
    message = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class ConnectionKind(models.TextChoices):
    APPRISE = "apprise", "Apprise (e-mail, ntfy, Gotify, Discord, Telegram, Matrix, ...)"
    WEBHOOK = "webhook", "Webhook (JSON POST, signed)"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Connection(models.Model):
    """Where events are sent. `url` is an Apprise URL (it often holds a token or password) or
    the webhook's address; it and `secret` are never shown back, only masked."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=ConnectionKind.choices)
    url = models.CharField(max_length=2000, help_text="Apprise URL (e.g. ntfys://topic) or the webhook's https:// URL")
    secret = models.CharField(max_length=200, blank=True, default=new_secret,
                              help_text="Webhooks: HMAC-SHA256 key of the X-Omni-Signature header")
    events = models.JSONField(default=list, blank=True, help_text="Event kinds sent; empty sends none")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    def wants(self, kind: str) -> bool:
        return self.enabled and kind in (self.events or [])


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Failed, will retry"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


OPEN_DELIVERY_STATES = (DeliveryState.PENDING, DeliveryState.RETRYING)


class Delivery(models.Model):
    """One event (or a test message, event None) sent to one connection: the delivery log."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING,
                             db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="HTTP status of the last try")
    last_response = models.CharField(max_length=500, blank=True, help_text="Start of the last answer")
    last_error = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.connection} #{self.event_id or 'test'} ({self.state})"

    @property
    def is_test(self) -> bool:
        return self.event_id is None


class HealthIssue(models.Model):
    """A problem a health check found: open from `raised_at` until the check no longer finds it."""

    check_name = models.CharField(max_length=32, db_index=True)
    key = models.CharField(max_length=200, help_text="What is wrong with what, e.g. download_client:SABnzbd")
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.WARNING)
    message = models.CharField(max_length=1000)
    fix = models.CharField(max_length=1000, blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=Q(cleared_at__isnull=True), name="one_open_issue_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class ProgressMark(models.Model):
    """The last progress seen of a download and since when it has not moved (stuck downloads)."""

    attempt_id = models.BigIntegerField(unique=True)
    progress = models.FloatField()
    since = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"attempt {self.attempt_id}: {self.progress}% since {self.since:%Y-%m-%d %H:%M}"


class HealthSettings(models.Model):
    """Singleton: the thresholds of the health checks (edited on the Health page and in the admin)."""

    disk_free_min_mb = models.PositiveIntegerField(
        default=2048, help_text="Raise a problem when the library or downloads disk has less free space (MB)")
    heartbeat_stale_minutes = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1)], help_text="Worker or scheduler not seen for this long")
    job_failures_per_hour = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1)], help_text="Failed jobs in the last hour that raise a problem")
    download_stalled_hours = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text="A download whose progress has not moved for this long is stuck")
    import_running_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(1)], help_text="An import running longer than this is stuck")

    class Meta:
        verbose_name_plural = "health settings"

    def __str__(self) -> str:
        return "Health settings"

    @classmethod
    def load(cls) -> HealthSettings:
        row, _ = cls.objects.get_or_create(pk=1)
        return row
