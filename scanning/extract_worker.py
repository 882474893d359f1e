"""Entry points of extraction worker processes (spawned, so no threads or sockets are
inherited). Kept outside `scanning.services` so importing it needs no Django set-up;
`init` sets Django up and the workers never touch the database."""

from __future__ import annotations

import os
from typing import Any

_sidecars: Any = None


def init() -> None:
    global _sidecars
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnireadarr.settings")
    django.setup()
    from scanning.services.gather import SidecarCache

    _sidecars = SidecarCache()


def task(args: tuple[Any, ...]) -> tuple[str, Any]:
    from scanning.extractors import MissingTool
    from scanning.services.gather import prepare

    entry, kind, directory, root, options, hashes, existing = args
    try:
        return "ok", prepare(entry, kind, directory, root, _sidecars, options, hashes, existing)
    except MissingTool as exc:
        return "missing-tool", exc.reason


def ping() -> bool:
    return _sidecars is not None
