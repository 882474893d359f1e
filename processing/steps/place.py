"""Place: plan each file's library path (processing.layout), apply the existing-file
policy to the item's earlier files of the same format, and hand the plan to the journal."""

from __future__ import annotations

from pathlib import Path

from indexers import qualities
from processing import catalogue, journal, layout
from processing.context import BaseStep, ImportContext, StopImport
from processing.steps.locate import AUDIO_FORMATS
from processing.types import PlannedFile


def plan_files(ctx: ImportContext) -> list[PlannedFile]:
    root, item = ctx.options.library_dir, ctx.item
    template = ctx.options.templates.get(item.kind)
    if item.kind == "audiobook":
        folder = root / layout.library_relative_dir(item, template=template)
        parts = [f for f, _ in ctx.to_place]
        if len(parts) == 1:
            only = parts[0]
            return [
                PlannedFile(
                    only.path,
                    folder / f"{layout.book_stem(item, template=template)}.{only.format}",
                    only.format,
                    "part",
                )
            ]
        return [
            PlannedFile(f.path, folder / layout.part_name(f.part or i, len(parts), f.path), f.format, "part")
            for i, f in enumerate(parts, start=1)
        ]
    return [
        PlannedFile(f.path, root / layout.library_path(item, f.format, template=template), f.format, role)
        for f, role in ctx.to_place
    ]


def _earlier_files(ctx: ImportContext, planned: PlannedFile, destinations: set) -> list:
    gone = set(ctx.recycled)
    return [p for p in catalogue.present_files(ctx.item.id, planned.format) if p not in destinations | gone]


def _apply_upgrade(ctx: ImportContext, plan: list[PlannedFile], notes: list[str]) -> None:
    """An import into a book wanted for an upgrade: the item's files that its format profile
    ranks below the best new file go to the recycle folder (journaled: undo brings them back),
    whatever their format and whatever the existing-file policy says. Files the new ones do not
    beat stay, and the policy below decides about them."""
    upgrade = ctx.options.upgrade
    if upgrade is None or not plan:
        return
    kind = ctx.item.kind
    new_keys = {p.format: upgrade.release.file_key(kind, p.format) or p.format for p in plan}
    best = min(upgrade.rank(key) for key in new_keys.values())
    if best >= len(upgrade.order):
        notes.append("no upgrade: the format profile does not list the new files' format")
        return
    best_label = qualities.label(kind, upgrade.order[best])
    for path, key in upgrade.existing:
        old = Path(path)
        if upgrade.rank(key) > best and old.exists() and old not in ctx.recycled:
            journal.recycle(ctx.run_id, old, ctx.options.recycle_dir, ctx.options.library_dir)
            ctx.recycled.append(old)
            notes.append(f"upgrade: recycled {old} ({qualities.label(kind, key)}), replaced by {best_label}")


def _apply_identity_policy(
    ctx: ImportContext, plan: list[PlannedFile]
) -> tuple[list[PlannedFile], list[str]]:
    """Same item, same format already filed elsewhere: skip, replace (recycle) or keep both."""
    if ctx.item.kind == "audiobook":
        return _apply_audiobook_policy(ctx, plan)
    kept: list[PlannedFile] = []
    notes: list[str] = []
    _apply_upgrade(ctx, plan, notes)
    destinations = {p.destination for p in plan}
    for planned in plan:
        earlier = _earlier_files(ctx, planned, destinations)
        policy = ctx.options.existing_file_policy
        if earlier and policy == "skip":
            notes.append(f"{planned.format}: the item already has {earlier[0]}")
            continue
        if earlier and policy == "replace":
            _recycle(ctx, earlier, notes)
        kept.append(planned)
    return kept, notes


def _apply_audiobook_policy(
    ctx: ImportContext, plan: list[PlannedFile]
) -> tuple[list[PlannedFile], list[str]]:
    """An audiobook is all its parts: parts of the item already filed elsewhere (in any audio
    format, e.g. one m4b against a folder of mp3s) are skipped, replaced or kept as a whole."""
    notes: list[str] = []
    _apply_upgrade(ctx, plan, notes)
    destinations = {p.destination for p in plan} | set(ctx.recycled)
    earlier = [
        p for p in catalogue.present_files_of_formats(ctx.item.id, AUDIO_FORMATS) if p not in destinations
    ]
    policy = ctx.options.existing_file_policy
    if not earlier or policy == "keep_both":
        if earlier:
            notes.append(f"kept the {len(earlier)} part(s) already in {earlier[0].parent}")
        return plan, notes
    if policy == "skip":
        return [], [f"the audiobook already has {len(earlier)} part(s) in {earlier[0].parent}"]
    _recycle(ctx, earlier, notes)
    return plan, notes


def _recycle(ctx: ImportContext, paths: list, notes: list[str]) -> None:
    for path in paths:
        journal.recycle(ctx.run_id, path, ctx.options.recycle_dir, ctx.options.library_dir)
        ctx.recycled.append(path)
        notes.append(f"recycled {path}")


def transfer_mode(ctx: ImportContext) -> str:
    """The import mode, except that files a torrent client still seeds are never moved: they
    are hardlinked (copied across filesystems) so the client keeps seeding the same data."""
    if ctx.options.keep_source and ctx.options.import_mode == "move":
        return "hardlink"
    return ctx.options.import_mode


class PlaceStep(BaseStep):
    name = "place"

    def run(self, ctx: ImportContext) -> dict:
        plan, notes = _apply_identity_policy(ctx, plan_files(ctx))
        mode = transfer_mode(ctx)
        ctx.placed = journal.place_files(
            ctx.run_id,
            plan,
            mode=mode,
            policy=ctx.options.existing_file_policy,
            recycle_dir=ctx.options.recycle_dir,
            library_dir=ctx.options.library_dir,
        )
        filed = [p for p in ctx.placed if p.outcome != "skipped_existing"]
        detail = {
            "files": [{"path": str(p.path), "outcome": p.outcome, "role": p.role} for p in ctx.placed],
            "notes": notes,
            "mode": mode,
        }
        if not filed:
            raise StopImport(
                "completed",
                "Nothing filed: the library already has this book "
                f"({'; '.join(notes) or 'existing file kept by the skip policy'})",
                details=detail,
            )
        ctx.book_dir = filed[0].path.parent
        return detail

    def cleanup(self, ctx: ImportContext) -> None:
        """A run that failed or was cancelled after placing files takes them back out."""
        if ctx.outcome_status in ("failed", "cancelled"):
            journal.undo_operations(ctx.run_id)
