"""JSON API of the renamer: /api/rename/... preview, execute, revert, history, templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from core.api.envelope import Envelope, Page, PageParams, ok, paginate
from core.api.jobs import JobOut
from core.api.types import GIVEN_ID, GIVEN_TEXT, Flag, Id, OneOfSchema
from core.naming import PREDEFINED, TOKEN_NAMES, TOKENS
from core.visibility import without_hidden
from media.models import MediaKind
from processing.renaming import roots, services
from processing.renaming.models import NamingTemplate, RenameBatch, RenameOperation

router = Router(tags=["rename"])
PREDEFINED_KEYS = [entry.key for entry in PREDEFINED]
KindOrAll = Literal[("", *MediaKind.values)]  # a media kind, or blank for every kind


class SelectionIn(OneOfSchema):
    """What to rename: items, a kind, a series, an author, or everything (at least one)."""

    ONE_OF: ClassVar[dict[str, dict]] = {"item_ids": {"type": "array", "minItems": 1},
                                         "kind": {"enum": list(MediaKind.values)}, "series_id": GIVEN_ID,
                                         "author_id": GIVEN_ID, "everything": {"const": True}}

    item_ids: list[Id] = Field(default_factory=list, max_length=50_000)
    kind: KindOrAll = ""
    series_id: Id | None = None
    author_id: Id | None = None
    everything: Flag = False


class PreviewIn(OneOfSchema):
    """The template: its text, a saved template's id or a predefined template's key (one of them)."""

    ONE_OF: ClassVar[dict[str, dict]] = {"template": GIVEN_TEXT, "template_id": GIVEN_ID,
                                         "predefined": {"enum": PREDEFINED_KEYS}}

    template: str = Field("", max_length=1000)
    template_id: Id | None = None
    predefined: Literal[("", *PREDEFINED_KEYS)] = ""
    selection: SelectionIn
    policy: Literal["skip", "suffix", "overwrite"] = "skip"
    allow_other_root: Flag = Field(
        False, description="Plan moves out of a scan folder (to its target root); else they are marked and skipped"
    )


class LibraryOut(Schema):
    path: str
    name: str
    target: str
    template: str
    files: int
    leaving: int


class BatchOut(Schema):
    id: int
    origin: str
    template: str
    template_name: str
    policy: str
    state: str
    totals: dict[str, Any]
    message: str
    job_id: int | None
    created_at: datetime
    finished_at: datetime | None
    allow_other_root: bool = False
    libraries: list[LibraryOut] = []
    leaving: int = 0

    @staticmethod
    def resolve_allow_other_root(obj) -> bool:
        return bool((obj.selection or {}).get("allow_other_root"))

    @staticmethod
    def resolve_libraries(obj) -> list[dict]:
        return (obj.selection or {}).get("libraries", [])

    @staticmethod
    def resolve_leaving(obj) -> int:
        return roots.leaving_count((obj.selection or {}).get("libraries", []))


class RenameOperationOut(Schema):
    id: int
    seq: int
    item_id: int | None
    role: str
    source: str
    destination: str
    state: str
    conflict: str
    overwrite: bool
    message: str
    leaves_library: str = ""
    to_root: str = ""

    @staticmethod
    def resolve_leaves_library(obj) -> str:
        entry = roots.leaving_library(obj.source, (obj.batch.selection or {}).get("libraries", []))
        return entry["path"] if entry else ""

    @staticmethod
    def resolve_to_root(obj) -> str:
        entry = roots.leaving_library(obj.source, (obj.batch.selection or {}).get("libraries", []))
        return entry["target"] if entry else ""


class OperationFilter(PageParams):
    only: Literal["all", "conflicts", "moves", "failed", "leaving"] = "all"
    item_id: Id | None = None


class ExecuteIn(Schema):
    batch_id: Id
    confirm_overwrite: Flag = False


class RevertIn(Schema):
    batch_id: Id
    item_id: Id | None = None


class TemplateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    template: str = Field(..., min_length=1, max_length=1000)
    kind: KindOrAll = Field("", description="The kind of item it is for; blank = every kind")


class TemplateOut(Schema):
    id: int | None
    key: str
    name: str
    template: str
    kind: str
    builtin: bool


class CheckIn(Schema):
    template: str = Field(..., min_length=1, max_length=1000)
    item_id: Id | None = None


class CheckOut(Schema):
    template: str
    source: str
    path: str


class TokenOut(Schema):
    token: str
    description: str


@router.get("/tokens", response=Envelope[list[TokenOut]], summary="Template tokens")
def tokens(request):
    return ok([{"token": f"${{{name}}}", "description": TOKENS[name.lower()][1]} for name in TOKEN_NAMES])


@router.post("/preview", response={202: Envelope[BatchOut]}, summary="Plan a rename batch (admin)")
def preview(request, payload: PreviewIn):
    template, name = services.resolve_template(
        template=payload.template, template_id=payload.template_id, predefined_key=payload.predefined
    )
    batch = services.create_preview(
        template=template,
        template_name=name,
        policy=payload.policy,
        selection=services.Selection.parse(payload.selection.dict()),
        allow_other_root=payload.allow_other_root,
        user=request.auth,
    )
    return Status(202, ok(batch))


@router.get(
    "/preview/{int:batch_id}",
    response=Envelope[Page[RenameOperationOut]],
    summary="One page of a batch's planned moves (before -> after, conflicts)",
)
def preview_page(request, batch_id: Id, filters: Query[OperationFilter]):
    batch = get_object_or_404(RenameBatch, pk=batch_id)
    ops = RenameOperation.objects.filter(batch=batch).select_related("batch").order_by("seq")
    ops = without_hidden(ops, request.auth, "item_id")  # no path of a hidden library's book
    if filters.only == "leaving":
        ops = ops.filter(roots.leaving_filter((batch.selection or {}).get("libraries", [])))
    elif filters.only == "conflicts":
        ops = ops.exclude(conflict="")
    elif filters.only == "moves":
        ops = ops.filter(state__in=("planned", "done", "moving"))
    elif filters.only == "failed":
        ops = ops.filter(state="failed")
    if filters.item_id:
        ops = ops.filter(item_id=filters.item_id)
    return ok(paginate(ops, filters, count=True))


@router.post("/execute", response={202: Envelope[JobOut]}, summary="Execute a planned batch (admin)")
def execute(request, payload: ExecuteIn):
    return Status(
        202,
        ok(services.request_execute(payload.batch_id, confirm_overwrite=payload.confirm_overwrite, user=request.auth)),
    )


@router.post("/revert", response={202: Envelope[JobOut]}, summary="Undo a batch or one item of it (admin)")
def revert(request, payload: RevertIn):
    return Status(202, ok(services.request_revert(payload.batch_id, item_id=payload.item_id, user=request.auth)))


@router.get("/batches", response=Envelope[Page[BatchOut]], summary="Rename history, newest first")
def batches(request, params: Query[PageParams]):
    return ok(batch_page(params))


def batch_page(params: PageParams) -> dict:
    """A page of rename batches: the API's list and the history page's first screen."""
    return paginate(RenameBatch.objects.all(), params)


@router.get("/batches/{int:batch_id}", response=Envelope[BatchOut], summary="One batch")
def batch(request, batch_id: Id):
    return ok(get_object_or_404(RenameBatch, pk=batch_id))


@router.get("/templates", response=Envelope[list[TemplateOut]], summary="Predefined and saved templates")
def templates(request):
    return ok(services.template_choices())


@router.post("/templates", response={201: Envelope[TemplateOut]}, summary="Save a template (admin)")
def create_template(request, payload: TemplateIn):
    saved = services.save_template(name=payload.name, template=payload.template, kind=payload.kind)
    return Status(201, ok(_template_out(saved)))


@router.put("/templates/{int:template_id}", response=Envelope[TemplateOut], summary="Change a template (admin)")
def update_template(request, template_id: Id, payload: TemplateIn):
    saved = services.save_template(
        name=payload.name, template=payload.template, kind=payload.kind, template_id=template_id
    )
    return ok(_template_out(saved))


@router.delete("/templates/{int:template_id}", response=Envelope[None], summary="Delete a template (admin)")
def delete_template(request, template_id: Id):
    get_object_or_404(NamingTemplate, pk=template_id).delete()
    return ok(None)


@router.post(
    "/templates/check",
    response=Envelope[CheckOut],
    summary="Validate a template and render it on a sample item (live preview)",
)
def check_template(request, payload: CheckIn):
    return ok(services.sample_render(payload.template, item_id=payload.item_id))


def _template_out(saved: NamingTemplate) -> dict:
    return {
        "id": saved.pk,
        "key": "",
        "name": saved.name,
        "template": saved.template,
        "kind": saved.kind,
        "builtin": False,
    }
