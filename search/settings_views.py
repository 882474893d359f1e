"""Settings > Metadata: one form per provider (switch, address, key, order) with a Test button,
and how much each source is trusted (edited on the Data sources page)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import InvalidInput, NotFound
from search import provider_settings
from search.models import DataSource


def _page(request, forms: list, status: int = 200):
    sources = DataSource.objects.order_by("-trust", "label")
    return render(request, "search/settings_metadata.html", {"forms": forms, "sources": sources}, status=status)


def metadata_page(request):
    forms = [
        provider_settings.ProviderForm(row=row, initial=provider_settings.initial(row))
        for row in provider_settings.rows()
    ]
    return _page(request, forms)


@require_POST
def save_provider(request, name: str):
    try:
        row = provider_settings.get_row(name)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        provider_settings.save_provider(row, request.POST.dict())
    except InvalidInput:
        forms = []
        for other in provider_settings.rows():
            if other.pk == row.pk:
                bound = provider_settings.ProviderForm(request.POST, row=row)
                bound.is_valid()
                forms.append(bound)
            else:
                forms.append(provider_settings.ProviderForm(row=other, initial=provider_settings.initial(other)))
        return _page(request, forms, status=422)
    messages.success(request, f"{row.label} saved.")
    return redirect("metadata-settings")
