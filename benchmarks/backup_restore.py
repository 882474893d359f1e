"""Backup and restore figures on a generated library (SQLite unless DATABASE_URL says otherwise):
time to write a backup, to dry-run it and to restore it into a fresh install, and the archive's
size; then the integrity check over the same rows (their files do not exist: every row is a fault).

    python benchmarks/backup_restore.py --books 10000
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--books", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="omni-bench-backup-") as tmp:
        run(Path(tmp), args.books)


def _timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<45} {time.perf_counter() - start:8.2f} s")
    return result


def run(tmp: Path, books: int) -> None:
    os.environ["OMNI_DATA_DIR"] = str(tmp / "data")
    os.environ.setdefault("OMNI_LOG_LEVEL", "warning")
    os.environ["DJANGO_SETTINGS_MODULE"] = "omnireadarr.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks.library_generate import ensure_library
    from operations.backups.service import make_backup
    from operations.integrity.services import run_check

    call_command("migrate", verbosity=0)
    _timed(f"generate {books} items", lambda: ensure_library(books, random.Random(7)))
    info = _timed("backup (database copy + zip)", lambda: make_backup("manual"))
    print(f"{'archive size':<45} {info.size / 1e6:8.1f} MB")
    archive = tmp / "data" / "backups" / info.name
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMNI_") and k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="omnireadarr.settings", OMNI_DATA_DIR=str(tmp / "fresh"), OMNI_LOG_LEVEL="warning"
    )
    manage = [sys.executable, "manage.py", "restore", str(archive)]
    if os.environ.get("DATABASE_URL"):
        print("restore timing needs an empty second database: SQLite only")
    else:
        _timed(
            "restore --dry-run (process, incl. start-up)",
            lambda: subprocess.run([*manage, "--dry-run"], cwd=ROOT, env=env, check=True, capture_output=True),
        )
        _timed(
            "restore into a fresh install (process)",
            lambda: subprocess.run(manage, cwd=ROOT, env=env, check=True, capture_output=True),
        )
    report = _timed("integrity check (every row a missing file)", run_check)
    print(f"{'faults found':<45} {report.total:8d}")


if __name__ == "__main__":
    main()
