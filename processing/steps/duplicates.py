"""Duplicates: a downloaded file whose content is already in the library as ANOTHER item's
file (whatever either file is called) goes through the existing-file policy before anything
is placed. Keep both files it as well, with a note naming the other item; skip and replace
stop the run for review, because the library has this book under another item: filing
nothing would leave the wanted item without its file, and replacing would take the file
away from the other item. The item's own earlier files are the place step's business."""

from __future__ import annotations

from processing.catalogue import LibraryCopy, identical_files
from processing.context import BaseStep, ImportContext, StopImport
from processing.steps.locate import LocatedFile
from scanning.services.hashing import file_hashes


def _owner(copy: LibraryCopy) -> str:
    if copy.item_id is None:
        return "a library file of no item"
    return f"the file of “{copy.item_title}” (item #{copy.item_id})"


def describe(located: LocatedFile, copy: LibraryCopy) -> str:
    return f"{located.path.name} is identical to {copy.path}, {_owner(copy)}"


def copies_elsewhere(ctx: ImportContext) -> list[tuple[LocatedFile, LibraryCopy]]:
    """(downloaded file, library copy of another item) pairs. Files made by the run itself
    (conversions, rewritten EPUBs) are new content and not looked up."""
    found = []
    for located, role in ctx.to_place:
        if role == "converted":
            continue
        hashes = file_hashes(str(located.path), located.size)
        found += [(located, copy) for copy in identical_files(hashes, located.size) if copy.item_id != ctx.item.id]
    return found


class DuplicatesStep(BaseStep):
    name = "duplicates"

    def run(self, ctx: ImportContext) -> dict:
        found = copies_elsewhere(ctx)
        described = [describe(located, copy) for located, copy in found]
        detail = {"identical": described, "policy": ctx.options.existing_file_policy}
        if found and ctx.options.existing_file_policy != "keep_both":
            raise StopImport(
                "needs_review",
                f"{'; '.join(described)}. Nothing was filed: the existing-file policy "
                f"({ctx.options.existing_file_policy}) neither files a second copy nor takes a file away "
                "from another item. If both items are the same book, remove one of them; to file a copy "
                "anyway, set the policy to keep both and re-run the import.",
                details=detail,
            )
        ctx.notes += [f"{text}: filed as well (existing-file policy: keep both)" for text in described]
        return detail
