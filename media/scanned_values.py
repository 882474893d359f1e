"""What a library scan read about its items, field by field with the source of each value
(sidecar OPF, the EPUB's own OPF, ComicInfo, audio tags, the file name, a Calibre library...),
handed from the scanner to the app that keeps provenance. The two meet here, in the catalogue
they share: scanning reports (it imports no other app), the metadata app registers its hooks
from its AppConfig.ready(). Plain values only, in the metadata app's field names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Value = tuple[Any, str, float]  # (value, source, confidence)


@dataclass(frozen=True)
class ScannedValues:
    """What one file said about its item. `written` are the fields whose value on the item
    came from this file (all of them for the file an item was made from; for a further
    format, only the blanks it filled). `overridden`: what the file's other sources said
    that the scan did not keep (field, value), candidates only."""

    item_id: int
    kind: str
    fields: dict[str, Value]
    written: frozenset[str]
    overridden: tuple[tuple[str, Value], ...] = ()


BatchHook = Callable[[list[ScannedValues]], None]
_batch_hooks: list[BatchHook] = []
_after_scan: list[Callable[[], object]] = []


def register_hook(hook: BatchHook) -> None:
    """`hook(records)` runs after each batch a scan writes, inside its transaction."""
    if hook not in _batch_hooks:
        _batch_hooks.append(hook)


def register_after_scan(hook: Callable[[], object]) -> None:
    """`hook()` runs after a scan job (to queue the work the batches left for later)."""
    if hook not in _after_scan:
        _after_scan.append(hook)


def has_hooks() -> bool:
    return bool(_batch_hooks)


def notify(records: list[ScannedValues]) -> None:
    if records:
        for hook in _batch_hooks:
            hook(records)


def scan_finished() -> None:
    for hook in _after_scan:
        hook()
