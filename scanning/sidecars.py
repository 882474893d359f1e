"""Which book a sidecar belongs to. A sidecar named after a book (`Artemis.opf`,
`Artemis.jpg`, `Artemis cover.jpg`) is that book's. A generic one (`metadata.opf`, an image
named as covers are: `cover.jpg`, `folder.jpg`, `front.png`, `poster.png`, `v01_cover.jpg`;
and the only image of a folder) is the folder's book's only when the folder holds one book: files sharing a stem
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
from scanning.walker import Directory, FileEntry, directory_at

OPF = "metadata.opf"
COVER_WORDS = ("cover", "folder", "front", "poster")  # `cover.jpg`... in this order of preference
COVER_SEPARATORS = ("", " ", "_", "-", ".")  # `<book stem>.jpg`, `<book stem> cover.jpg`, `v01_cover.jpg`
NAMED_COVERS = ("jpg", "jpeg", "png", "webp")  # image extensions; `<book stem>.opf` for the metadata
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


def image(name: str) -> bool:
    return name[name.rfind(".") + 1 :].lower() in NAMED_COVERS if "." in name else False


def cover_owner(name: str) -> str | None:
    """For an image named as covers are, whose it says it is: '' for the folder's (`cover.jpg`,
    `folder.jpg`, `front.png`, `poster.png`), `<stem>` for `<stem> cover.jpg` / `v01_cover.jpg`;
    None for any other name."""
    if not image(name):
        return None
    base = stem(name).lower()
    if base in COVER_WORDS:
        return ""
    if base.endswith("cover") and len(base) > 5 and base[-6] in " _-.":
        return base[:-6].rstrip(" _-.")
    return None


def is_generic(name: str) -> bool:
    """A sidecar that names no book: `metadata.opf` or an image named as covers are."""
    return name == OPF or cover_owner(name) is not None


def _generic_names(directory: Directory) -> list[str]:
    """The folder's generic sidecars, leaving out a `<stem> cover.jpg` of one of its books."""
    stems = {stem(f.name).lower() for f in directory.files}
    return sorted(name for name in directory.sidecars if is_generic(name) and cover_owner(name) not in stems)


def settle(directory: Directory) -> tuple[Directory, Shared | None]:
    """The folder with only the sidecars that can be trusted, and the generic ones set aside
    (None when there are none to set aside)."""
    if len(directory.files) < 2:  # most book folders: one file, one book
        return directory, None
    generic = _generic_names(directory)
    books = books_in(directory.files) if generic else 0
    if books <= 1 or calibre_db.is_book_folder(directory.path):
        return directory, None
    kept = {name: path for name, path in directory.sidecars.items() if name not in generic}
    return directory._replace(sidecars=kept), Shared(directory.path, tuple(generic), books)


def folder_as_scanned(folder: str) -> Directory:
    """One folder's book files and the sidecars a scan would give its books (the cover job
    and renames look beside a file)."""
    return settle(directory_at(folder, BOOK_EXTENSIONS))[0]


def own_sidecar(sidecars: dict[str, str], book_name: str, extensions: tuple[str, ...]) -> str | None:
    """The path of the first sidecar named after the book (`<stem>.<ext>`), if any."""
    base = stem(book_name).lower()  # the walker keeps sidecar names in lower case
    return next((sidecars[f"{base}.{ext}"] for ext in extensions if f"{base}.{ext}" in sidecars), None)


def cover_paths(directory: Directory, book_name: str) -> list[str]:
    """The images that may be the cover of the book file `book_name`, best first: its own
    (`<stem>.jpg`, `<stem> cover.jpg`), the folder's by name (`cover.jpg`, `folder.jpg`, `front.jpg`,
    `poster.png`, `v01_cover.jpg`), else the only image of a one-book folder. Another book's own
    image is never this one's. `directory` is as `settle` left it."""
    sidecars = directory.sidecars
    base = stem(book_name).lower()
    own = [
        sidecars[name]
        for ext in NAMED_COVERS
        for sep in COVER_SEPARATORS
        if (name := f"{base}{sep}cover.{ext}" if sep else f"{base}.{ext}") in sidecars
    ]
    stems = {stem(f.name).lower() for f in directory.files}
    named = sorted(
        (name for name in sidecars if cover_owner(name) not in (None, *stems)),
        key=lambda name: (_word_rank(name), name),
    )
    found = own + [sidecars[name] for name in named]
    if not found:
        images = [path for name, path in sidecars.items() if image(name) and stem(name) not in stems]
        found = images if len(images) == 1 and books_in(directory.files) <= 1 else []
    return found


def _word_rank(name: str) -> int:
    base = stem(name)
    return COVER_WORDS.index(base) if base in COVER_WORDS else len(COVER_WORDS)
