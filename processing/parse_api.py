"""JSON API `GET /api/parse/`: what each name parser makes of a name, as the `manage.py parse_*`
commands print it. `kind` picks the parser: a release title (the default), an ebook, comic or
audiobook file name, or an author line.

It lives in processing because it needs both indexers (release titles) and scanning (file
names), and processing is the one app above both (see tests/core/test_layering.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from core.api.envelope import Envelope, ok
from core.authors import parse_author
from indexers.api import ParsedOut
from indexers.releases import parse_release
from scanning.extractors.filename import as_json, parse_path

router = Router(tags=["indexers"])

ParseKind = Literal["release", "ebook", "comic", "audiobook", "author"]


class ParseIn(Schema):
    title: str = Field(..., min_length=1, max_length=1000, description="The name to parse")
    kind: ParseKind = Field("release", description="release title, ebook/comic/audiobook file name, or author line")


class ParsedPathOut(Schema):
    """A file name's fields; the parsers add what else they found (issue_count, narrators...)."""

    model_config = ConfigDict(extra="allow")

    title: str
    authors: list[str]
    series: str | None
    series_index: float | None
    volume: str | None
    issue: str | None
    year: int | None


class ParsedPersonOut(Schema):
    display: str
    sort: str
    role: str


class ParsedAuthorOut(Schema):
    display: str
    sort: str
    authors: list[ParsedPersonOut]


ParseResult = Annotated[ParsedOut | ParsedPathOut | ParsedAuthorOut, Field(union_mode="left_to_right")]


@router.get("/", response=Envelope[ParseResult], summary="Parse a release title, file name or author line")
def parse(request, params: Query[ParseIn]):
    if params.kind == "release":
        return ok(parse_release(params.title).as_dict())
    if params.kind == "author":
        return ok(parse_author(params.title))
    return ok(as_json(parse_path(params.title, params.kind)))
