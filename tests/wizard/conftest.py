from __future__ import annotations

import pytest

from tests.acquisition.fakes import FakeProwlarr, FakeSabnzbd
from tests.search.fakes import FakeProviders


@pytest.fixture
def fake_providers():
    providers = FakeProviders().start()
    yield providers
    providers.stop()


@pytest.fixture
def fake_prowlarr():
    server = FakeProwlarr().start()
    yield server
    server.stop()


@pytest.fixture
def fake_sabnzbd(tmp_path):
    (tmp_path / "complete").mkdir()  # SABnzbd creates its completed folder at start
    server = FakeSabnzbd(complete_dir=tmp_path / "complete").start()
    yield server
    server.stop()
