"""Files and comic pages for the people allowed to see them (reading.visibility decides).
A file another reader may not see answers 404, as if it did not exist."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.http import require_GET

from reading import pages
from reading.visibility import visible_file
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
    return FileResponse(handle, as_attachment=True, filename=path.name)


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
