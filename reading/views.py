"""Files, comic pages, whole-book zips and conversions for the people allowed to see them
(reading.visibility decides). A file another reader may not see answers 404, as if it did not
exist; so does a file that cannot be read (missing, a FIFO or device, a symlink out of the
library), without saying more."""

from __future__ import annotations

import logging
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from core.errors import OmniError
from core.paths import legalize_component
from media import memory
from reading import bundles, conversions, pages, readers, serving
from reading.files import real_path
from reading.names import download_name, item_base_name, safe_file_name
from reading.progress import as_dict as progress_as_dict
from reading.progress import progress_for
from reading.visibility import visible_file, visible_files, visible_item
from scanning.extractors.base import ExtractionError

logger = logging.getLogger(__name__)


def _file_or_404(request, file_id: int):
    library_file = visible_file(request.user, file_id)
    if library_file is None:
        raise Http404("No such file")
    return library_file


def _unreadable(library_file, exc: Exception) -> Http404:
    logger.warning("File %s (%s) cannot be served: %s", library_file.pk, library_file.path, exc)
    return Http404("The file cannot be read")


@require_safe
def download(request, file_id: int):
    """The file as it is (Range, ETag, If-Modified-Since...). `?inline=1` for in-browser readers."""
    library_file = _file_or_404(request, file_id)
    try:
        return serving.serve_file(
            request,
            real_path(library_file),
            filename=download_name(library_file),
            salt=library_file.pk,
            inline=request.GET.get("inline") == "1",
        )
    except OSError as exc:
        raise _unreadable(library_file, exc) from exc


@require_safe
def comic_page(request, file_id: int, number: int):
    library_file = _file_or_404(request, file_id)
    try:
        path = real_path(library_file)
        index = pages.page_index(path)
        key = index.key
        validators = serving.Validators(
            f'"{key.size:x}-{key.mtime_ns:x}-{library_file.pk}-p{number}"', key.mtime_ns / 1e9
        )
        early = serving.not_modified(request, validators)
        if early is not None:
            return early
        page = pages.read_page(path, number, index)
    except IndexError as exc:
        raise Http404("No such page") from exc
    except (ExtractionError, OSError) as exc:
        raise _unreadable(library_file, exc) from exc
    response = HttpResponse(page.data, content_type=page.media_type)
    response["Cache-Control"] = "private, max-age=86400"
    return serving.with_validators(response, validators)


@require_safe
def item_zip(request, item_id: int):
    """Every file of a book the user may see, as one zip streamed as it is written."""
    item = visible_item(request.user, item_id)
    if item is None:
        raise Http404("No such book")
    files = sorted(visible_files(request.user).filter(item=item), key=lambda f: f.path)
    try:
        members = [(_member_name(f), real_path(f)) for f in files]
    except OSError as exc:
        raise Http404("A file of this book cannot be read") from exc
    base = item_base_name(item)
    folder = legalize_component(base, keep_extension=False) or "book"
    response = StreamingHttpResponse(
        bundles.stream_zip((f"{folder}/{name}", path) for name, path in members), content_type="application/zip"
    )
    response["Content-Disposition"] = serving.content_disposition(safe_file_name(base, "zip"))
    return response


def _member_name(library_file) -> str:
    return legalize_component(PurePosixPath(library_file.path).name) or download_name(library_file)


@require_http_methods(["GET", "HEAD", "POST"])
def convert(request, file_id: int, target: str):
    """POST starts the conversion (202 + the job; 200 when the book is already there); GET sends
    the converted book once it is ready, else 404 with the job's state (poll /api/jobs/{id})."""
    library_file = _file_or_404(request, file_id)
    target = target.lower()
    try:
        conversions.check_target(library_file, target)
        ready = conversions.converted_file(library_file, target)
        if request.method == "POST":
            if ready is not None:
                return JsonResponse({"ready": True, "url": request.path})
            job = conversions.request_conversion(request.user, library_file, target)
            return JsonResponse({"ready": False, **conversions.job_state(job)}, status=202)
    except OmniError as exc:
        return JsonResponse({"error": exc.message, "error_code": exc.code, "hint": exc.hint}, status=exc.status)
    if ready is None:
        state = conversions.job_state(conversions.latest_job(library_file, target))
        return JsonResponse({"ready": False, **state}, status=404)
    stem = PurePosixPath(download_name(library_file)).stem
    name = safe_file_name(stem, conversions.extension(target))
    try:
        return serving.serve_file(request, ready, filename=name, salt=f"{file_id}-{target}")
    except OSError as exc:  # evicted between the look-up and the open
        raise _unreadable(library_file, exc) from exc


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
    memory.note_opened(request.user, item.pk)
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
