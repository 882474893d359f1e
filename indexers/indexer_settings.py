"""Indexer connection settings: save, delete, enable and test Prowlarr/Newznab/Torznab
connections. The settings pages and the JSON API call these; API keys never leave here
except into a client (`public` says only whether one is stored)."""

from __future__ import annotations

from django.db import transaction

from core.errors import Conflict, NotFound
from core.settings_forms import invalid, mask_secret
from indexers import services
from indexers.forms import IndexerForm, form_data
from indexers.models import IndexerConfig


def get_config(config_id: int) -> IndexerConfig:
    config = IndexerConfig.objects.filter(pk=config_id).first()
    if config is None:
        raise NotFound(f"Indexer {config_id} does not exist")
    return config


def validated(data: dict, config: IndexerConfig | None = None) -> IndexerForm:
    """The form's values; a name another connection has is a Conflict (it depends on the stored rows)."""
    form = IndexerForm(data, instance=config)
    taken = IndexerConfig.objects.filter(name__iexact=str(data.get("name") or "").strip())
    if config is not None:
        taken = taken.exclude(pk=config.pk)
    if taken.exists():
        raise Conflict(f"Another indexer is already called {taken.first().name}.", hint="Choose another name.")
    if not form.is_valid():
        raise invalid(form, "indexer settings")
    return form


@transaction.atomic
def save_indexer(data: dict, config: IndexerConfig | None = None) -> IndexerConfig:
    """Create (config None) or update a connection; InvalidInput lists every problem."""
    values = validated(data, config).values()
    if config is None:
        return IndexerConfig.objects.create(**values)
    changed = any(getattr(config, k) != values[k] for k in ("url", "base_path", "api_key", "kind"))
    for name, value in values.items():
        setattr(config, name, value)
    if changed:  # the last test said nothing about the new address or key
        config.last_test_at, config.last_test_ok, config.last_test_message = None, None, ""
    config.save()
    return config


def defaults() -> dict:
    """A new connection's values before anything is typed."""
    return {
        "kind": "prowlarr",
        "verify_ssl": True,
        "timeout_seconds": 30,
        "priority": 25,
        "enabled": True,
        "indexer_ids": "",
        "api_key": "",
        "query_order_mode": "automatic",
        "query_order": "",
    }


def merged(config: IndexerConfig | None, given: dict) -> dict:
    """Stored (or default) values with the given ones on top: what a PATCH or a test validates."""
    return {**(form_data(config) if config else defaults()), **given}


def set_enabled(config_id: int, enabled: bool) -> IndexerConfig:
    config = get_config(config_id)
    IndexerConfig.objects.filter(pk=config.pk).update(enabled=enabled)
    config.enabled = enabled
    return config


def delete_indexer(config_id: int) -> IndexerConfig:
    config = get_config(config_id)
    config.delete()
    return config


def test_values(data: dict, config: IndexerConfig | None = None) -> dict:
    """Test typed values before saving them (the stored key fills an empty one)."""
    values = validated({"name": config.name if config else "new indexer", **data}, config).values()
    probe = IndexerConfig(**values)
    return services.check_connection(probe.kind, probe.to_settings())


def public(config: IndexerConfig) -> dict:
    """What the API and the pages show: never the key, only whether one is stored."""
    return {
        "id": config.pk,
        "name": config.name,
        "kind": config.kind,
        "kind_label": config.get_kind_display(),
        "url": config.url,
        "base_path": config.base_path,
        "api_key_set": bool(config.api_key),
        "api_key_masked": mask_secret(config.api_key),
        "verify_ssl": config.verify_ssl,
        "timeout_seconds": config.timeout_seconds,
        "priority": config.priority,
        "enabled": config.enabled,
        "indexer_ids": config.indexer_ids,
        "query_order_mode": config.query_order_mode,
        "query_order": config.query_order,
        "last_test_at": config.last_test_at,
        "last_test_ok": config.last_test_ok,
        "last_test_message": config.last_test_message,
    }
