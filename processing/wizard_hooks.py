"""The setup wizard's "Naming" step: the per-kind library path templates of
ImportSettings (validated with core.naming; the error names the position). Saving a
template moves nothing: renames always go through a preview. Registered from
ProcessingConfig.ready()."""

from __future__ import annotations

from django.db import transaction

from core.errors import InvalidInput
from core.naming import TemplateError, parse_template
from core.wizard import registry
from core.wizard.registry import Message
from processing.models import ImportSettings

FIELDS = ("ebook_template", "audiobook_template", "comic_template")


def initial() -> dict:
    current = ImportSettings.load()
    return {name: getattr(current, name) for name in FIELDS}


@transaction.atomic
def apply(answers: dict) -> list[Message]:
    current = ImportSettings.objects.select_for_update().get(pk=ImportSettings.load().pk)
    changed = []
    for name in FIELDS:
        template = (answers.get(name) or "").strip()
        if not template or template == getattr(current, name):
            continue
        try:
            parse_template(template)
        except TemplateError as exc:
            raise InvalidInput(f"{name.replace('_', ' ').capitalize()}: {exc.message}", hint=exc.hint) from exc
        setattr(current, name, template)
        changed.append(name.split("_")[0])
    if not changed:
        return [Message("ok", "Naming templates unchanged.")]
    current.save(update_fields=[*FIELDS, "updated_at"])
    return [Message("ok", f"Naming templates saved ({', '.join(changed)}). Existing files are not renamed.")]


def register() -> None:
    registry.register_initial("naming", initial)
    registry.register_apply("naming", apply)
