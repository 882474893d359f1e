"""Which book a sidecar belongs to. A sidecar named after a book (`Artemis.opf`,
`Artemis.jpg`) is that book's. A generic one (`metadata.opf`, `cover.jpg`, `folder.jpg`)
is the folder's book's only when the folder holds one book: files sharing a stem
(`Dune.epub` + `Dune.pdf`) are one book, so are the audio tracks of a folder (with the
ebook of that audiobook beside them, as Audiobookshelf keeps it), and calibre's
`Author/Title (id)/` folders hold one book each. In a folder of several books the generic
sidecars are set aside (and reported by the scan): guessing would give every book the
metadata of one. Comics are left out: a folder image of a comics folder is the series'.

Pure: file names in, names out (the scan decides per folder as it walks it)."""

from __future__ import annotations

from typing import NamedTuple

from scanning.extractors import calibre_db
from scanning.extractors.registry import supported_extensions
from scanning.walker import SIDECAR_NAMES, Directory, FileEntry, directory_at

OPF = "metadata.opf"
COVERS = ("cover.jpg", "cover.jpeg", "cover.png", "folder.jpg")
GENERIC = SIDECAR_NAMES
NAMED_COVERS = ("jpg", "jpeg", "png")  # `<book stem>.jpg`; `<book stem>.opf` for the metadata
COMIC_EXTENSIONS = frozenset({"cbz", "cbr", "cb7", "zip", "rar"})  # a zip/rar the scan reads is a comic
AUDIO_EXTENSIONS = frozenset({"m4b", "m4a", "mp3", "flac", "ogg", "opus"})
BOOK_EXTENSIONS = frozenset(ext.lstrip(".") for ext in supported_extensions())  # as the walker takes them


class Shared(NamedTuple):
    """Generic sidecars of a folder of several books: set aside, and why."""

    folder: str
    sidecars: tuple[str, ...]
    books: int

    def reason(self) -> str:
        names = ", ".join(self.sidecars)
        return (
            f"{self.books} books share {names}: ignored, as they cannot say which book they describe. "
            "Name them after their book (Title.opf, Title.jpg) or give each book its own folder."
        )


def stem(name: str) -> str:
    return name[: name.rfind(".")] if "." in name else name


def books_in(files: tuple[FileEntry, ...]) -> int:
    """How many books the (non-comic) files of one folder are."""
    stems = {stem(f.name).lower() for f in files if f.ext not in AUDIO_EXTENSIONS and f.ext not in COMIC_EXTENSIONS}
    audio = [f for f in files if f.ext in AUDIO_EXTENSIONS]
    if len(audio) == 1:  # 'Dune.m4b' beside 'Dune.epub' is the same book
        stems.add(stem(audio[0].name).lower())
    elif audio:  # an audiobook's tracks are one book, with at most its own ebook beside them
        return 1 if len(stems) <= 1 else len(stems) + 1
    return len(stems)


def settle(directory: Directory) -> tuple[Directory, Shared | None]:
    """The folder with only the sidecars that can be trusted, and the generic ones set aside
    (None when there are none to set aside)."""
    if len(directory.files) < 2:  # most book folders: one file, one book
        return directory, None
    generic = sorted(name for name in directory.sidecars if name in GENERIC)
    books = books_in(directory.files) if generic else 0
    if books <= 1 or calibre_db.is_book_folder(directory.path):
        return directory, None
    kept = {name: path for name, path in directory.sidecars.items() if name not in GENERIC}
    return directory._replace(sidecars=kept), Shared(directory.path, tuple(generic), books)


def folder_as_scanned(folder: str) -> Directory:
    """One folder's book files and the sidecars a scan would give its books (the cover job
    and renames look beside a file)."""
    return settle(directory_at(folder, BOOK_EXTENSIONS))[0]


def own_sidecar(sidecars: dict[str, str], book_name: str, extensions: tuple[str, ...]) -> str | None:
    """The path of the first sidecar named after the book (`<stem>.<ext>`), if any."""
    base = stem(book_name).lower()  # the walker keeps sidecar names in lower case
    return next((sidecars[f"{base}.{ext}"] for ext in extensions if f"{base}.{ext}" in sidecars), None)
