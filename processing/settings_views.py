"""Settings > Media management: per media kind the import mode, existing files, naming template
(with a live preview) and conversion target (with a Test of the converter); the formats to search
for, path mappings as rows, and each library's own rename template and target root."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import InvalidInput, NotFound
from processing import kinds, media_settings
from scanning.models import ScanFolder
from scanning.services.folders import set_naming


def _page(request, forms: media_settings.MediaForms, *, library_error: tuple[int, str] | None = None, status=200):
    kind_sections = [
        {
            "kind": kind,
            "title": f"{kind.capitalize()}s",
            "form": form,
            "note": kinds.hardlink_note(form["import_mode"].value()),
        }
        for kind, form in forms.kinds.items()
    ]
    context = {
        "import_form": forms.imports,
        "kind_sections": kind_sections,
        "mappings": forms.mappings,
        "libraries": ScanFolder.objects.order_by("name", "path"),
        "library_error": library_error,
    }
    return render(request, "processing/settings_media.html", context, status=status)


def media_page(request):
    if request.method != "POST":
        return _page(request, media_settings.unbound())
    forms = media_settings.bind_post(request.POST)
    try:
        media_settings.save(forms)
    except InvalidInput:
        return _page(request, forms, status=422)
    messages.success(request, "Media management saved.")
    return redirect("media-settings")


@require_POST
def library_naming(request, folder_id: int):
    template = request.POST.get("naming_template", "")
    target_root = request.POST.get("target_root", "")
    try:
        folder = set_naming(folder_id, template, target_root)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except InvalidInput as exc:
        return _page(request, media_settings.unbound(), library_error=(folder_id, exc.message), status=422)
    messages.success(request, f"Naming of {folder.name or folder.path} saved.")
    return redirect("media-settings")
