"""Settings > Indexers: the list (enable/disable, delete, live test) and the add/edit form of a
Prowlarr, Newznab or Torznab connection. Admins only (core/permissions.py); keys never rendered."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import Conflict, InvalidInput, NotFound
from indexers import indexer_settings, learning
from indexers.forms import IndexerForm, form_data
from indexers.models import IndexerConfig, IndexerKind


def _config(pk: int) -> IndexerConfig:
    try:
        return indexer_settings.get_config(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def indexers_page(request):
    rows = [indexer_settings.public(c) for c in IndexerConfig.objects.all()]
    return render(request, "indexers/settings_list.html", {"indexers": rows, "kinds": IndexerKind.choices})


def _form_page(request, form: IndexerForm, config: IndexerConfig | None, status: int = 200):
    context = {"form": form, "config": config, "learning": learning.summary(config) if config else None}
    return render(request, "indexers/settings_form.html", context, status=status)


def add_indexer(request):
    if request.method != "POST":
        kind = request.GET.get("kind", IndexerKind.PROWLARR)
        kind = kind if kind in IndexerKind.values else IndexerKind.PROWLARR
        initial = {**indexer_settings.defaults(), "kind": kind, "name": IndexerKind(kind).label.split(" (")[0]}
        return _form_page(request, IndexerForm(initial=initial), None)
    return _save(request, None)


def edit_indexer(request, pk: int):
    config = _config(pk)
    if request.method != "POST":
        return _form_page(request, IndexerForm(instance=config, initial=form_data(config)), config)
    return _save(request, config)


def _save(request, config: IndexerConfig | None):
    try:
        saved = indexer_settings.save_indexer(request.POST.dict(), config)
    except (InvalidInput, Conflict):
        form = IndexerForm(request.POST, instance=config)
        form.is_valid()
        return _form_page(request, form, config, status=422)
    messages.success(request, f"{saved.name} saved. Use Test to check the connection.")
    return redirect("indexer-settings")


@require_POST
def delete_indexer(request, pk: int):
    config = indexer_settings.delete_indexer(_config(pk).pk)
    messages.success(request, f"{config.name} deleted.")
    return redirect("indexer-settings")


@require_POST
def toggle_indexer(request, pk: int):
    config = indexer_settings.set_enabled(_config(pk).pk, request.POST.get("enabled") == "1")
    messages.success(request, f"{config.name} {'enabled' if config.enabled else 'disabled'}.")
    return redirect("indexer-settings")
