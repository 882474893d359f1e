"""Path templates shared by renaming and post-download organisation.

`${author.sortname}/${bookseries.title}/${title}.${ext}`: `/` separates folders; tokens
are `${name}` or `${name:N}` (zero-pad numbers to N digits). Values are cleaned before
they are placed (a `/` in a title is not a folder); a token without a value drops its
folder, or the separators and brackets it would leave behind ("Author - - Title" never
happens); then each component is legalised (`core.paths`). Templates are validated
when saved: unknown tokens are reported with their position.

Pure: takes a frozen `NamingContext`, no ORM."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath

from core.errors import InvalidInput
from core.paths import MAX_PATH_BYTES, clean_value, legalize_component, split_extension

_EMPTY, _OPEN, _CLOSE = "\x00", "\x01", "\x02"  # markers used while rendering; values never hold them
_TOKEN = re.compile(r"\$\{([^{}]*)\}")
_TOKEN_NAME = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9_.]*)(?::(?P<pad>\d{1,2}))?$")
_SEP = r"[ \t\-\u2013\u2014_.,;#~+]"
_RUN_OF_EMPTIES = re.compile(rf"{_EMPTY}(?:{_SEP}*{_EMPTY})+")
_EMPTY_WITH_SEPS = re.compile(rf"(?P<pre>{_SEP}*){_EMPTY}(?P<post>{_SEP}*)")
_EMPTY_GROUP = re.compile(rf"[(\[{{][^()\[\]{{}}{_OPEN}]*{_EMPTY}[^()\[\]{{}}{_OPEN}]*[)\]}}]")
_ARTICLES = ("the ", "a ", "an ")


class TemplateError(InvalidInput):
    """A template that cannot be used; `position` is the 0-based offset of the problem."""

    code = "invalid_template"

    def __init__(self, message: str, *, position: int, template: str) -> None:
        super().__init__(
            f"{message} at position {position}",
            details={"position": position, "template": template},
            hint="See the list of tokens: ${title}, ${author.sortname}, ${bookseries.title}...",
        )
        self.position = position


@dataclass(frozen=True)
class NamingContext:
    """Everything a template may use about one file of one item."""

    title: str = ""
    authors: tuple[str, ...] = ()
    author_sort_names: tuple[str, ...] = ()
    narrators: tuple[str, ...] = ()
    series_title: str = ""
    series_index: Decimal | str | None = None
    year: int | None = None
    language: str = ""
    format: str = ""
    category: str = ""
    genre: str = ""
    publisher: str = ""
    isbn: str = ""
    issue: str = ""
    volume: str = ""
    ext: str = ""
    original_filename: str = ""
    kind: str = "ebook"


def _number(value: object, pad: int) -> str:
    """'1' -> '01', '2.50' -> '02.5', 'Annual 1' unchanged."""
    text = clean_value(value)
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return text
    if not number.is_finite():
        return text
    whole, _, fraction = f"{number.normalize():f}".partition(".")
    negative = whole.startswith("-")
    whole = whole.lstrip("-").zfill(pad)
    return ("-" if negative else "") + whole + (f".{fraction}" if fraction else "")


def _sortable(title: str) -> str:
    lowered = title.lower()
    for article in _ARTICLES:
        if lowered.startswith(article) and len(title) > len(article):
            return f"{title[len(article) :].strip()}, {title[: len(article)].strip()}"
    return title


def _join_names(names: tuple[str, ...]) -> str:
    names = tuple(n for n in names if n)
    if len(names) <= 2:
        return " & ".join(names)
    return ", ".join(names[:-1]) + " & " + names[-1]


def _sort_part(ctx: NamingContext, index: int) -> str:
    if not ctx.author_sort_names:
        return ""
    last, _, first = ctx.author_sort_names[0].partition(",")
    if not first:  # single or corporate name: it is the last name
        return last if index == 0 else ""
    return (last, first)[index].strip()


def _decade(ctx: NamingContext) -> str:
    return f"{ctx.year // 10 * 10}s" if ctx.year else ""


def _first(values: tuple[str, ...]) -> str:
    return values[0] if values else ""


Resolver = Callable[[NamingContext, int | None], str]
TOKENS: dict[str, tuple[Resolver, str]] = {
    "title": (lambda c, p: c.title, "Title"),
    "author": (lambda c, p: _first(c.authors), "First author, display form"),
    "author.fullname": (lambda c, p: _first(c.authors), "First author, display form"),
    "author.sortname": (lambda c, p: _first(c.author_sort_names), "First author, 'Last, First'"),
    "author.lastname": (lambda c, p: _sort_part(c, 0), "First author's last name"),
    "author.firstname": (lambda c, p: _sort_part(c, 1), "First author's first names"),
    "authors": (lambda c, p: _join_names(c.authors), "All authors, 'A, B & C'"),
    "bookseries.title": (lambda c, p: c.series_title, "Series title"),
    "bookseries.number": (
        lambda c, p: _number(c.series_index, 2 if p is None else p) if c.series_index is not None else "",
        "Series number, zero-padded, decimals kept (01, 02.5)",
    ),
    "bookseries.titlesortable": (lambda c, p: _sortable(c.series_title), "Series title, article last"),
    "publicationyear": (lambda c, p: str(c.year or ""), "Publication year"),
    "year": (lambda c, p: str(c.year or ""), "Publication year"),
    "decade": (lambda c, p: _decade(c), "Decade (1980s)"),
    "language": (lambda c, p: c.language, "Language code"),
    "format": (lambda c, p: c.format.upper(), "File format (EPUB)"),
    "category": (lambda c, p: c.category, "Category (media kind)"),
    "genre": (lambda c, p: c.genre, "Genre"),
    "publisher": (lambda c, p: c.publisher, "Publisher"),
    "isbn": (lambda c, p: c.isbn, "ISBN-13"),
    "narrator": (lambda c, p: _join_names(c.narrators), "Narrators (audiobooks)"),
    "issue": (
        lambda c, p: _number(c.issue, 3 if p is None else p) if c.issue else "",
        "Issue number (comics), 001",
    ),
    "volume": (lambda c, p: _number(c.volume, 0 if p is None else p) if c.volume else "", "Volume (comics)"),
    "ext": (lambda c, p: c.ext.lstrip(".").lower(), "File extension without the dot"),
    "originalfilename": (lambda c, p: c.original_filename, "Original file name without extension"),
}
TOKEN_NAMES = (
    "title",
    "author",
    "author.fullname",
    "author.sortname",
    "author.lastname",
    "author.firstname",
    "authors",
    "bookseries.title",
    "bookseries.number",
    "bookseries.titleSortable",
    "publicationyear",
    "year",
    "decade",
    "language",
    "format",
    "category",
    "genre",
    "publisher",
    "isbn",
    "narrator",
    "issue",
    "volume",
    "ext",
    "originalFilename",
)


@dataclass(frozen=True)
class Token:
    name: str
    pad: int | None
    position: int


@dataclass(frozen=True)
class Template:
    text: str
    segments: tuple[tuple[str | Token, ...], ...] = field(repr=False)

    @property
    def tokens(self) -> tuple[Token, ...]:
        return tuple(part for segment in self.segments for part in segment if isinstance(part, Token))


def _parse_segment(text: str, offset: int, template: str) -> tuple[str | Token, ...]:
    parts: list[str | Token] = []
    cursor = 0
    for match in _TOKEN.finditer(text):
        parts.append(text[cursor : match.start()])
        spec = _TOKEN_NAME.match(match.group(1).strip())
        name = spec.group("name").lower() if spec else ""
        if name not in TOKENS:
            raise TemplateError(
                f"Unknown token ${{{match.group(1)}}}", position=offset + match.start(), template=template
            )
        pad = int(spec.group("pad")) if spec and spec.group("pad") else None
        parts.append(Token(name, pad, offset + match.start()))
        cursor = match.end()
    rest = text[cursor:]
    if "${" in rest:
        raise TemplateError("Unclosed token", position=offset + cursor + rest.find("${"), template=template)
    parts.append(rest)
    return tuple(parts)


def parse_template(text: str) -> Template:
    """Parse and validate; raises `TemplateError` with the position of the first problem."""
    if not text or not text.strip():
        raise TemplateError("The template is empty", position=0, template=text or "")
    if text.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", text):
        raise TemplateError("A template is relative to the library folder", position=0, template=text)
    segments, offset = [], 0
    for raw in text.replace("\\", "/").split("/"):
        if raw.strip() in {"", ".", ".."}:
            raise TemplateError(f"Empty, '.' or '..' folder {raw!r}", position=offset, template=text)
        segments.append(_parse_segment(raw, offset, text))
        offset += len(raw) + 1
    if not any(isinstance(p, Token) and p.name != "ext" for p in segments[-1]):
        raise TemplateError(
            "The file name part needs a token besides ${ext}", position=text.rfind("/") + 1, template=text
        )
    return Template(text, tuple(segments))


def _render_segment(segment: tuple[str | Token, ...], ctx: NamingContext) -> str:
    out: list[str] = []
    for part in segment:
        if isinstance(part, Token):
            value = clean_value(TOKENS[part.name][0](ctx, part.pad))
            out.append(f"{_OPEN}{value}{_CLOSE}" if value else _EMPTY)
        else:
            out.append(part)
    text = _EMPTY_GROUP.sub(_EMPTY, "".join(out))  # "Title (${year})" without a year
    text = _RUN_OF_EMPTIES.sub(_EMPTY, text)

    def drop(match: re.Match[str]) -> str:
        at_edge = match.start() == 0 or match.end() == len(text)
        if at_edge:
            return ""
        pre, post = match.group("pre"), match.group("post")
        return post if post.strip() else pre if pre.strip() else (pre or post)

    text = _EMPTY_WITH_SEPS.sub(drop, text)
    return text.replace(_OPEN, "").replace(_CLOSE, "").replace(_EMPTY, "").strip()


def has_value(segment: tuple[str | Token, ...], ctx: NamingContext, *, ignore: tuple[str, ...] = ()) -> bool:
    """False when the segment has tokens and all of them (but `ignore`d ones) are empty."""
    tokens = [p for p in segment if isinstance(p, Token) and p.name not in ignore]
    return not tokens or any(clean_value(TOKENS[t.name][0](ctx, t.pad)) for t in tokens)


class MissingMetadata(InvalidInput):
    code = "missing_metadata"


def render(template: Template | str, ctx: NamingContext) -> PurePosixPath:
    """The relative path for one file. Folders whose tokens are all empty disappear; the
    file keeps its extension even if the template forgot `${ext}`. Raises
    `MissingMetadata` when no file name is left."""
    tpl = parse_template(template) if isinstance(template, str) else template
    components: list[str] = []
    last = len(tpl.segments) - 1
    for index, segment in enumerate(tpl.segments):
        if not has_value(segment, ctx, ignore=("ext",) if index == last else ()):
            if index == last:
                raise MissingMetadata(
                    "No file name: every token of the file name part is empty", details={"template": tpl.text}
                )
            continue
        rendered = _render_segment(segment, ctx)
        if index == last:
            rendered = _with_extension(rendered, ctx.ext)
        legal = legalize_component(rendered, keep_extension=index == last)
        if legal and index == last and not split_extension(legal)[0].strip("_"):
            legal = ""
        if not legal:
            if index == last:
                raise MissingMetadata("The file name is empty after cleaning", details={"template": tpl.text})
            continue
        components.append(legal)
    path = PurePosixPath(*components)
    if len(str(path).encode()) > MAX_PATH_BYTES:
        raise InvalidInput(f"Rendered path is longer than {MAX_PATH_BYTES} bytes")
    return path


def _with_extension(name: str, ext: str) -> str:
    ext = ext.lstrip(".").lower()
    if not ext or name.lower().endswith(f".{ext}"):
        return name
    return f"{name}.{ext}"


@dataclass(frozen=True)
class PredefinedTemplate:
    key: str
    name: str
    template: str
    kind: str = ""  # "" = any media kind


PREDEFINED: tuple[PredefinedTemplate, ...] = (
    PredefinedTemplate(
        "comprehensive", "Comprehensive", "${author.sortname}/${bookseries.title}/${title}.${ext}"
    ),
    PredefinedTemplate("author_title", "Author - Title", "${author}/${author} - ${title}.${ext}"),
    PredefinedTemplate("title_only", "Title only", "${title}.${ext}"),
    PredefinedTemplate(
        "series_focused",
        "Series-focused",
        "${bookseries.title}/${bookseries.number} - ${title} - ${author}.${ext}",
    ),
    PredefinedTemplate(
        "year_author", "Year - Author", "${year}/${author.sortname}/${title} (${year}).${ext}"
    ),
    PredefinedTemplate(
        "ebook",
        "Ebooks",
        "${author.sortname}/${bookseries.title}/${bookseries.number} - ${title} (${year}).${ext}",
        kind="ebook",
    ),
    PredefinedTemplate(
        "audiobook",
        "Audiobooks (one folder per book)",
        "${author.sortname}/${bookseries.title}/${bookseries.number} - ${title}/${originalFilename}.${ext}",
        kind="audiobook",
    ),
    PredefinedTemplate(
        "comic",
        "Comics (Series (Year)/Series #NNN)",
        "${bookseries.title} (${year})/${bookseries.title} #${issue}.${ext}",
        kind="comic",
    ),
)


def predefined(key: str) -> PredefinedTemplate:
    for entry in PREDEFINED:
        if entry.key == key:
            return entry
    raise InvalidInput(f"Unknown predefined template {key!r}")


SAMPLE_CONTEXT = NamingContext(
    title="The Left Hand of Darkness",
    authors=("Ursula K. Le Guin",),
    author_sort_names=("Le Guin, Ursula K.",),
    series_title="Hainish Cycle",
    series_index=Decimal("4"),
    year=1969,
    language="en",
    format="epub",
    category="Ebooks",
    genre="Science Fiction",
    publisher="Ace Books",
    isbn="9780441478125",
    ext="epub",
    original_filename="left_hand_of_darkness",
)


def check_template(text: str) -> Template:
    """Validate a template as it is saved: parsed (errors name the position) and rendered on
    a sample book, so a template that cannot name a file is refused before it is used."""
    template = parse_template(text)
    render(template, SAMPLE_CONTEXT)
    return template


def has_own_folder(template: Template | str, ctx: NamingContext) -> bool:
    """Whether the template gives each book a folder of its own: one that changes with the
    title (`Author/Title/Title.epub`), unlike `Author/Series/Title.epub`, where the books of a
    series (or an author's standalone books) share a folder. Decides whether a book's
    sidecars may be the generic `metadata.opf`/`cover.jpg` or must be named after it."""
    other = replace(ctx, title=f"{ctx.title or 'Untitled'} (another book)")
    return render(template, ctx).parent != render(template, other).parent
