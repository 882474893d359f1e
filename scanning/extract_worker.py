"""Entry points of extraction worker processes (spawned, so no threads or sockets are
inherited). The extractors and `scanning.services.gather` are pure: workers never set
Django up nor touch the database, which keeps them small (about 25 MB before the first file)
and quick to start."""

from __future__ import annotations

from typing import Any

_sidecars: Any = None


def init() -> None:
    global _sidecars
    import logging

    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s [extract-worker] %(name)s: %(message)s"
    )
    from scanning.services.gather import SidecarCache

    _sidecars = SidecarCache()


def task(args: tuple[Any, ...]) -> tuple[str, Any]:
    from scanning.extractors import MissingTool
    from scanning.services.gather import prepare

    entry, kind, directory, setup, hashes, existing = args
    try:
        return "ok", prepare(entry, kind, directory, setup, _sidecars, hashes, existing)
    except MissingTool as exc:
        return "missing-tool", exc.reason


def ping() -> bool:
    return _sidecars is not None
