"""JSON API of reading lists (`/api/reading-lists/`, admin): upload a Goodreads, StoryGraph or
plain CSV (multipart or a JSON body), see the detected format and shelves, run the import as a
job, read the report, and settle the rows left for review."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from core.api.envelope import Envelope, Page, PageParams, ok, paginate
from core.api.types import Id
from core.errors import InvalidInput
from media.models import MediaKind
from readinglists import formats, services
from readinglists.models import ImportRow, ListImport, RowOutcome

router = Router(tags=["reading lists"])
JSON_BODY_CHARS = 2_000_000  # a larger list goes through the multipart upload (5 MB)


class ListTextIn(Schema):
    content: str = Field(..., min_length=1, max_length=JSON_BODY_CHARS,
                         description="the CSV text: a Goodreads or StoryGraph export, or title,author,isbn")
    filename: str = Field("", max_length=255)


class ListCountsOut(Schema):
    added: int
    matched: int
    review: int
    skipped: int
    done: int
    total: int


class ListImportOut(Schema):
    id: int
    filename: str
    format: str
    format_label: str
    state: str = Field(description="ready (preview), queued, running, done, failed")
    kind: str
    rows: int
    shelves: dict[str, int] = Field(description="shelf or read status -> rows on it ('' = no shelf)")
    wanted_shelves: list[str]
    warnings: list[str]
    job_id: int | None
    counts: ListCountsOut
    error: str
    created_at: datetime
    finished_at: datetime | None


class ListShelfOut(Schema):
    name: str
    rows: int
    wanted: bool


class ListSampleRowOut(Schema):
    number: int
    title: str
    authors: list[str]
    isbn13: str
    shelves: list[str]
    action: str = Field(description="want, not chosen, or skip (problem says why)")
    problem: str


class ListPreviewOut(Schema):
    format: str
    format_label: str
    rows: int
    shelves: list[ListShelfOut]
    sample: list[ListSampleRowOut]
    warnings: list[str]


class ListImportDetailOut(Schema):
    list_import: ListImportOut
    preview: ListPreviewOut


Shelf = Annotated[str, Field(max_length=100)]


class ListRunIn(Schema):
    wanted_shelves: list[Shelf] | None = Field(
        None, max_length=200, description="shelves whose rows become wanted (left out: the ones chosen before)")
    kind: MediaKind | None = Field(None, description="what the books are wanted as (left out: ebook)")


class ListReportRowOut(Schema):
    number: int
    title: str
    authors: str
    isbn13: str
    shelves: str
    outcome: str
    reason: str
    item_id: int | None


class ListReportFilter(PageParams):
    outcome: RowOutcome | None = None


class ListCandidateOut(Schema):
    provider: str
    external_id: str
    title: str
    authors: list[str]
    year: int | None
    isbn13: str
    distance: float
    why: list[str]


class ListEntryOut(Schema):
    id: int
    source: str
    kind: str
    title: str
    authors: list[str]
    isbn13: str
    outcome: str
    reason: str
    item_id: int | None
    candidates: list[ListCandidateOut]
    updated_at: datetime


class ListResolveIn(Schema):
    action: Literal["accept", "add", "dismiss"] = Field(
        ..., description="accept a candidate, add the book as the list wrote it, or dismiss the row")
    candidate: int | None = Field(None, ge=0, le=50, description="accept: the candidate's index")


def _detail(list_import: ListImport) -> dict:
    return {"list_import": services.public_import(list_import), "preview": services.preview(list_import)}


@router.get("/", response=Envelope[list[ListImportOut]], summary="Reading-list imports, newest first (admin)")
def list_imports(request):
    return ok([services.public_import(i) for i in ListImport.objects.defer("content")[:100]])


@router.post("/", response={201: Envelope[ListImportDetailOut]},
             summary="Upload a reading list as text: detected format, shelves and a preview (admin)")
def create_from_text(request, payload: ListTextIn):
    data = payload.content.encode("utf-8")
    return Status(201, ok(_detail(services.create_import(data, filename=payload.filename, user=request.auth))))


@router.post("/upload", response={201: Envelope[ListImportDetailOut]},
             summary="Upload a reading-list CSV file (multipart field 'file', at most 5 MB; admin)")
def create_from_upload(request, file: File[UploadedFile]):
    if file.size and file.size > formats.MAX_BYTES:
        raise InvalidInput(f"The file is larger than {formats.MAX_BYTES // (1024 * 1024)} MB",
                           hint="Split the list into several files.")
    data = file.read(formats.MAX_BYTES + 1)
    return Status(201, ok(_detail(services.create_import(data, filename=file.name or "", user=request.auth))))


@router.get("/review", response=Envelope[Page[ListEntryOut]], summary="List rows left for review (admin)")
def list_review(request, params: Query[PageParams]):
    page = paginate(services.review_entries(), params)
    return ok({**page, "items": [services.public_entry(e) for e in page["items"]]})


@router.post("/review/{int:entry_id}", response=Envelope[ListEntryOut],
             summary="Settle a list row left for review: accept a candidate, add as written, dismiss (admin)")
def resolve(request, entry_id: Id, payload: ListResolveIn):
    entry = services.resolve_entry(entry_id, action=payload.action, candidate=payload.candidate, user=request.auth)
    return ok(services.public_entry(entry))


@router.get("/{int:import_id}", response=Envelope[ListImportDetailOut], summary="One import: state, counts, preview")
def get_import(request, import_id: Id):
    return ok(_detail(services.get_import(import_id)))


@router.post("/{int:import_id}/run", response={202: Envelope[ListImportOut]},
             summary="Run the import in the background with the chosen shelves and kind (admin)")
def run(request, import_id: Id, payload: ListRunIn):
    list_import = services.start_import(import_id, wanted_shelves=payload.wanted_shelves,
                                        kind=payload.kind, user=request.auth)
    return Status(202, ok(services.public_import(list_import)))


@router.get("/{int:import_id}/rows", response=Envelope[Page[ListReportRowOut]],
            summary="The report: each row's outcome with its reason")
def report(request, import_id: Id, filters: Query[ListReportFilter]):
    services.get_import(import_id)
    rows = ImportRow.objects.filter(list_import_id=import_id).order_by("number")
    if filters.outcome:
        rows = rows.filter(outcome=filters.outcome)
    page = paginate(rows, filters, count=True)
    return ok({**page, "items": [_report_row(r) for r in page["items"]]})


def _report_row(row: ImportRow) -> dict:
    return {"number": row.number, "title": row.title, "authors": row.authors, "isbn13": row.isbn13,
            "shelves": row.shelves, "outcome": row.outcome, "reason": row.reason, "item_id": row.item_id}
