"""Processing settings per media kind: the one place the import pipeline asks how to file an
item of a kind (`settings_for`), the notes the settings page shows, and the Test conversion
service (the real converter on a generated sample, never a library file)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from core.errors import InvalidInput
from processing import conversion_check
from processing.converters.ebook_convert import ConvertConfig
from processing.models import TARGETS_BY_KIND, ConversionTarget, ImportMode, KindProcessingSettings

KINDS: tuple[str, ...] = tuple(TARGETS_BY_KIND)
EBOOK_TARGETS = ("epub", "azw3", "mobi", "pdf")
HARDLINK_HELP = (
    "Hardlink: the library file and the download share the same data on disk, so filing takes no extra "
    "space and a torrent keeps seeding. It works only when both folders are on one filesystem; across "
    "filesystems the import copies instead. Move frees the download; Copy keeps an independent copy."
)


@dataclass(frozen=True)
class KindSettings:
    """How to file one kind, as the pipeline needs it."""

    kind: str
    import_mode: str
    existing_file_policy: str
    template: str
    conversion_target: str  # ConversionTarget value valid for the kind
    keep_original: bool

    @property
    def ebook_format(self) -> str:
        """The ebook format to convert into and to prefer among a download's files (EPUB when
        the kind converts nothing: what "Convert and import" produces)."""
        return self.conversion_target if self.conversion_target in EBOOK_TARGETS else "epub"

    @property
    def converts(self) -> bool:
        return self.conversion_target != ConversionTarget.NONE


def check_kind(kind: str) -> str:
    if kind not in TARGETS_BY_KIND:
        raise InvalidInput(f"Unknown media kind {kind!r}", hint=f"One of: {', '.join(KINDS)}")
    return kind


def settings_for(kind: str) -> KindSettings:
    """The processing settings of `kind` (the stored row, created with the defaults if missing)."""
    row = KindProcessingSettings.for_kind(check_kind(kind))
    return KindSettings(
        kind=row.kind,
        import_mode=row.import_mode,
        existing_file_policy=row.existing_file_policy,
        template=row.template,
        conversion_target=row.conversion_target,
        keep_original=row.keep_original,
    )


def all_rows() -> list[KindProcessingSettings]:
    return [KindProcessingSettings.for_kind(kind) for kind in KINDS]


def public(row: KindProcessingSettings) -> dict:
    return {
        "kind": row.kind,
        "import_mode": row.import_mode,
        "existing_file_policy": row.existing_file_policy,
        "template": row.template,
        "conversion_target": row.conversion_target,
        "keep_original": row.keep_original,
        "conversion_targets": [str(t) for t in TARGETS_BY_KIND[row.kind]],
    }


def _device(path: Path) -> int | None:
    for candidate in (path, *path.parents):
        try:
            return os.stat(candidate).st_dev
        except OSError:
            continue
    return None


def hardlink_note(import_mode: str) -> str:
    """What hardlinking means here: '' unless the kind hardlinks and the downloads and the library
    are on different filesystems (then every import copies)."""
    if import_mode != ImportMode.HARDLINK:
        return ""
    downloads, library = _device(Path(settings.DOWNLOADS_DIR)), _device(Path(settings.LIBRARY_DIR))
    if downloads is None or library is None or downloads == library:
        return ""
    return (
        f"The downloads folder ({settings.DOWNLOADS_DIR}) and the library ({settings.LIBRARY_DIR}) are on "
        "different filesystems: hardlinks cannot cross them, so imports will copy."
    )


def check_conversion(kind: str) -> conversion_check.CheckResult:
    """Run the kind's converter on a tiny sample in a temporary folder of the data dir."""
    row = settings_for(kind)
    config = conversion_check.CheckConfig(
        kind=row.kind,
        target=row.conversion_target,
        work_dir=Path(settings.DATA_DIR) / "work",
        ebook_convert=ConvertConfig(settings.EBOOK_CONVERT_PATH, 180.0),
    )
    return conversion_check.run_check(config)

