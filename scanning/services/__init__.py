"""Scanning services: folders (validated CRUD), scan (import and incremental rescan),
thumbnails (deferred), and the read side for the API (problem files, history).

The names below are imported on first use (PEP 562), so extraction worker processes can
import `scanning.services.gather` without Django models, and stay small."""

from importlib import import_module
from typing import TYPE_CHECKING

_EXPORTS = {
    "FolderInput": "scanning.services.folders",
    "delete_folder": "scanning.services.folders",
    "get_folder": "scanning.services.folders",
    "save_folder": "scanning.services.folders",
    "validate_path": "scanning.services.folders",
    "ScanOptions": "scanning.services.scan",
    "scan_folder": "scanning.services.scan",
}
__all__ = [
    "FolderInput",
    "ScanOptions",
    "delete_folder",
    "get_folder",
    "save_folder",
    "scan_folder",
    "validate_path",
]

if TYPE_CHECKING:
    from scanning.services.folders import FolderInput, delete_folder, get_folder, save_folder, validate_path
    from scanning.services.scan import ScanOptions, scan_folder


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'scanning.services' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
