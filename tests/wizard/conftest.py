from __future__ import annotations

import pytest

from tests.acquisition.fakes import FakeSabnzbd


@pytest.fixture
def fake_sabnzbd(tmp_path):
    (tmp_path / "complete").mkdir()  # SABnzbd creates its completed folder at start
    server = FakeSabnzbd(complete_dir=tmp_path / "complete").start()
    yield server
    server.stop()
