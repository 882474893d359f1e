from __future__ import annotations

import pytest

from tests.acquisition.fakes import FakeProwlarr
from tests.clients.torznab import FakeTorznab
from tests.search.fakes import FakeProviders


@pytest.fixture
def fake_prowlarr():
    server = FakeProwlarr().start()
    yield server
    server.stop()


@pytest.fixture
def fake_torznab():
    server = FakeTorznab().start()
    yield server
    server.stop()


@pytest.fixture
def fake_providers():
    providers = FakeProviders().start()
    yield providers
    providers.stop()
