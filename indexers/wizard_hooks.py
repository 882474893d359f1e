"""The setup wizard's "Download stack" step, Prowlarr half: one IndexerConfig of kind
Prowlarr created or updated (never duplicated) and tested live through the real client.
Registered from IndexersConfig.ready()."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.wizard import registry
from core.wizard.registry import Message
from indexers.clients.base import IndexerSettings
from indexers.forms import split_url
from indexers.models import IndexerConfig, IndexerKind
from indexers.services import check_connection

TEST_TIMEOUT = 8.0
NAME = "Prowlarr"
SETTINGS_PAGE = "Settings > Indexers (/settings/indexers/)"


def wizard_row() -> IndexerConfig | None:
    rows = IndexerConfig.objects.filter(kind=IndexerKind.PROWLARR).order_by("pk")
    return rows.filter(name=NAME).first() or rows.first()


def initial() -> dict:
    row = wizard_row()
    if row is None:
        return {}
    return {"prowlarr_url": row.url.rstrip("/") + row.base_path, "prowlarr_api_key": row.api_key}


def probe(settings: IndexerSettings) -> Message:
    """Status and indexer list through the real Prowlarr client (short timeout)."""
    reach = registry.tcp_probe(settings.url)
    if reach.level != "ok":
        return reach
    try:
        result = check_connection(IndexerKind.PROWLARR, settings)
    except Exception as exc:  # shown to the user; setup carries on
        return registry.failure_message("Prowlarr", exc)
    if not result["ok"]:
        return Message(result["level"], result["message"], result["hint"])
    found, version = result["indexers"], f"{result['name']} {result['version']}"
    if not found:
        return Message("warning", f"{version} answers but has no indexers.",
                       "Add indexers in Prowlarr (Indexers > Add Indexer).")
    names = ", ".join(i["name"] for i in found[:5])
    return Message("ok", f"{version}: {len(found)} indexer(s) ({names}).")


def _settings(url: str, api_key: str) -> IndexerSettings:
    base, path = split_url(url)
    return IndexerSettings(name=NAME, url=base, api_key=api_key, base_path=path, timeout=TEST_TIMEOUT)


def test(answers: dict) -> Message:
    url = (answers.get("url") or "").strip()
    if not url:
        return Message("error", "Enter the Prowlarr URL first.")
    row = wizard_row()
    key = (answers.get("api_key") or "").strip() or (row.api_key if row else "")
    return probe(_settings(url, key))


@transaction.atomic
def apply(answers: dict) -> list[Message]:
    url = (answers.get("prowlarr_url") or "").strip()
    row = wizard_row()
    if not url:
        if row is not None:
            return [Message("ok", f"Prowlarr: kept the existing connection {row.name} ({row.url}).")]
        return [Message("ok", f"Prowlarr: skipped (no URL). Add it later in {SETTINGS_PAGE}.")]
    settings = _settings(url, (answers.get("prowlarr_api_key") or "").strip() or (row.api_key if row else ""))
    values = {"url": settings.url, "base_path": settings.base_path, "api_key": settings.api_key,
              "kind": IndexerKind.PROWLARR, "enabled": True}
    if row is None:
        row = IndexerConfig.objects.create(name=_free_name(), **values)
        verb = "added"
    else:
        IndexerConfig.objects.filter(pk=row.pk).update(**values)
        verb = "updated"
    result = probe(settings)
    IndexerConfig.objects.filter(pk=row.pk).update(
        last_test_at=timezone.now(), last_test_ok=result.level == "ok", last_test_message=result.text[:500]
    )
    saved = Message("ok", f"Prowlarr connection {verb} ({url}).")
    return [saved, result]


def _free_name() -> str:
    taken = set(IndexerConfig.objects.values_list("name", flat=True))
    return next(n for n in (NAME, *(f"{NAME} {i}" for i in range(2, 100))) if n not in taken)


def register() -> None:
    registry.register_initial("downloads", initial)
    registry.register_apply("downloads", apply)
    registry.register_tester("prowlarr", test, settings_page=SETTINGS_PAGE)
