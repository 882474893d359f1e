"""Settings > Download clients: the list (enable/disable, delete, live test) and the add/edit
form of any registered kind. Admins only (core/permissions.py); secrets are never rendered."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import ConfigurationError, InvalidInput, NotFound
from downloaders import client_settings
from downloaders.clients import registry
from downloaders.forms import ClientForm
from downloaders.models import DownloadClientConfig


def _config(pk: int) -> DownloadClientConfig:
    try:
        return client_settings.get_config(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def clients_page(request):
    rows = [client_settings.public(c) for c in DownloadClientConfig.objects.all()]
    return render(request, "downloaders/clients.html", {"clients": rows, "kinds": registry.kinds()})


def _form_page(request, form: ClientForm, config: DownloadClientConfig | None, status: int = 200):
    context = {"form": form, "config": config, "kind": form.kind, "kind_label": form.label}
    return render(request, "downloaders/client_form.html", context, status=status)


def add_client(request):
    kind = request.GET.get("kind") or request.POST.get("kind") or ""
    if kind not in registry.CLIENTS:
        raise Http404("Unknown kind of download client")
    if request.method != "POST":
        initial = {"name": registry.label_of(kind), "order": DownloadClientConfig.objects.count() + 1}
        return _form_page(request, ClientForm(kind=kind, initial=initial), None)
    return _save(request, kind, None)


def edit_client(request, pk: int):
    config = _config(pk)
    if request.method != "POST":
        return _form_page(
            request, ClientForm(kind=config.kind, instance=config, initial=client_settings.form_data(config)), config
        )
    return _save(request, config.kind, config)


def _save(request, kind: str, config: DownloadClientConfig | None):
    form = ClientForm(request.POST, kind=kind, instance=config)
    if not form.is_valid():
        return _form_page(request, form, config, status=422)
    try:
        saved = client_settings.save_client(request.POST.dict(), kind=kind, config=config)
    except (InvalidInput, ConfigurationError) as exc:
        form.add_error(None, exc.message)
        return _form_page(request, form, config, status=422)
    messages.success(request, f"{saved.name} saved.")
    return redirect("download-clients")


@require_POST
def delete_client(request, pk: int):
    config = _config(pk)
    config.delete()
    messages.success(request, f"{config.name} deleted.")
    return redirect("download-clients")


@require_POST
def toggle_client(request, pk: int):
    config = client_settings.set_enabled(_config(pk).pk, request.POST.get("enabled") == "1")
    messages.success(request, f"{config.name} {'enabled' if config.enabled else 'disabled'}.")
    return redirect("download-clients")
