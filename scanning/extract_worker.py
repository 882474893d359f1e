"""Entry points of extraction worker processes (spawned, so no threads or sockets are
inherited). The extractors and `scanning.services.gather` are pure: workers never set
Django up nor touch the database, which keeps them small (about 25 MB before the first file)
and quick to start."""

from __future__ import annotations

import gc
from typing import Any

_sidecars: Any = None
_claims: Any = None  # scanning.services.parallel.Claims


def init(claims: Any = None) -> None:
    global _sidecars, _claims
    _claims = claims
    import logging

    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s [extract-worker] %(name)s: %(message)s"
    )
    from scanning.services.gather import SidecarCache

    _sidecars = SidecarCache()
    gc.freeze()  # the modules just imported live as long as the process: no collection walks them


def claimed_chunks(first: int, pieces: list[list[tuple[Any, ...]]]) -> list[tuple[int, list[tuple[str, Any]]]]:
    """Read the chunks of a batch that this process claims first, oldest first (chunk
    `first + i` is `pieces[i]`); the scan process and other workers read the rest. An
    unexpected error makes the files of its chunk errors, and the batch goes on."""
    from scanning.services.parallel import BY_WORKER, failed_chunk

    done = []
    for index, piece in enumerate(pieces):
        if _claims.claim(first + index, BY_WORKER):
            try:
                done.append((index, [read(args, _sidecars) for args in piece]))
            except Exception as exc:
                done.append((index, failed_chunk(len(piece), exc)))
    return done


def read(args: tuple[Any, ...], sidecars: Any) -> tuple[str, Any]:
    """One file's ("ok", Prepared), or ("missing-tool", reason); the same in the scan process."""
    from scanning.extractors import MissingTool
    from scanning.services.gather import prepare

    entry, kind, directory, setup, hashes, existing, curated = args
    try:
        return "ok", prepare(entry, kind, directory, setup, sidecars, hashes, existing, curated)
    except MissingTool as exc:
        return "missing-tool", exc.reason


def ping() -> bool:
    return _sidecars is not None
