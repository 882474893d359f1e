"""What an ebook's or an audiobook's path says, from the layouts people use:

- ebooks: `Author - Title`, `Author - Series 03 - Title`, `Title - Author`, `Last, First - Title`,
  `Author: Title`, `Series - Volume 01`, `Title (Series, #3)`, `[Series 03] Title`, `Author/Title.epub`,
  `Author/Title (Year)/Title.epub`, `Author/Series/03 - Title.epub`, calibre's
  `Author/Title (id)/Title - Author.epub`, and a book file directly in the scanned folder;
- audiobooks (Audiobookshelf's documented structure and its variants): the book is a folder
  (`Author/Series/Vol 1 - 2020 - Title {Narrator}/`, `Author/Title/`, `Author - Title (Narrator)/`),
  whose disc folders (`CD1`, `Disc 2`, `Title - CD3`) belong to it, whose files are tracks
  (`01 - Chapter 1.mp3`); a single file in the scanned folder is a book of its own.

Folders that say nothing about a book (`Books`, `Audiobooks`, `/home`...) are passed over, so an
absolute path reads like one relative to its library. One name is taken apart by
`scanning.extractors.name_parts`; this module gives its parts their roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath

from core.text import comparison_key
from scanning.extractors.base import ExtractedMetadata, Person, build
from scanning.extractors.name_parts import Name, are_people, clean, is_person, read_name, split_people

CONFIDENCE = 0.3
_DISC = re.compile(
    r"^(?:(?:cd|disc|disk|part|teil)[\s._-]*\d+\b.*|.*\b(?:cd|disc|disk)[\s._-]*\d+(?:\s*(?:of|/)\s*\d+)?)$", re.I
)
_YEAR_SUFFIX = re.compile(r"\s*[\(\[]((?:1[5-9]|20)\d\d)[\)\]]\s*$")
_ID_SUFFIX = re.compile(r"\s*\((\d{1,7})\)\s*$")  # calibre's book id folder suffix
_DOUBLE_EXTENSION = re.compile(r"\.kepub$", re.I)
GENERIC_FOLDERS = frozenset(  # folders that name no author, series or book
    word.strip()
    for word in """books, book, ebooks, ebook, e-books, library, libraries, calibre, calibre library, my books,
    audiobooks, audiobook, audio books, audio, media, downloads, download, complete, completed, incoming,
    import, imports, unsorted, misc, home, mnt, srv, data, volume1, volume2, share, shares, nas, storage,
    users, documents, files, reading, kindle""".split(",")  # noqa: SIM905 (words read best as words)
)


@dataclass(frozen=True)
class Folders:
    """The folders above a book that may say something: the nearest last."""

    names: tuple[str, ...]

    @property
    def parent(self) -> str:
        return self.names[-1] if self.names else ""

    @property
    def grandparent(self) -> str:
        return self.names[-2] if len(self.names) > 1 else ""


def folders_of(names: list[str]) -> Folders:
    """The folders after the last generic one (`Books`, `/srv/media`), cleaned, at most 3."""
    for i in range(len(names) - 1, -1, -1):
        if names[i].lower() in GENERIC_FOLDERS:
            names = names[i + 1 :]
            break
    return Folders(tuple(filter(None, map(clean, names[-3:]))))


def _parts(path: str) -> tuple[list[str], str]:
    """(folders, file stem) of a '/'-separated path (cheaper than a PurePath 100k times)."""
    *folders, file = [x for x in path.split("/") if x and x != "."] or [""]
    stem = file[: file.rfind(".")] if "." in file[1:] else file
    return folders, _DOUBLE_EXTENSION.sub("", stem)


_key = lru_cache(maxsize=4096)(comparison_key)  # folder names repeat: one author folder, many books


def _same(a: str, b: str) -> bool:
    return bool(a and b) and _key(a) == _key(b)


def _meta(name: Name, title: str, authors: list[str], narrators: list[str]) -> ExtractedMetadata:
    people = tuple(Person(a) for a in authors if a) + tuple(Person(n, "narrator") for n in narrators if n)
    return build(
        "filename",
        CONFIDENCE,
        title=title,
        people=people,
        series=name.series,
        series_index=name.index,
        year=name.year,
        isbn13=name.isbn,
    )


def _roles(name: Name, folder_author: str) -> tuple[str, list[str]]:
    """(title, authors) from the name's text parts and the author its folders suggest."""
    texts = name.texts
    if not texts:
        return name.series_title or name.whole, split_people(folder_author) if folder_author else []
    if len(texts) == 1:
        head, colon, rest = texts[0].partition(": ")
        if colon and not folder_author and is_person(head):
            return rest, split_people(head)  # 'Author: Title'
        return texts[0], split_people(folder_author or name.person_note)
    first, second = texts[0], texts[1]
    if len(texts) == 2:
        if _same(second, folder_author) or (
            not folder_author and not _same(first, name.person_note) and not are_people(first) and is_person(second)
        ):
            return first, split_people(second)  # 'Title - Author'
        if folder_author and not _same(first, folder_author) and not are_people(first):
            return " - ".join(texts), split_people(folder_author)  # 'Title - Subtitle' in an author's folder
        return second, split_people(first)
    if not name.series and name.index is None:
        name.series = second  # 'Author - Series - Title'
        return " - ".join(texts[2:]), split_people(first)
    return " - ".join(texts[1:]), split_people(first)


