"""The setup wizard's "Content types" step, preferred formats half: the formats wanted per kind,
best first, kept in each kind's default format profile (indexers.profiles) -- the one place
Settings > Profiles, the release search and upgrades read. Nothing is stored in the wizard's
own state that the profiles do not hold. Registered from IndexersConfig.ready()."""

from __future__ import annotations

from django import forms

from core.errors import InvalidInput
from core.wizard import registry
from core.wizard.registry import Message
from indexers import profiles, qualities

LABELS = {"ebook": "Ebook formats", "audiobook": "Audiobook formats", "comic": "Comic formats"}


def field_name(kind: str) -> str:
    return f"{kind}_formats"


def parse(kind: str, text: str) -> list[str]:
    """A comma list of quality keys, best first, checked like the profile form (InvalidInput)."""
    keys = [k.strip().lower() for k in text.split(",") if k.strip()]
    profile = profiles.default_profile(kind)
    clean = profiles.validate({"name": profile.name, "kind": kind, "qualities": keys, "cutoff": _cutoff(profile, keys)})
    return clean["qualities"]


def _cutoff(profile, keys: list[str]) -> str:
    """Keep the profile's cutoff while it is still accepted, else the last format (no upgrades)."""
    return profile.cutoff if profile.cutoff in keys else (keys[-1] if keys else "")


def _field(kind: str) -> forms.CharField:
    return forms.CharField(
        required=False, max_length=200, label=LABELS[kind],
        help_text=f"Best first, separated by commas; from: {', '.join(qualities.keys_for(kind))}. "
        "Empty keeps the current order. Settings > Profiles has the rest (cutoff, minimum score).",
    )


class PreferredFormatsForm(forms.Form):
    """Joins the wizard's content step (registry.register_form_mixin)."""

    ebook_formats = _field("ebook")
    audiobook_formats = _field("audiobook")
    comic_formats = _field("comic")

    def clean(self):
        data = super().clean()
        for kind in qualities.KINDS:
            text = (data.get(field_name(kind)) or "").strip()
            if not text:
                continue
            try:
                data[field_name(kind)] = ", ".join(parse(kind, text))
            except InvalidInput as exc:
                details = exc.details if isinstance(exc.details, dict) else {}
                problems = details.get("errors", {}).get("qualities") or [exc.message]
                self.add_error(field_name(kind), problems[0])
        return data


def initial() -> dict:
    return {field_name(kind): ", ".join(profiles.default_profile(kind).qualities) for kind in qualities.KINDS}


def apply(answers: dict) -> list[Message]:
    messages = []
    for kind in qualities.KINDS:
        text = (answers.get(field_name(kind)) or "").strip()
        if not text:
            continue
        keys = parse(kind, text)
        profile = profiles.default_profile(kind)
        if keys == list(profile.qualities):
            continue
        values = {"name": profile.name, "qualities": keys, "cutoff": _cutoff(profile, keys),
                  "min_score": profile.min_score}
        profiles.save_profile(values, profile)
        messages.append(Message("ok", f"{LABELS[kind]} saved in the {profile.name} profile: "
                                      f"{qualities.labels(kind, keys)}."))
    return messages


def register() -> None:
    registry.register_form_mixin("content", PreferredFormatsForm)
    registry.register_initial("content", initial)
    registry.register_apply("content", apply)
