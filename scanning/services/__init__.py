"""Scanning services: folders (validated CRUD), scan (import and incremental rescan),
thumbnails (deferred), and the read side for the API (problem files, history)."""

from scanning.services.folders import FolderInput, delete_folder, get_folder, save_folder, validate_path
from scanning.services.scan import ScanOptions, scan_folder

__all__ = [
    "FolderInput",
    "ScanOptions",
    "delete_folder",
    "get_folder",
    "save_folder",
    "scan_folder",
    "validate_path",
]
