"""Size: before anything is read or moved, the files at the storage path must add up to what
the download client reported for the job, or the download is refused and left alone.

Which sizes: everything under the storage path (a file, or all files of a folder, summed)
against the client's figure for the whole job. SABnzbd's figure (`bytes` in its history) is
the posted size of every article it downloaded: yEnc-encoded (1.5 to 3.5 % more than the data),
and including the par2/sfv/nfo files and RAR volumes its post-processing deletes after
repairing and unpacking. So the files on disk are normally a little SMALLER than reported,
never much larger. Refused: more than SMALLER_BY below the report (files missing, truncated,
or still being moved) or more than LARGER_BY above it (other files in the folder, or not this
job's folder). A release packed with compression, or kept archives next to their unpacked
files, can exceed the report: the user re-runs the import accepting the size."""

from __future__ import annotations

import os
from pathlib import Path

from core.errors import InvalidInput
from processing.context import BaseStep, ImportContext
from processing.types import ReportedSize

SMALLER_BY = 0.20  # encoding overhead + deleted repair files; a truncated download is far below
LARGER_BY = 0.10


def size_on_disk(root: Path) -> int:
    """A file's size, or the sum of every file under a folder (symbolic links not followed)."""
    if root.is_file():
        return root.stat().st_size
    total = 0
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                total += os.stat(path).st_size
    return total


def check_size(root: Path, reported: ReportedSize) -> dict:
    on_disk = size_on_disk(root)
    low = reported.bytes * (1 - SMALLER_BY) - reported.margin
    high = reported.bytes * (1 + LARGER_BY) + reported.margin
    detail = {"path": str(root), "on_disk": on_disk, "reported": reported.bytes, "margin": reported.margin}
    if low <= on_disk <= high:
        return detail
    relation = "less" if on_disk < low else "more"
    approx = f" (±{reported.margin:,})" if reported.margin else ""
    raise InvalidInput(
        f"{root} holds {on_disk:,} bytes on disk, {relation} than the {reported.bytes:,} bytes{approx} "
        f"{reported.client} reported for this download (accepted: {SMALLER_BY:.0%} less to "
        f"{LARGER_BY:.0%} more). Nothing was moved or catalogued; the files are left where they are.",
        hint="The download may be incomplete or still being moved, or the path may hold other files. "
        "Re-run the import when it is complete, or accept the size if the files are right "
        "(e.g. a release packed with compression).",
        details=detail,
    )


class SizeStep(BaseStep):
    name = "size"

    def applies(self, ctx: ImportContext) -> bool:
        return ctx.options.reported_size is not None and not ctx.options.accept_size

    def run(self, ctx: ImportContext) -> dict:
        if ctx.local_path is None or ctx.options.reported_size is None:
            raise RuntimeError("locate step has not run")
        return check_size(ctx.local_path, ctx.options.reported_size)