def parse_ebook(path: str) -> ExtractedMetadata:
    folders, stem = _parts(path)
    return _with_folders(read_name(stem), folders_of(folders))


def _with_folders(name: Name, folders: Folders) -> ExtractedMetadata:
    """The name's roles given the folders above it: `Author/`, `Author/Title (Year)/`, calibre's
    `Author/Title (id)/`, `Author/Series/`, `Series/`."""
    parent = folders.parent
    parent_year = _YEAR_SUFFIX.search(parent)
    if parent_year:
        parent = parent[: parent_year.start()]
        name.year = name.year or int(parent_year.group(1))
    else:
        parent = _ID_SUFFIX.sub("", parent)
    grand = folders.grandparent
    if grand and (_same(parent, name.whole) or any(_same(parent, t) for t in name.texts)):
        author = grand  # Author/Title/Title.epub; calibre's Author/Title (id)/Title - Author.epub
    elif grand and name.index is not None and not name.series:
        name.series, author = parent, grand  # Author/Series/03 - Title.epub
    elif _same(parent, name.series):
        author = grand  # Series/Series - Volume 01.epub
    else:
        author = parent  # Author/Title.epub
    title, authors = _roles(name, author)
    return _meta(name, title, authors, name.narrators)


def audiobook_folder(path: str) -> PurePath:
    """The folder that is the book: the file's folder, or its parent for CD1/Disc 2/Part 3."""
    folder = PurePath(path).parent
    while _DISC.match(folder.name) and folder.parent != folder:
        folder = folder.parent
    return folder


def parse_audiobook(path: str) -> ExtractedMetadata:
    """The book is its folder (Audiobookshelf's rule): `Author/Series/Book/`, `Author/Book/`,
    `Book/`; a file with no folder above it that says anything is a book of its own."""
    names, stem = _parts(path)
    while names and _DISC.match(names[-1]):  # as audiobook_folder
        names.pop()
    folders = folders_of(names)
    if not folders.names:
        return _audio_meta(read_name(stem, audio=True), folders)
    return _audio_meta(read_name(folders.names[-1], audio=True), Folders(folders.names[:-1]))


def _audio_meta(name: Name, above: Folders) -> ExtractedMetadata:
    """Audiobookshelf's `{Author}/{Series}/{Book}` or `{Author}/{Book}`; a name that says its own
    author (`Author - Title`) is believed before its folders. A lone `(Name)` is the narrator."""
    narrators = [*name.narrators, *split_people(name.person_note)]
    name.person_note = ""
    author = above.grandparent if len(above.names) >= 2 else above.parent
    if len(above.names) >= 2:
        series = above.parent
        if name.series_before_index and not _same(name.series, series):
            name.texts, name.series = [name.series], ""  # 'Series/Title - Vol 12'
        name.series = name.series or series
    title, authors = _roles(name, author)
    return _meta(name, title, authors, [n for n in narrators if not any(_same(n, a) for a in authors)])
