from __future__ import annotations

import pytest

from scanning.models import ScanFolder
from scanning.services import FolderInput, save_folder


@pytest.fixture
def library(tmp_path):
    root = tmp_path / "library"
    root.mkdir()
    return root


@pytest.fixture
def make_folder(db):
    def make(path, content_type="mixed", **kwargs) -> ScanFolder:
        return save_folder(FolderInput(path=str(path), content_type=content_type, **kwargs))

    return make
