from __future__ import annotations

from django import forms

from core.events import EventType
from notifications.models import ConnectionKind, HealthSettings


class ConnectionForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=ConnectionKind.choices)
    url = forms.CharField(max_length=2000, required=False, widget=forms.PasswordInput(render_value=False),
                          help_text="Apprise URL (e.g. ntfys://topic, mailtos://user:pass@host) or the webhook's "
                          "https:// URL. Stored, never shown again: leave empty to keep the stored one.")
    events = forms.MultipleChoiceField(choices=EventType.choices, widget=forms.CheckboxSelectMultiple,
                                       required=False)
    enabled = forms.BooleanField(required=False, initial=True)
    new_secret = forms.BooleanField(required=False, label="Make a new webhook secret",
                                    help_text="The new secret is shown once, after saving")


class HealthSettingsForm(forms.ModelForm):
    class Meta:
        model = HealthSettings
        fields = ["disk_free_min_mb", "heartbeat_stale_minutes", "job_failures_per_hour", "download_stalled_hours",
                  "import_running_minutes"]
