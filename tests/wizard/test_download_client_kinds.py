"""The wizard's download step offers every registered kind of client, shows each one's own
fields, and saves any of them (an unreachable client is a warning, never a lost answer)."""

from __future__ import annotations

import html
import json
import re

import pytest

from downloaders.clients import registry
from downloaders.models import DownloadClientConfig
from tests.clients.swarm import free_port

pytestmark = pytest.mark.django_db
KINDS = sorted(registry.CLIENTS)


def _kind_fields(page: str) -> dict[str, list[str]]:
    return json.loads(html.unescape(re.search(r'data-kind-fields="([^"]*)"', page).group(1)))


def test_every_registered_kind_is_offered_with_its_own_fields(admin_client):
    page = admin_client.get("/wizard/downloads/").content.decode()
    offered = set(re.findall(r'<option value="([a-z]+)"', page))
    assert set(KINDS) <= offered
    fields = _kind_fields(page)
    assert sorted(fields) == KINDS
    for kind in KINDS:
        assert set(registry.fields_of(kind)) <= set(fields[kind])
        assert ("category_ebook" in fields[kind]) == registry.has_categories(kind)
        for name in fields[kind]:
            assert f'name="client_{name}"' in page, (kind, name)
    assert "url" not in fields["blackhole"] and "download_dir" not in fields["blackhole"]


def _answers(kind: str, tmp_path) -> dict[str, str]:
    answers = {"client_kind": kind}
    for name in registry.fields_of(kind):
        if name.endswith("_folder"):
            (tmp_path / name).mkdir()
            answers[f"client_{name}"] = str(tmp_path / name)
        else:  # nothing listens on the port: the test warns, the answers are kept
            answers[f"client_{name}"] = f"127.0.0.1:{free_port()}" if name == "url" else "secret"
    return answers


@pytest.mark.parametrize("kind", KINDS)
def test_each_registered_kind_is_saved_by_the_wizard(admin_client, kind, tmp_path):
    answers = _answers(kind, tmp_path)
    response = admin_client.post("/wizard/downloads/", answers, follow=True)
    assert response.redirect_chain[-1][0] == "/wizard/naming/", response.content.decode()[-3000:]
    config = DownloadClientConfig.objects.get()
    assert (config.kind, config.name) == (kind, registry.label_of(kind))
    for name in registry.fields_of(kind):
        stored = getattr(config, name)
        assert stored == ("http://" + answers["client_url"] if name == "url" else answers[f"client_{name}"])
    if kind == "blackhole":  # a folder client is tested for real: both folders are usable
        assert config.last_test_ok is True
    else:
        assert config.last_test_ok is False and config.last_test_message
