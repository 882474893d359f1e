"""Settings > Profiles: the format profiles per kind (list, add, edit with the accepted formats in
order, cutoff and minimum score, delete, make default) and the profile picker of a book page.
Admins only (core/permissions.py). Plain forms: each format of the kind is a row with an
"accept" box and a position, so the order is set without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import Conflict, InvalidInput, NotFound
from indexers import profiles, qualities
from indexers.models import FormatProfile
from media.models import MediaKind


def _profile(pk: int) -> FormatProfile:
    try:
        return profiles.get_profile(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def profiles_page(request):
    rows = [profiles.public(p) for p in profiles.all_profiles()]
    return render(request, "indexers/profiles.html", {"profiles": rows, "kinds": MediaKind.choices})


def _rows(kind: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per quality of the kind: accepted ones in their order first, then the others."""
    chosen = list(values.get("qualities") or [])
    keys = qualities.keys_for(kind)
    ordered = [k for k in chosen if k in keys] + [k for k in keys if k not in chosen]
    return [
        {"key": k, "label": qualities.label(kind, k), "accepted": k in chosen, "position": i}
        for i, k in enumerate(ordered, start=1)
    ]


def _form_page(request, values: dict[str, Any], profile: FormatProfile | None, *, errors=None, status=200):
    kind = qualities.kind_of(values.get("kind", "ebook"))
    context = {
        "profile": profile,
        "values": values,
        "kind": kind,
        "kind_label": MediaKind(kind).label,
        "rows": _rows(kind, values),
        "cutoffs": [(k, qualities.label(kind, k)) for k in qualities.keys_for(kind)],
        "errors": errors or {},
    }
    return render(request, "indexers/profile_form.html", context, status=status)


def posted_values(post, kind: str) -> dict[str, Any]:
    """The form's values as `profiles.validate` takes them: accepted formats sorted by position
    (a blank or odd position sorts last, in the kind's order)."""
    keys = qualities.keys_for(kind)
    accepted = []
    for index, key in enumerate(keys):
        if post.get(f"accept_{key}"):
            raw = (post.get(f"position_{key}") or "").strip()
            position = int(raw) if raw.isdigit() and len(raw) < 4 else 999
            accepted.append((position, index, key))
    return {
        "name": post.get("name", ""),
        "kind": kind,
        "qualities": [key for _, _, key in sorted(accepted)],
        "cutoff": post.get("cutoff", ""),
        "min_score": post.get("min_score", "0") or "0",
    }


def add_profile(request):
    kind = request.POST.get("kind") or request.GET.get("kind") or "ebook"
    if kind not in qualities.KINDS:
        kind = "ebook"
    if request.method != "POST":
        keys = qualities.SUGGESTED[kind]
        values = {"name": "", "kind": kind, "qualities": list(keys), "cutoff": keys[0], "min_score": 0}
        return _form_page(request, values, None)
    return _save(request, posted_values(request.POST, kind), None)


def edit_profile(request, pk: int):
    profile = _profile(pk)
    if request.method != "POST":
        return _form_page(request, profiles.public(profile), profile)
    return _save(request, posted_values(request.POST, profile.kind), profile)


def _save(request, values: dict[str, Any], profile: FormatProfile | None):
    try:
        saved = profiles.save_profile(values, profile)
    except InvalidInput as exc:
        return _form_page(request, values, profile, errors=exc.details.get("errors", {}), status=422)
    except Conflict as exc:
        return _form_page(request, values, profile, errors={"name": [exc.message]}, status=422)
    messages.success(request, f"Profile {saved.name} saved.")
    return redirect("format-profiles")


@require_POST
def delete_profile(request, pk: int):
    try:
        profile = profiles.delete_profile(_profile(pk).pk)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("format-profiles")
    messages.success(request, f"Profile {profile.name} deleted; its books use their kind's default now.")
    return redirect("format-profiles")


@require_POST
def default_profile(request, pk: int):
    profile = profiles.make_default(_profile(pk).pk)
    messages.success(request, f"{profile.name} is the default {profile.get_kind_display().lower()} profile now.")
    return redirect("format-profiles")


@require_POST
def item_profile(request, item_id: int):
    """The book page's picker: a profile id, or empty for the kind's default."""
    raw = request.POST.get("profile_id", "").strip()
    try:
        profile_id = int(raw) if raw else None
        state = profiles.set_item_profile(item_id, profile_id)
    except (ValueError, OverflowError) as exc:
        raise Http404("No such profile") from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect("book-detail", item_id=item_id)
    messages.success(request, f"Profile {state.profile_name}: {state.message}.")
    return redirect("book-detail", item_id=item_id)
