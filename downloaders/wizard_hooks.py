"""The setup wizard's "Download stack" step, SABnzbd half: the SabnzbdConfig the
downloader uses (the first by id) created or updated, never duplicated, with its
categories; tested live through the real client. Registered from DownloadersConfig.ready()."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.wizard import registry
from core.wizard.registry import Message
from downloaders.clients.base import ClientSettings
from downloaders.clients.registry import client_for
from downloaders.models import SabnzbdConfig
from indexers.wizard_hooks import split_url

TEST_TIMEOUT = 8.0
KINDS = ("ebook", "audiobook", "comic")


def wizard_row() -> SabnzbdConfig | None:
    return SabnzbdConfig.objects.order_by("pk").first()


def initial() -> dict:
    row = wizard_row()
    if row is None:
        return {}
    values = {"sabnzbd_url": row.url.rstrip("/") + row.base_path, "sabnzbd_api_key": row.api_key}
    for kind in KINDS:
        values[f"sabnzbd_category_{kind}"] = getattr(row, f"category_{kind}")
    return values


def probe(settings: ClientSettings) -> Message:
    """Version, key and categories through the real SABnzbd client (short timeout)."""
    reach = registry.tcp_probe(settings.url)
    if reach.level != "ok":
        return reach
    client = client_for("sabnzbd", settings)
    try:
        version = client.test_connection()
    except Exception as exc:  # shown to the user; setup carries on
        return registry.failure_message("SABnzbd", exc)
    finally:
        client.close()
    categories = ", ".join(c for _, c in settings.categories if c) or "default"
    return Message("ok", f"{version.name} {version.version} answers; the key works; categories: {categories}.")


def _settings(values: dict, row: SabnzbdConfig | None, prefix: str = "") -> ClientSettings:
    base, path = split_url(values.get(f"{prefix}url") or "")
    key = (values.get(f"{prefix}api_key") or "").strip() or (row.api_key if row else "")
    categories = tuple((kind, (values.get(f"{prefix}category_{kind}") or "").strip()) for kind in KINDS)
    return ClientSettings(name=row.name if row else "SABnzbd", url=base, api_key=key, base_path=path,
                          timeout=TEST_TIMEOUT, categories=categories)


def test(answers: dict) -> Message:
    if not (answers.get("url") or "").strip():
        return Message("error", "Enter the SABnzbd URL first.")
    return probe(_settings(answers, wizard_row()))


@transaction.atomic
def apply(answers: dict) -> list[Message]:
    url = (answers.get("sabnzbd_url") or "").strip()
    row = wizard_row()
    if not url:
        if row is not None:
            return [Message("ok", f"SABnzbd: kept the existing connection ({row.url}).")]
        return [Message("ok", "SABnzbd: skipped (no URL). Add it later in Settings.")]
    settings = _settings(answers, row, prefix="sabnzbd_")
    values = {"url": settings.url, "base_path": settings.base_path, "api_key": settings.api_key, "enabled": True}
    values.update({f"category_{kind}": category for kind, category in settings.categories})
    if row is None:
        row = SabnzbdConfig.objects.create(name="SABnzbd", **values)
        verb = "added"
    else:
        SabnzbdConfig.objects.filter(pk=row.pk).update(**values)
        verb = "updated"
    result = probe(settings)
    SabnzbdConfig.objects.filter(pk=row.pk).update(
        last_test_at=timezone.now(), last_test_ok=result.level == "ok", last_test_message=result.text[:500]
    )
    return [Message("ok", f"SABnzbd connection {verb} ({url})."), result]


def register() -> None:
    registry.register_initial("downloads", initial)
    registry.register_apply("downloads", apply)
    registry.register_tester("sabnzbd", test)
