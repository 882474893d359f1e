"""The backup archive: one zip file holding `manifest.json`, the database (an SQLite copy or a
`pg_dump` custom-format dump) and the data files that matter (covers). Zip, not tar: its
directory is at the end, so the manifest is read without reading the whole archive, and
every system opens it. Pure file handling: no ORM, no settings."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from core.errors import InvalidInput
from core.paths import safe_join, validate_relative

FORMAT = 1
MANIFEST = "manifest.json"
DATA_PREFIX = "data/"  # files of the data directory, by their path relative to it
DATABASE_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
REASONS = ("scheduled", "manual", "pre-restore")
NAME_PATTERN = re.compile(r"^omnireadarr-(\d{8}-\d{6})(?:-\d+)?-(scheduled|manual|pre-restore)\.zip$")
# JPEGs and PNGs are compressed already; the database is not.
STORED_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".pgdump"})


@dataclass(frozen=True)
class Manifest:
    version: str
    created_at: str
    engine: str
    reason: str
    migrations: dict[str, list[str]]
    tables: dict[str, int]
    data_files: int = 0
    format: int = FORMAT
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def database_member(self) -> str:
        return DATABASE_NAMES[self.engine]

    def as_json(self) -> str:
        return json.dumps(
            {
                "format": self.format,
                "app": "OmniReadarr",
                "version": self.version,
                "created_at": self.created_at,
                "engine": self.engine,
                "reason": self.reason,
                "database": self.database_member,
                "migrations": self.migrations,
                "tables": self.tables,
                "data_files": self.data_files,
                **self.extra,
            },
            indent=2,
            sort_keys=True,
        )


def archive_name(created: datetime, reason: str, taken: set[str]) -> str:
    base = f"omnireadarr-{created:%Y%m%d-%H%M%S}"
    name, n = f"{base}-{reason}.zip", 1
    while name in taken:
        n += 1
        name = f"{base}-{n}-{reason}.zip"
    return name


def is_archive_name(name: str) -> bool:
    return bool(NAME_PATTERN.match(name))


def parse_name(name: str) -> tuple[datetime, str]:
    """(time made, in UTC; reason) of an archive name."""
    match = NAME_PATTERN.match(name)
    if not match:
        raise ValueError(f"not a backup name: {name!r}")
    return datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=UTC), match.group(2)


def write_archive(target: Path, manifest: Manifest, database: Path, data_root: Path, data_files: list[Path]) -> None:
    """Write the archive to `<target>.part`, then rename it: a listing never shows half an archive."""
    partial = target.with_name(target.name + ".part")
    try:
        with zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
            archive.writestr(MANIFEST, manifest.as_json(), compress_type=zipfile.ZIP_DEFLATED)
            _add(archive, database, manifest.database_member)
            for path in data_files:
                _add(archive, path, DATA_PREFIX + path.relative_to(data_root).as_posix())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _add(archive: zipfile.ZipFile, path: Path, member: str) -> None:
    stored = path.suffix.lower() in STORED_SUFFIXES
    archive.write(
        path,
        member,
        compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED,
        compresslevel=None if stored else 6,
    )


def read_manifest(path: Path) -> Manifest:
    """The archive's manifest; InvalidInput with the reason when the file is no backup of ours."""
    try:
        with zipfile.ZipFile(path) as archive:
            raw = json.loads(archive.read(MANIFEST))
            names = set(archive.namelist())
    except FileNotFoundError:
        raise InvalidInput(f"{path} does not exist") from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(
            f"{path.name} is not an OmniReadarr backup ({exc})", hint="Choose a .zip file from the backup folder."
        ) from exc
    if not isinstance(raw, dict) or raw.get("app") != "OmniReadarr":
        raise InvalidInput(f"{path.name} is not an OmniReadarr backup (no OmniReadarr manifest)")
    if raw.get("format") != FORMAT:
        raise InvalidInput(
            f"{path.name} has backup format {raw.get('format')!r}; this version reads format {FORMAT}",
            hint="Restore it with the OmniReadarr version that made it.",
        )
    if raw.get("engine") not in DATABASE_NAMES or DATABASE_NAMES[raw["engine"]] not in names:
        raise InvalidInput(f"{path.name} has no database for engine {raw.get('engine')!r}")
    known = {
        "format",
        "app",
        "version",
        "created_at",
        "engine",
        "reason",
        "database",
        "migrations",
        "tables",
        "data_files",
    }
    return Manifest(
        version=str(raw.get("version", "")),
        created_at=str(raw.get("created_at", "")),
        engine=raw["engine"],
        reason=str(raw.get("reason", "")),
        migrations=dict(raw.get("migrations") or {}),
        tables={str(k): int(v) for k, v in (raw.get("tables") or {}).items()},
        data_files=int(raw.get("data_files") or 0),
        extra={k: v for k, v in raw.items() if k not in known},
    )


def extract_database(path: Path, manifest: Manifest, target: Path) -> Path:
    with zipfile.ZipFile(path) as archive, archive.open(manifest.database_member) as source, target.open("wb") as out:
        shutil.copyfileobj(source, out, 1024 * 1024)
    return target


def extract_data_files(path: Path, data_root: Path) -> tuple[int, int]:
    """Put the archive's data files back under `data_root`; a file already there is kept (covers
    are named by their content). Member names are checked: none may leave `data_root`.
    Returns (written, kept)."""
    written = kept = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.filename.startswith(DATA_PREFIX) or info.is_dir():
                continue
            relative = validate_relative(PurePosixPath(info.filename[len(DATA_PREFIX) :]).as_posix())
            target = safe_join(data_root, relative)
            if target.exists():
                kept += 1
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            with archive.open(info) as source, partial.open("wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
            partial.replace(target)
            written += 1
    return written, kept
