"""The setup wizard's "Folders" step creates scan folders (nothing in them is touched) and
its last step offers "Start the first scan". Registered from ScanningConfig.ready()."""

from __future__ import annotations

from django.db import transaction

from core.errors import OmniError
from core.wizard import registry
from core.wizard.registry import Message
from scanning.models import ScanFolder
from scanning.services.folders import FolderInput, save_folder, validate_path
from scanning.services.jobs import start_scan


def initial() -> dict:
    paths = ScanFolder.objects.order_by("pk").values_list("path", flat=True)
    return {"library_folders": "\n".join(paths)} if paths else {}


def _lines(answers: dict) -> list[str]:
    return [line.strip() for line in (answers.get("library_folders") or "").splitlines() if line.strip()]


@transaction.atomic
def apply(answers: dict) -> list[Message]:
    """Add a scan folder per line; folders already known are kept as they are (a re-run adds
    nothing twice and removes nothing)."""
    messages = []
    for raw in _lines(answers):
        try:
            path = validate_path(raw)
            if ScanFolder.objects.filter(path=path).exists():
                messages.append(Message("ok", f"{path} is already a scan folder."))
                continue
            save_folder(FolderInput(path=path))
            messages.append(Message("ok", f"{path} will be scanned; nothing in it is moved or changed."))
        except OmniError as exc:
            messages.append(Message("error", f"{raw}: {exc.message}", exc.hint))
    return messages


def first_scan(user) -> Message:
    started, busy = [], []
    for folder in ScanFolder.objects.filter(enabled=True).order_by("pk"):
        try:
            started.append(start_scan(folder.pk, user=user).pk)
        except OmniError as exc:
            busy.append(exc.message)
    if not started and not busy:
        return Message(
            "warning", "No scan folder to scan yet.", "Add one in the Folders step or on Library → Scanning."
        )
    text = f"Scanning {len(started)} folder(s) in the background (jobs {', '.join(f'#{j}' for j in started)})."
    return Message("ok", text + (" " + " ".join(busy) if busy else ""), "Follow the progress on Activity.")


def register() -> None:
    registry.register_initial("folders", initial)
    registry.register_apply("folders", apply)
    registry.register_finisher("start_scan", "Start the first scan", first_scan)
