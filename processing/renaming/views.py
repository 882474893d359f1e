"""Pages of the renamer; the work happens through /api/rename (static/js/rename*.js)."""

from __future__ import annotations

from django.shortcuts import render

from core.api.auth import is_admin
from media.models import MediaKind
from processing.renaming.models import ConflictPolicy
from processing.renaming.services import template_choices


def _context(request, **extra) -> dict:
    return {
        "can_manage": is_admin(request.user),
        "kinds": MediaKind.choices,
        "policies": ConflictPolicy.choices,
        "templates": template_choices(),
        **extra,
    }


def rename_books(request):
    return render(
        request, "renaming/rename_books.html", _context(request, item_ids=request.GET.get("items", ""))
    )


def rename_templates(request):
    return render(request, "renaming/templates.html", _context(request))


def rename_history(request):
    return render(request, "renaming/history.html", _context(request))
