"""Deterministic library corpus for the scan benchmark and the import-exactness test.

EPUB 2/3 with full OPF metadata and unique covers in nested Author/Title folders (and
flat `Author - Series NN - Title` names), MOBI made by calibre next to some EPUBs, PDF,
CBZ with ComicInfo.xml, corrupt and hostile files, OS junk, unicode (NFC and NFD) and
long names. `generate()` returns what a correct import must find for every valid file.

    python -m benchmarks.scan_corpus /tmp/corpus --epubs 5000
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.scanning import samples as s

FIRST = [
    "Anna",
    "Émile",
    "Zoë",
    "Søren",
    "Łukasz",
    "Mary",
    "John",
    "Chidi",
    "Yuki",
    "Ingrid",
    "Pedro",
    "Aoife",
    "Nadia",
    "Tomás",
    "Olga",
    "Rahul",
    "Ffion",
    "Björn",
    "Chloé",
    "Kwame",
]
LAST = [
    "Smith",
    "Lefèvre",
    "Nakamura",
    "Okafor",
    "García",
    "Müller",
    "Kowalski",
    "Ó Briain",
    "Nguyen",
    "Haddad",
    "Johansson",
    "Rossi",
    "Dubois",
    "Novak",
    "Petrov",
    "Jensen",
    "Silva",
    "Kim",
    "Byrne",
    "Mensah",
]
WORDS = [
    "Shadow",
    "River",
    "Glass",
    "Winter",
    "Crown",
    "Garden",
    "Silent",
    "Iron",
    "Star",
    "Harbour",
    "Ember",
    "Lantern",
    "Hollow",
    "Tide",
    "Orchard",
    "Raven",
    "Copper",
    "Meadow",
    "Storm",
    "Echo",
    "Ashes",
    "Mirror",
]
LANGUAGES = ["en", "fr", "de", "es", "it", "nl", "sv"]


@dataclass
class Expected:
    path: str
    kind: str
    title: str
    authors: list[str]
    series: str = ""
    series_index: float | None = None
    isbn13: str = ""
    language: str = ""


@dataclass
class Corpus:
    root: str
    valid: list[Expected] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)

    def save(self, path: Path) -> None:
        path.write_text(
            json.dumps(
                {"root": self.root, "valid": [asdict(e) for e in self.valid], "corrupt": self.corrupt},
                ensure_ascii=False,
                indent=1,
            )
        )


def isbn13(rng: random.Random) -> str:
    body = "978" + "".join(str(rng.randint(0, 9)) for _ in range(9))
    check = (10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body)) % 10) % 10
    return body + str(check)


def _safe(name: str, limit: int = 120) -> str:
    cleaned = "".join("_" if c in '/\\:*?"<>|' else c for c in name).strip(". ")
    encoded = cleaned.encode("utf-8")[:limit]
    return encoded.decode("utf-8", "ignore").strip()


def _book(rng: random.Random, n: int) -> s.Book:
    author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    title = f"The {rng.choice(WORDS)} of {rng.choice(WORDS)} {n}"
    if n % 97 == 0:  # a few very long titles (long file names)
        title = f"{title}: " + " ".join(rng.choice(WORDS) for _ in range(25))
    series = f"{rng.choice(WORDS)} {rng.choice(WORDS)} Saga" if rng.random() < 0.4 else ""
    return s.Book(
        title=title,
        authors=((author, f"{author.split(' ', 1)[1]}, {author.split(' ', 1)[0]}"),),
        language=rng.choice(LANGUAGES),
        isbn=isbn13(rng) if rng.random() < 0.8 else "",
        series=series,
        series_index=str(rng.randint(1, 12)) if series else "",
        publisher=f"{rng.choice(WORDS)} Press",
        uuid=f"00000000-0000-4000-8000-{n:012d}",
        description=f"<p>Book number {n}.</p>",
    )


def _book_path(root: Path, book: s.Book, n: int) -> Path:
    author = book.authors[0][0]
    if n % 3 == 0:  # flat: Author - Series NN - Title.epub
        series = f"{book.series} {book.series_index} - " if book.series else ""
        return root / "flat" / f"{_safe(f'{author} - {series}{book.title}', 200)}.epub"
    folder_author = unicodedata.normalize("NFD", author) if n % 5 == 0 else author  # NFD names exist on macOS
    return root / _safe(folder_author) / _safe(book.title) / f"{_safe(book.title)}.epub"


def _expect(path: Path, book: s.Book, kind: str = "ebook") -> Expected:
    return Expected(
        str(path),
        kind,
        book.title,
        [book.authors[0][0]],
        book.series,
        float(book.series_index) if book.series else None,
        book.isbn,
        book.language,
    )


def _epubs(corpus: Corpus, root: Path, rng: random.Random, count: int) -> list[tuple[Path, s.Book]]:
    made = []
    for n in range(count):
        book = _book(rng, n)
        path = _book_path(root, book, n)
        cover = s.noise_jpeg(n)
        s.make_epub(
            path,
            book,
            version=2 + n % 2,
            cover=cover,
            cover_style=("properties", "meta", "guide")[n % 3],
            chapter_text=f"Chapter text of book {n}. " * 40,
        )
        corpus.valid.append(_expect(path, book))
        made.append((path, book))
    return made


def _others(
    corpus: Corpus, root: Path, rng: random.Random, made, *, mobis: int, pdfs: int, cbzs: int
) -> None:
    for path, book in made[1 : mobis * 7 : 7][:mobis]:
        mobi = s.convert(path, path.with_suffix(".mobi"))
        corpus.valid.append(_expect(mobi, book))
    for n in range(pdfs):
        author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        title = f"Report on {rng.choice(WORDS)} {n}"
        path = s.make_pdf(
            root / "pdf" / _safe(author) / f"{_safe(title)}.pdf",
            title=title,
            author=author,
            xmp_language="en",
        )
        corpus.valid.append(Expected(str(path), "ebook", title, [author], language="en"))
    for n in range(cbzs):
        series = f"{rng.choice(WORDS)} Comics"
        path = s.make_cbz(
            root / "comics" / series / f"{series} #{n + 1:03d}.cbz",
            s.comicinfo(series, str(n + 1), writer=f"{rng.choice(FIRST)} {rng.choice(LAST)}"),
        )
        corpus.valid.append(
            Expected(str(path), "comic", f"{series} #{n + 1}", [], series, float(n + 1), language="en")
        )


def _corrupt(corpus: Corpus, root: Path, made, *, count: int, hostile: bool) -> None:
    bad = root / "broken"
    for n, (path, _book) in enumerate(made[:count]):
        target = s.make_truncated(path, bad / f"truncated {n}.epub", keep=0.3 + 0.1 * (n % 5))
        corpus.corrupt.append(str(target))
    if count:
        (bad / "random.pdf").write_bytes(bytes(range(256)) * 8)
        corpus.corrupt.append(str(bad / "random.pdf"))
    if hostile:
        corpus.corrupt.append(str(s.make_zip_bomb(bad / "bomb.epub", inflated=300 * 1024 * 1024)))
        corpus.corrupt.append(str(s.make_epub_with_opf(bad / "laughs.epub", s.BILLION_LAUGHS)))
    for junk in (".DS_Store", "Thumbs.db", "desktop.ini", "._Ghost.epub"):
        (root / junk).write_bytes(b"\0\x05\x16\x07junk")


def generate(
    root: Path,
    *,
    epubs: int = 200,
    mobis: int = 1,
    pdfs: int = 3,
    cbzs: int = 3,
    corrupt: int = 3,
    hostile: bool = True,
    seed: int = 42,
) -> Corpus:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    rng = random.Random(seed)
    corpus = Corpus(str(root))
    made = _epubs(corpus, root, rng, epubs)
    _others(corpus, root, rng, made, mobis=mobis, pdfs=pdfs, cbzs=cbzs)
    _corrupt(corpus, root, made, count=corrupt, hostile=hostile)
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--epubs", type=int, default=200)
    parser.add_argument("--mobis", type=int, default=1)
    parser.add_argument("--pdfs", type=int, default=3)
    parser.add_argument("--cbzs", type=int, default=3)
    parser.add_argument("--corrupt", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    corpus = generate(
        args.root,
        epubs=args.epubs,
        mobis=args.mobis,
        pdfs=args.pdfs,
        cbzs=args.cbzs,
        corrupt=args.corrupt,
        seed=args.seed,
    )
    corpus.save(args.root.with_suffix(".expected.json"))
    summary = {"valid": len(corpus.valid), "corrupt": len(corpus.corrupt)}
    args.root.with_suffix(".summary.json").write_text(json.dumps(summary))
    print(f"{len(corpus.valid)} valid and {len(corpus.corrupt)} corrupt files in {args.root}")


if __name__ == "__main__":
    main()
