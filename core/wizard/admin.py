from django.contrib import admin

from core.wizard.models import WizardState


@admin.register(WizardState)
class WizardStateAdmin(admin.ModelAdmin):
    list_display = ["current_step", "completed_at", "updated_at"]
