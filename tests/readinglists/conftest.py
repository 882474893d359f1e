from __future__ import annotations

import pytest

from media.models import MediaItem
from tests.readinglists.support import make_owned, providers_on_fakes


@pytest.fixture
def providers(db, tmp_path, monkeypatch):
    yield from providers_on_fakes(tmp_path, monkeypatch)


@pytest.fixture
def owned(db) -> MediaItem:
    return make_owned()
