"""Files and comic pages for the people allowed to see them (reading.visibility decides).
A file another reader may not see answers 404, as if it did not exist."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from reading import pages, readers
from reading.progress import as_dict as progress_as_dict
from reading.progress import progress_for
from reading.ranges import byte_range, partial_response
from reading.visibility import visible_file, visible_files, visible_item
from scanning.extractors.base import ExtractionError


def _file_or_404(request, file_id: int):
    library_file = visible_file(request.user, file_id)
    if library_file is None:
        raise Http404("No such file")
    return library_file


@require_GET
def download(request, file_id: int):
    library_file = _file_or_404(request, file_id)
    path = Path(library_file.path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise Http404(f"The file cannot be read: {exc.strerror}") from exc
    wanted = byte_range(request.headers.get("Range", ""), library_file.size)
    if wanted is not None:
        return partial_response(handle, *wanted, size=library_file.size, filename=path.name)
    response = FileResponse(handle, as_attachment=True, filename=path.name)
    response["Accept-Ranges"] = "bytes"
    return response


@require_GET
def comic_page(request, file_id: int, number: int):
    library_file = _file_or_404(request, file_id)
    try:
        page = pages.read_page(Path(library_file.path), number)
    except IndexError as exc:
        raise Http404("No such page") from exc
    except (ExtractionError, OSError) as exc:
        raise Http404(f"The comic cannot be read: {exc}") from exc
    response = HttpResponse(page.data, content_type=page.media_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --- the web readers and the audiobook player -----------------------------------------------
READER_TEMPLATES = {
    readers.EBOOK: "reading/ebook.html",
    readers.PDF: "reading/pdf.html",
    readers.COMIC: "reading/comic.html",
    readers.AUDIO: "reading/player.html",
}


@require_GET
def read_item(request, item_id: int):
    """The book's best file in its reader (EPUB > Kindle > PDF > comic > audio)."""
    item = visible_item(request.user, item_id)
    if item is None:
        raise Http404("No such book")
    files = list(visible_files(request.user).filter(item=item))
    chosen = readers.best_file(files)
    if chosen is None:
        raise Http404("This book has no file the web readers open")
    return _reader_page(request, item, chosen, files)


@require_GET
def read_file(request, file_id: int):
    library_file = _file_or_404(request, file_id)
    if readers.reader_for(library_file.format) is None:
        raise Http404(f"No web reader opens {library_file.format.upper()} files: download it instead")
    files = list(visible_files(request.user).filter(item=library_file.item))
    return _reader_page(request, library_file.item, library_file, files)


def _reader_page(request, item, chosen, files):
    kind = readers.reader_for(chosen.format)
    context = {
        "item": item,
        "file": chosen,
        "kind": kind,
        "progress": progress_as_dict(item, progress_for(request.user, item)),
        "other_files": [f for f in files if f.pk != chosen.pk and readers.reader_for(f.format)],
    }
    if kind == readers.COMIC:
        context.update(_comic_context(Path(chosen.path)))
    elif kind == readers.AUDIO:
        context["tracks"] = readers.as_json(readers.audio_tracks(files))
        context["frame_page"] = _frame_page(request, item)
    response = render(request, READER_TEMPLATES[kind], context)
    # Books bring their own styles, fonts and images (blob: URLs in sandboxed frames): see settings.
    response["Content-Security-Policy"] = settings.READER_CONTENT_SECURITY_POLICY
    return response


def _comic_context(path: Path) -> dict:
    try:
        count = len(pages.page_names(path))
    except (ExtractionError, OSError) as exc:
        raise Http404(f"The comic cannot be read: {exc}") from exc
    return {"page_count": count, "right_to_left": readers.comic_right_to_left(path)}


def _frame_page(request, item) -> str:
    """The app page shown above the player (kept across reloads as ?page=): a local path only."""
    wanted = request.GET.get("page", "")
    local = wanted.startswith("/") and not wanted.startswith(("//", "/\\"))
    if local and url_has_allowed_host_and_scheme(wanted, allowed_hosts=None):
        return wanted
    return reverse("book-detail", args=[item.pk])
