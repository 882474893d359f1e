"""The setup wizard pages (/wizard/). Reachable before setup is complete; anonymous only
while no account exists at all (to create the first admin), otherwise admins only."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.api.auth import is_admin
from core.checks import collect_checks
from core.wizard import registry, services, steps
from core.wizard.models import WizardState

TESTABLE = ("prowlarr", "client", "openlibrary", "googlebooks", "comicvine")


def _gate(request, name: str):
    if not get_user_model().objects.exists() and name in ("welcome", "admin"):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_admin(request.user):
        return HttpResponseForbidden("The setup wizard is for admins.")
    return None


def index(request):
    state = WizardState.load()
    target = "welcome" if state.completed_at else state.current_step
    return redirect("wizard-step", name=target if target in steps.STEP_NAMES else "welcome")


def _context(state: WizardState, current: steps.Step, form, checks: list) -> dict:
    return {
        "steps": steps.STEPS,
        "step": current,
        "form": form,
        "state": state,
        "checks": checks,
        "is_first": current.name == steps.STEP_NAMES[0],
        "is_last": current.name == steps.STEP_NAMES[-1],
        "finishers": registry.finishers(),
        "answers": state.data,
        "summary": steps.review_summary(state.data),
        "testable": TESTABLE,
    }


def _checks_for(name: str, form) -> list:
    if name == "folders" and form.is_bound and form.is_valid():
        return form.folder_messages()
    if name == "folders" and not form.is_bound and form.initial.get("library_folders"):
        bound = steps.FoldersForm(form.initial)
        return bound.folder_messages() if bound.is_valid() else []
    if name == "naming" and not form.is_bound:
        return form.examples(form.initial)
    if name == "review":
        return [
            registry.Message(
                "error" if c["level"] == "error" else "warning", f"{c['id']}: {c['message']}", c["hint"]
            )
            for c in collect_checks()
        ]
    return []


def step_view(request, name: str):
    current = steps.step(name)
    if current is None:
        raise Http404("No such wizard step")
    if (denied := _gate(request, name)) is not None:
        return denied
    state = WizardState.load()
    kwargs = {"require_account": not get_user_model().objects.exists()} if name == "admin" else {}
    if request.method == "POST" and "back" in request.POST:
        return redirect("wizard-step", name=steps.previous_step(name))
    form = steps.form_class(current)(
        request.POST if request.method == "POST" else None,
        initial={**state.data.get(name, {}), **registry.initial_for(name)},
        label_suffix="",
        **kwargs,
    )
    if name == "review" and "start_scan" not in registry.finishers():
        del form.fields["start_scan"]  # offered once scanning registers its finisher
    checks = _checks_for(name, form)
    if request.method == "POST" and form.is_valid() and not any(c.level == "error" for c in checks):
        return _save(request, name, form)
    return render(
        request,
        "wizard/step.html",
        _context(state, current, form, checks),
        status=422 if request.method == "POST" else 200,
    )


def _save(request, name: str, form):
    answers = dict(form.cleaned_data)
    if name == "review":
        start = ["start_scan"] if answers.get("start_scan") else []
        for message in services.finish(request.user, start=start):
            messages.info(request, message.text)
        messages.success(request, "Setup complete.")
        return redirect("home")
    results = services.save_step(name, answers)
    errors = [m for m in results if m.level == "error"]
    for message in results:
        (messages.error if message.level == "error" else messages.info)(request, message.text)
    if errors:
        return redirect("wizard-step", name=name)
    signed_out = not request.user.is_authenticated or not get_user_model().objects.filter(
        pk=request.user.pk, is_active=True
    ).exists()  # e.g. the generated account that was just disabled
    if name == "admin" and answers.get("username") and signed_out:
        login(
            request,
            get_user_model().objects.get(username=answers["username"].strip()),
            backend="django.contrib.auth.backends.ModelBackend",
        )
    return redirect("wizard-step", name=steps.next_step(name))


@require_POST
def test_connection(request, service: str):
    if service not in TESTABLE:
        raise Http404("Unknown service")
    if _gate(request, "downloads") is not None:
        return JsonResponse({"level": "error", "text": "Log in as an admin first."}, status=403)
    try:
        answers = json.loads(request.body or b"{}")
    except json.JSONDecodeError:
        return JsonResponse({"level": "error", "text": "Bad request body."}, status=400)
    if not isinstance(answers, dict):
        return JsonResponse({"level": "error", "text": "Bad request body."}, status=400)
    result = registry.test_service(service, {k: str(v)[:500] for k, v in answers.items()})
    return JsonResponse({"level": result.level, "text": result.text, "hint": result.hint})
