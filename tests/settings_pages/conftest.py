from __future__ import annotations

import pytest

from tests.clients.torznab import FakeTorznab


@pytest.fixture
def fake_torznab():
    server = FakeTorznab().start()
    yield server
    server.stop()
