from __future__ import annotations

from django.db import models
from django.utils import timezone


class WizardState(models.Model):
    """The setup wizard's progress and answers (one row). Re-running the wizard starts from
    these answers, so nothing entered before is lost. Passwords are never stored here."""

    current_step = models.CharField(max_length=32, default="welcome")
    data = models.JSONField(default=dict, blank=True, help_text="Answers per step")
    completed_steps = models.JSONField(default=list, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "setup wizard state"

    def __str__(self) -> str:
        return f"Setup wizard at {self.current_step}" + (" (complete)" if self.completed_at else "")

    @classmethod
    def load(cls) -> WizardState:
        state, _ = cls.objects.get_or_create(pk=1)
        return state
