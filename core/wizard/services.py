"""Wizard state changes: save a step's answers, create the admin, finish, and the
'is setup complete?' rule used by the redirect middleware."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.errors import OmniError
from core.wizard import registry, steps
from core.wizard.models import WizardState
from core.wizard.registry import Message

_complete_cache = {"value": False}


def is_complete() -> bool:
    """Complete once finished, or for an install that predates the wizard (an admin and a
    library already exist and the wizard was never started)."""
    if _complete_cache["value"]:
        return True
    state = WizardState.objects.filter(pk=1).only("completed_at").first()
    if state is not None:
        done = state.completed_at is not None
    else:
        done = get_user_model().objects.filter(is_superuser=True).exists() and registry.has_library()
    _complete_cache["value"] = done
    return done


def forget_cache() -> None:
    _complete_cache["value"] = False


def _save_admin(answers: dict) -> list[Message]:
    username = answers.get("username", "").strip()
    if not username:
        return [Message("ok", "Admin account unchanged.")]
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username)
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(answers["password"])
    user.save()
    messages = [Message("ok", f"Admin account {username!r} {'created' if created else 'updated'}.")]
    generated = steps.generated_admin()
    if answers.get("disable_generated") and generated is not None and generated.pk != user.pk:
        user_model.objects.filter(pk=generated.pk).update(is_active=False)
        messages.append(Message("ok", f"The generated account {generated.get_username()!r} is disabled."))
    return messages


@transaction.atomic
def save_step(name: str, answers: dict) -> list[Message]:
    """Store the answers (without secrets) and let registered handlers act on them. A
    handler refusing (OmniError) leaves the wizard on this step with its message."""
    state = WizardState.objects.select_for_update().get_or_create(pk=1)[0]
    messages = _save_admin(answers) if name == "admin" else []
    try:
        messages += registry.apply_step(name, answers)
    except OmniError as exc:
        transaction.set_rollback(True)
        return [*messages, Message("error", exc.message, exc.hint)]
    state.data[name] = {k: v for k, v in answers.items() if k not in steps.SECRET_FIELDS}
    if name not in state.completed_steps:
        state.completed_steps.append(name)
    state.current_step = steps.next_step(name)
    state.updated_at = timezone.now()
    state.save()
    return messages


def finish(user, *, start: list[str]) -> list[Message]:
    state = WizardState.load()
    messages = []
    for name, (_label, fn) in registry.finishers().items():
        if name in start:
            messages.append(fn(user))
    state.completed_at = timezone.now()
    state.current_step = "review"
    state.save(update_fields=["completed_at", "current_step"])
    forget_cache()
    return messages
