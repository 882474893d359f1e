"""What every page's layout needs of the signed-in user: the theme they chose (templates/base.html
renders it as `data-theme`, so another device gets it before any script runs), and on the
Settings page the Preferences form (core cannot import media, so the section's data comes here)."""

from __future__ import annotations

from media import memory


def preferences(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    context: dict = {"ui_theme": memory.for_request(request).theme}
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name == "settings":  # the Preferences section of Settings
        from media.views import preference_choices

        context.update(preference_choices(request))
    return context
