"""Download client settings: save, delete and test clients of any registered kind, create
missing categories, and the folders the import may read (each client's downloads folder and
its path mapping). The settings page, the JSON API and the wizard call these."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction

from core.errors import InvalidInput, NotFound, OmniError
from core.wizard.registry import Message, failure_message
from downloaders import services
from downloaders.client_urls import display_url, mask_secret
from downloaders.clients import registry
from downloaders.clients.base import ClientSettings
from downloaders.folders import FolderAdvice, advise
from downloaders.forms import KINDS, ClientForm
from downloaders.models import DownloadClientConfig

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    """A live test: version, the categories missing for the kinds in use, the folder advice."""

    ok: bool
    messages: list[Message]
    version: str = ""
    missing_categories: list[str] = field(default_factory=list)
    folder: FolderAdvice | None = None


def get_config(config_id: int) -> DownloadClientConfig:
    config = DownloadClientConfig.objects.filter(pk=config_id).first()
    if config is None:
        raise NotFound(f"Download client {config_id} does not exist")
    return config


def _invalid(form: ClientForm) -> InvalidInput:
    errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    first = "; ".join(f"{name}: {errs[0]}" for name, errs in errors.items())
    return InvalidInput(f"The download client settings are not valid: {first}", details={"errors": errors})


def validated(data: dict, *, kind: str, config: DownloadClientConfig | None = None) -> ClientForm:
    form = ClientForm(data, kind=kind, instance=config)
    if not form.is_valid():
        raise _invalid(form)
    return form


@transaction.atomic
def save_client(data: dict, *, kind: str, config: DownloadClientConfig | None = None) -> DownloadClientConfig:
    """Create (config None) or update a client from form/API values; InvalidInput lists every problem."""
    values = validated(data, kind=kind, config=config).values()
    if config is None:
        return DownloadClientConfig.objects.create(**values)
    for name, value in values.items():
        setattr(config, name, value)
    config.save()
    return config


def defaults() -> dict:
    """A new client's values before anything is typed (the model's defaults)."""
    return {f.name: f.get_default() for f in DownloadClientConfig._meta.concrete_fields if f.name != "id"}


def form_data(config: DownloadClientConfig) -> dict:
    """A stored client as form values (secrets left out: empty keeps them)."""
    values = {f.name: getattr(config, f.name) for f in DownloadClientConfig._meta.concrete_fields}
    values["url"] = display_url(config.url, config.base_path)
    for secret in ("api_key", "password"):
        values[secret] = ""
    return values


def delete_client(config_id: int) -> None:
    get_config(config_id).delete()


def set_enabled(config_id: int, enabled: bool) -> DownloadClientConfig:
    config = get_config(config_id)
    DownloadClientConfig.objects.filter(pk=config.pk).update(enabled=enabled)
    config.enabled = enabled
    return config


def public(config: DownloadClientConfig) -> dict:
    """What the API and pages show of a client: never a secret, only whether one is set."""
    return {
        "id": config.pk,
        "kind": config.kind,
        "kind_label": registry.label_of(config.kind) if config.kind in registry.CLIENTS else config.kind,
        "name": config.name,
        "url": config.url,
        "base_path": config.base_path,
        "api_key_set": bool(config.api_key),
        "api_key_masked": mask_secret(config.api_key),
        "username": config.username,
        "password_set": bool(config.password),
        "verify_ssl": config.verify_ssl,
        "timeout_seconds": config.timeout_seconds,
        "categories": dict(config.categories()),
        "priority": config.priority,
        "order": config.order,
        "add_paused": config.add_paused,
        "enabled": config.enabled,
        "seed_ratio_limit": config.seed_ratio_limit,
        "seed_time_limit_minutes": config.seed_time_limit_minutes,
        "watch_folder": config.watch_folder,
        "completed_folder": config.completed_folder,
        "download_dir": config.download_dir,
        "remote_download_dir": config.remote_download_dir,
        "last_test_at": config.last_test_at,
        "last_test_ok": config.last_test_ok,
        "last_test_message": config.last_test_message,
    }


# --- live tests ---------------------------------------------------------------------------


def check_client(
    kind: str, settings: ClientSettings, *, kinds: tuple[str, ...] = KINDS, our_folder: str = ""
) -> CheckResult:
    """Version and key, the categories of the media kinds in use (`kinds`), and the client's
    completed folder against ours. A failure is a result with the reason, never raised."""
    label = registry.label_of(kind)
    client = registry.client_for(kind, settings)
    uses_categories = registry.has_categories(kind)
    try:
        version = client.test_connection()
        existing = {c.lower() for c in client.list_categories()} if uses_categories else set()
        folder = _client_folder(client, label)
    except OmniError as exc:
        return CheckResult(False, [failure_message(label, exc)])
    finally:
        client.close()
    wanted = [c for k, c in settings.categories if c and k in kinds] if uses_categories else []
    missing = sorted({c for c in wanted if c.lower() not in existing})
    messages = [Message("ok", f"{version.name} {version.version} answers; the credentials work.")]
    if missing:
        messages.append(
            Message(
                "warning",
                f"{label} has no categor{'y' if len(missing) == 1 else 'ies'} {', '.join(missing)}.",
                "Create them (offered here) or in the client.",
            )
        )
    advice = advise(folder, our_folder, label) if folder is not None else None
    if advice is not None:
        messages.append(Message(advice.level, advice.text, advice.hint))
    return CheckResult(True, messages, f"{version.name} {version.version}", missing, advice)


def _client_folder(client, label: str) -> str | None:
    try:
        return client.download_folder()
    except OmniError as exc:
        logger.info("%s: could not read its completed folder: %s", label, exc)
        return None


def summary(result: CheckResult) -> str:
    return " ".join(m.text for m in result.messages)[:500]


def test_client(config_id: int) -> CheckResult:
    """Test a stored client and record the outcome on it."""
    config = get_config(config_id)
    result = check_client(config.kind, config.to_settings(), our_folder=config.download_dir)
    services.record_client_check(config.pk, ok=result.ok, message=summary(result), tested=True)
    return result


def test_values(data: dict, *, kind: str, config: DownloadClientConfig | None = None) -> CheckResult:
    """Test typed values before saving them (stored secrets fill the empty ones)."""
    form = validated({"name": (config.name if config else "new client"), **data}, kind=kind, config=config)
    values = form.values()
    probe = DownloadClientConfig(**values)
    return check_client(kind, probe.to_settings(), our_folder=values.get("download_dir", ""))


def create_categories(config_id: int, names: list[str]) -> list[str]:
    """Create the named categories in the client (only those the settings use)."""
    config = get_config(config_id)
    if not registry.has_categories(config.kind):
        raise InvalidInput(f"{registry.label_of(config.kind)} has no categories to create")
    used = {c for _, c in config.categories() if c}
    unknown = [n for n in names if n not in used]
    if unknown:
        raise InvalidInput(f"{', '.join(unknown)}: not a category of {config.name}'s settings")
    client = registry.client_for(config.kind, config.to_settings())
    try:
        for name in names:
            client.create_category(name)
    finally:
        client.close()
    return names


# --- what the import may read ---------------------------------------------------------------


def import_folders() -> tuple[list[tuple[str, str]], list[str]]:
    """(path mappings client folder -> local folder, local folders) of every client: the
    import accepts storage paths below these folders (a blackhole's completed folder is local)."""
    rows = DownloadClientConfig.objects.exclude(download_dir="").values_list("remote_download_dir", "download_dir")
    mappings = [(remote, local) for remote, local in rows if remote and remote != local]
    completed = DownloadClientConfig.objects.exclude(completed_folder="").values_list("completed_folder", flat=True)
    return mappings, sorted({local for _, local in rows} | set(completed))
