"""The setup wizard's "Naming" step: the per-kind library path templates of
KindProcessingSettings (validated with core.naming; the error names the position). Saving a
template moves nothing: renames always go through a preview. Registered from
ProcessingConfig.ready()."""

from __future__ import annotations

from django.db import transaction

from core.errors import InvalidInput
from core.naming import TemplateError, parse_template
from core.wizard import registry
from core.wizard.registry import Message
from processing.kinds import KINDS
from processing.models import KindProcessingSettings


def initial() -> dict:
    return {f"{kind}_template": KindProcessingSettings.for_kind(kind).template for kind in KINDS}


@transaction.atomic
def apply(answers: dict) -> list[Message]:
    for kind in KINDS:
        KindProcessingSettings.for_kind(kind)  # made with the defaults on first use
    rows = {row.kind: row for row in KindProcessingSettings.objects.select_for_update().filter(kind__in=KINDS)}
    changed: list[KindProcessingSettings] = []
    for kind in KINDS:
        name, row = f"{kind}_template", rows[kind]
        template = (answers.get(name) or "").strip()
        if not template or template == row.template:
            continue
        try:
            parse_template(template)
        except TemplateError as exc:
            raise InvalidInput(f"{name.replace('_', ' ').capitalize()}: {exc.message}", hint=exc.hint) from exc
        row.template = template
        changed.append(row)
    if not changed:
        return [Message("ok", "Naming templates unchanged.")]
    for row in changed:
        row.save(update_fields=["template", "updated_at"])
    names = ", ".join(row.kind for row in changed)
    return [Message("ok", f"Naming templates saved ({names}). Existing files are not renamed.")]


def register() -> None:
    registry.register_initial("naming", initial)
    registry.register_apply("naming", apply)
