from __future__ import annotations

from tests.search.conftest import fakes, live_providers  # the fake providers on 127.0.0.1

__all__ = ["fakes", "live_providers"]
