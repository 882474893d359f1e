"""JSON API of the download client settings: list, read, add, change, delete, test (stored or
typed values) and create missing categories. Secrets are never returned: `api_key_set` /
`password_set` and a masked key say whether one is stored; an empty secret keeps it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from ninja import Router, Schema, Status
from pydantic import Field, Strict

from core.api.envelope import Envelope, ok
from core.api.types import Flag, Id
from downloaders import client_settings
from downloaders.clients import registry
from downloaders.models import DownloadClientConfig

router = Router(tags=["download clients"])
Int = Annotated[int, Strict()]  # a JSON number, not true/false
Number = Annotated[float, Strict()]
ClientKind = StrEnum("ClientKind", {kind: kind for kind in registry.CLIENTS})  # the registered kinds
KIND = Field(..., description="a registered kind: see GET /api/downloads/clients/kinds")


class ClientIn(Schema):
    """A client's settings. On PATCH every field is optional (what is left out keeps its value)."""

    name: str | None = Field(None, min_length=1, max_length=100)
    url: str | None = Field(
        None, min_length=1, max_length=600, description="host:port, http://host:port/urlbase or a pasted API URL"
    )
    api_key: str | None = Field(None, max_length=200, description="empty or left out: keep the stored key")
    username: str | None = Field(None, max_length=200)
    password: str | None = Field(None, max_length=200, description="empty or left out: keep the stored password")
    verify_ssl: Flag | None = None
    timeout_seconds: Int | None = Field(None, ge=1, le=300)
    category_ebook: str | None = Field(None, max_length=64)
    category_audiobook: str | None = Field(None, max_length=64)
    category_comic: str | None = Field(None, max_length=64)
    priority: Int | None = Field(None, ge=-100, le=100)
    order: Int | None = Field(None, ge=1, le=99)
    add_paused: Flag | None = None
    enabled: Flag | None = None
    seed_ratio_limit: Number | None = Field(None, ge=0, le=100)
    seed_time_limit_minutes: Int | None = Field(None, ge=0, le=525600)
    watch_folder: str | None = Field(None, max_length=1000, description="blackhole: where release files are dropped")
    completed_folder: str | None = Field(None, max_length=1000, description="blackhole: where finished downloads are")
    download_dir: str | None = Field(None, max_length=1000)
    remote_download_dir: str | None = Field(None, max_length=1000)


class ClientCreateIn(ClientIn):
    """`url` and the other connection fields: those of the kind's `fields` (GET .../kinds)."""

    kind: ClientKind = KIND
    name: str = Field(..., min_length=1, max_length=100)


class ClientTestIn(ClientIn):
    kind: ClientKind = KIND
    config_id: Id | None = Field(None, description="a stored client whose secrets fill the empty ones")


class ClientCategoriesIn(Schema):
    names: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        ..., min_length=1, max_length=3, description="categories of this client's settings"
    )


class ClientOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    url: str
    base_path: str
    api_key_set: bool
    api_key_masked: str
    username: str
    password_set: bool
    verify_ssl: bool
    timeout_seconds: int
    categories: dict[str, str]
    priority: int
    order: int
    add_paused: bool
    enabled: bool
    seed_ratio_limit: float | None
    seed_time_limit_minutes: int | None
    watch_folder: str
    completed_folder: str
    download_dir: str
    remote_download_dir: str
    last_test_at: datetime | None
    last_test_ok: bool | None
    last_test_message: str


class ClientMessageOut(Schema):
    level: str
    text: str
    hint: str


class ClientFolderOut(Schema):
    level: str
    text: str
    local: str
    remote: str


class ClientCheckOut(Schema):
    ok: bool
    version: str
    messages: list[ClientMessageOut]
    missing_categories: list[str]
    folder: ClientFolderOut | None


class ClientKindOut(Schema):
    kind: str
    label: str
    fields: list[str]
    protocols: list[str]
    default_port: int | None
    can_pause: bool
    has_categories: bool


def _check_out(result: client_settings.CheckResult) -> dict:
    folder = result.folder
    return {
        "ok": result.ok,
        "version": result.version,
        "messages": [{"level": m.level, "text": m.text, "hint": m.hint} for m in result.messages],
        "missing_categories": result.missing_categories,
        "folder": folder
        and {"level": folder.level, "text": folder.text, "local": folder.local, "remote": folder.remote},
    }


def _given(payload: Schema) -> dict:
    return {k: v for k, v in payload.dict(exclude={"kind", "config_id"}).items() if v is not None}


@router.get("/", response=Envelope[list[ClientOut]], summary="Download clients (secrets never shown)")
def clients(request):
    return ok([client_settings.public(c) for c in DownloadClientConfig.objects.all()])


@router.get("/kinds", response=Envelope[list[ClientKindOut]], summary="The kinds of download client and their fields")
def kinds(request):
    return ok(
        [
            {
                "kind": k,
                "label": label,
                "fields": list(registry.fields_of(k)),
                "protocols": sorted(registry.protocols_of(k)),
                "default_port": registry.default_port_of(k),
                "can_pause": registry.can_pause(k),
                "has_categories": registry.has_categories(k),
            }
            for k, label in registry.kinds()
        ]
    )


@router.post("/", response={201: Envelope[ClientOut]}, summary="Add a download client (admin)")
def add_client(request, payload: ClientCreateIn):
    data = {**client_settings.defaults(), **_given(payload)}
    config = client_settings.save_client(data, kind=payload.kind.value)
    return Status(201, ok(client_settings.public(config)))


@router.get("/{int:config_id}/", response=Envelope[ClientOut], summary="One download client")
def get_client(request, config_id: Id):
    return ok(client_settings.public(client_settings.get_config(config_id)))


@router.patch("/{int:config_id}/", response=Envelope[ClientOut], summary="Change a download client (admin)")
def change_client(request, config_id: Id, payload: ClientIn):
    config = client_settings.get_config(config_id)
    data = {**client_settings.form_data(config), **_given(payload)}
    return ok(client_settings.public(client_settings.save_client(data, kind=config.kind, config=config)))


@router.delete("/{int:config_id}/", response=Envelope[None], summary="Delete a download client (admin)")
def delete_client(request, config_id: Id):
    client_settings.delete_client(config_id)
    return ok(None)


@router.post("/{int:config_id}/test/", response=Envelope[ClientCheckOut], summary="Test a stored client (admin)")
def test_client(request, config_id: Id):
    return ok(_check_out(client_settings.test_client(config_id)))


@router.post("/test/", response=Envelope[ClientCheckOut], summary="Test typed settings before saving (admin)")
def test_values(request, payload: ClientTestIn):
    config = client_settings.get_config(payload.config_id) if payload.config_id else None
    base = client_settings.form_data(config) if config else client_settings.defaults()
    data = {**base, **_given(payload)}
    return ok(_check_out(client_settings.test_values(data, kind=payload.kind.value, config=config)))


@router.post(
    "/{int:config_id}/categories/",
    response=Envelope[list[str]],
    summary="Create missing categories in the client (admin)",
)
def create_categories(request, config_id: Id, payload: ClientCategoriesIn):
    return ok(client_settings.create_categories(config_id, payload.names))
