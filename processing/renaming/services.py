"""What the API, pages, jobs and commands call: selections, previews (inline for small
ones, a background job for big ones), execution and undo requests, saved templates and
a live sample rendering."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from core.db import chunks
from core.errors import Conflict, InvalidInput, NotFound
from core.jobs import submit_job
from core.naming import PREDEFINED, SAMPLE_CONTEXT, NamingContext, check_template, parse_template, predefined, render
from media.models import Contribution, FileState, LibraryFile, MediaItem, MediaKind
from processing.renaming.journal import _noop, finish_planning, known_paths, store_plan
from processing.renaming.models import (
    BatchState,
    ConflictPolicy,
    NamingTemplate,
    RenameBatch,
    RenameOperation,
)
from processing.renaming.planner import Planner, context_for
from processing.renaming.roots import Libraries

INLINE_PREVIEW_LIMIT = 200
MAX_SELECTION = 50_000
PLAN_CHUNK = 200  # items planned between two progress reports (the cancel check): about 0.4 s


@dataclass(frozen=True)
class Selection:
    item_ids: tuple[int, ...] = ()
    kind: str = ""
    series_id: int | None = None
    author_id: int | None = None
    everything: bool = False

    @classmethod
    def parse(cls, data: dict) -> Selection:
        ids = tuple(int(i) for i in data.get("item_ids") or ())
        kind = data.get("kind") or ""
        if kind and kind not in MediaKind.values:
            raise InvalidInput(f"Unknown media kind {kind!r}")
        selection = cls(ids, kind, data.get("series_id"), data.get("author_id"), bool(data.get("everything")))
        if not (ids or kind or selection.series_id or selection.author_id or selection.everything):
            raise InvalidInput("Choose what to rename: items, a kind, a series, an author or everything")
        return selection

    def as_dict(self) -> dict:
        return {
            "item_ids": list(self.item_ids),
            "kind": self.kind,
            "series_id": self.series_id,
            "author_id": self.author_id,
            "everything": self.everything,
        }


def selection_items(selection: Selection) -> QuerySet[MediaItem]:
    items = (
        MediaItem.objects.select_related("series")
        .prefetch_related(
            Prefetch("contributions", queryset=Contribution.objects.select_related("author")),
            Prefetch("files", queryset=LibraryFile.objects.filter(state=FileState.PRESENT).order_by("path")),
        )
        .order_by("pk")
    )
    if selection.item_ids:
        items = items.filter(pk__in=selection.item_ids)
    if selection.kind:
        items = items.filter(kind=selection.kind)
    if selection.series_id:
        items = items.filter(series_id=selection.series_id)
    if selection.author_id:
        items = items.filter(contributions__author_id=selection.author_id).distinct()
    return items


def resolve_template(
    *, template: str = "", template_id: int | None = None, predefined_key: str = ""
) -> tuple[str, str]:
    """(template text, name) from exactly one of: text, a saved template, a predefined key."""
    if template_id:
        saved = NamingTemplate.objects.filter(pk=template_id).first()
        if saved is None:
            raise NotFound(f"Template #{template_id} does not exist")
        return saved.template, saved.name
    if predefined_key:
        entry = predefined(predefined_key)
        return entry.template, entry.name
    if not template:
        raise InvalidInput("Give a template, a saved template id or a predefined template")
    parse_template(template)
    return template, ""


def create_preview(
    *,
    template: str,
    template_name: str = "",
    selection: Selection,
    policy: str,
    root: Path | None = None,
    allow_other_root: bool = False,
    user=None,
) -> RenameBatch:
    """A batch in PLANNING; planned inline when small, else by a background job. Files stay
    in their scan folder (see roots.py); those under none go to `root` (OMNI_LIBRARY_DIR)."""
    if policy not in ConflictPolicy.values:
        raise InvalidInput(f"Unknown conflict policy {policy!r}", hint="skip, suffix or overwrite")
    parse_template(template)
    count = selection_items(selection).count()
    if count > MAX_SELECTION:
        raise InvalidInput(f"{count} items selected; at most {MAX_SELECTION} per batch")
    batch = RenameBatch.objects.create(
        template=template,
        template_name=template_name,
        policy=policy,
        selection={**selection.as_dict(), "allow_other_root": allow_other_root},
        root=str(root or settings.LIBRARY_DIR),
        created_by=user if getattr(user, "pk", None) else None,
    )
    if count <= INLINE_PREVIEW_LIMIT:
        plan_batch(batch.pk)
    else:
        job = submit_job(
            "processing.rename_plan",
            target=f"renamebatch:{batch.pk}",
            params={"batch_id": batch.pk},
            user=user,
        )
        RenameBatch.objects.filter(pk=batch.pk).update(job_id=job.pk)
    batch.refresh_from_db()
    return batch


def plan_batch(batch_id: int, *, progress=_noop) -> dict:
    """Compute the preview of a batch (replacing an older one)."""
    batch = RenameBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.state not in (BatchState.PLANNING, BatchState.PLANNED):
        raise Conflict(f"Batch #{batch_id} cannot be (re)planned now")
    RenameOperation.objects.filter(batch=batch).delete()
    root = Path(batch.root)
    root.mkdir(parents=True, exist_ok=True)
    libraries = Libraries.load(default_root=root.resolve(), default_template=parse_template(batch.template))
    planner = Planner(
        root=root.resolve(),
        template=libraries.default_template,
        policy=batch.policy,
        known_paths=known_paths,
        placement=libraries.placement,
        library_roots=libraries.roots(),
    )
    allowed = bool(batch.selection.get("allow_other_root"))

    def plan(chunk: list[MediaItem], seq: int) -> int:
        return store_plan(batch, libraries.mark(planner.plan_items(chunk), allowed=allowed), start_seq=seq)

    items = selection_items(Selection.parse(batch.selection))
    total, done, seq = items.count(), 0, 0
    for chunk in chunks(items, PLAN_CHUNK):  # each chunk read in full before its plan is written
        seq = plan(chunk, seq)
        done += len(chunk)
        progress(done, total, f"Planned {done} of {total} items")
    progress(total, total, f"Planned {total} items")
    _remember_libraries(batch, libraries)
    return finish_planning(batch)


def _remember_libraries(batch: RenameBatch, libraries: Libraries) -> None:
    """The libraries the plan touches (shown in the preview) and the folders empty
    directories are pruned up to (never a scan folder or target root itself)."""
    summary = libraries.summary()
    roots = sorted({entry[key] for entry in summary for key in ("path", "target")})
    batch.selection = {**batch.selection, "libraries": summary, "prune_within": roots}
    RenameBatch.objects.filter(pk=batch.pk).update(selection=batch.selection)


def request_execute(batch_id: int, *, confirm_overwrite: bool = False, user=None):
    batch = RenameBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(f"Rename batch #{batch_id} does not exist")
    if batch.state not in (BatchState.PLANNED, BatchState.INTERRUPTED, BatchState.FAILED):
        raise Conflict(f"Batch #{batch.pk} is {batch.state}; only a ready preview can be executed")
    needs_confirmation = RenameOperation.objects.filter(batch=batch, state="planned", overwrite=True).exists()
    if needs_confirmation and not confirm_overwrite:
        raise InvalidInput(
            "This batch overwrites files: confirm it explicitly (confirm_overwrite)",
            hint="Overwritten files are moved to the recycle folder, never deleted.",
        )
    RenameBatch.objects.filter(pk=batch.pk).update(overwrite_confirmed=confirm_overwrite)
    return _submit("processing.rename_execute", batch, {"batch_id": batch.pk}, user)


def request_revert(batch_id: int, *, item_id: int | None = None, user=None):
    batch = RenameBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(f"Rename batch #{batch_id} does not exist")
    if batch.state in (BatchState.RUNNING, BatchState.REVERTING, BatchState.PLANNING):
        raise Conflict(f"Batch #{batch.pk} is {batch.state}; wait until it stops")
    if not RenameOperation.objects.filter(batch=batch, state="done").exists():
        raise Conflict(f"Batch #{batch.pk} has no moved files to revert")
    return _submit("processing.rename_revert", batch, {"batch_id": batch.pk, "item_id": item_id}, user)


def _submit(kind: str, batch: RenameBatch, params: dict, user):
    job = submit_job(kind, target=f"renamebatch:{batch.pk}", params=params, user=user)
    RenameBatch.objects.filter(pk=batch.pk).update(job_id=job.pk)
    return job


# --- templates ---------------------------------------------------------------------------------------------


def save_template(
    *, name: str, template: str, kind: str = "", template_id: int | None = None
) -> NamingTemplate:
    if not name.strip():
        raise InvalidInput("A template needs a name")
    if kind and kind not in MediaKind.values:
        raise InvalidInput(f"Unknown media kind {kind!r}")
    check_template(template)  # raises with the position of the problem
    if NamingTemplate.objects.filter(name=name.strip()).exclude(pk=template_id).exists():
        raise Conflict(f"A template named {name!r} exists")
    saved = NamingTemplate.objects.filter(pk=template_id).first() if template_id else NamingTemplate()
    if saved is None:
        raise NotFound(f"Template #{template_id} does not exist")
    saved.name, saved.template, saved.kind = name.strip(), template, kind
    saved.save()
    return saved


def sample_render(template: str, *, item_id: int | None = None) -> dict:
    """Live preview: the template rendered on one real item's first file (or a sample)."""
    parse_template(template)
    ctx: NamingContext = SAMPLE_CONTEXT
    source = "sample"
    if item_id:
        item = selection_items(Selection(item_ids=(item_id,))).first()
        if item is None:
            raise NotFound(f"Item #{item_id} does not exist")
        file = next(iter(item.files.all()), None)
        ctx = context_for(item, file.path if file else f"{item.title}.epub", file.format if file else "epub")
        source = file.path if file else item.title
    return {"template": template, "source": source, "path": str(render(template, ctx))}


def template_choices() -> list[dict]:
    builtin = [
        {"id": None, "key": p.key, "name": p.name, "template": p.template, "kind": p.kind, "builtin": True}
        for p in PREDEFINED
    ]
    saved = [
        {"id": t.pk, "key": "", "name": t.name, "template": t.template, "kind": t.kind, "builtin": False}
        for t in NamingTemplate.objects.all()
    ]
    return builtin + saved
