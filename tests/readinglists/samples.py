"""Reading-list samples written from the services' public export columns (Goodreads "Export
Library", StoryGraph "Export StoryGraph Library"), plus hostile ones."""

from __future__ import annotations

import csv
import io

GOODREADS_HEADER = [
    "Book Id", "Title", "Author", "Author l-f", "Additional Authors", "ISBN", "ISBN13", "My Rating",
    "Average Rating", "Publisher", "Binding", "Number of Pages", "Year Published", "Original Publication Year",
    "Date Read", "Date Added", "Bookshelves", "Bookshelves with positions", "Exclusive Shelf", "My Review",
    "Spoiler", "Private Notes", "Read Count", "Owned Copies",
]
STORYGRAPH_HEADER = [
    "Title", "Authors", "Contributors", "ISBN/UID", "Format", "Read Status", "Date Added", "Last Date Read",
    "Dates Read", "Read Count", "Moods", "Pace", "Character- or Plot-Driven?", "Strong Character Development?",
    "Loveable Characters?", "Diverse Characters?", "Flawed Characters?", "Star Rating", "Review",
    "Content Warnings", "Content Warning Description", "Tags", "Owned?",
]
USE_OF_WEAPONS = ("Use of Weapons", "Iain M. Banks", "0316030570", "9780316030571")
OWNED = ("The Owned Book", "Ann Owner", "9780306406157")  # a valid ISBN-13 of a book already in the library
UNKNOWN = ("Zzyzx Quonk Almanac", "Nobody Knownauthor")


def _csv(header: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in header})
    return out.getvalue().encode("utf-8")


def _gr_isbn(value: str) -> str:
    return f'="{value}"'  # as Goodreads writes them


def goodreads(extra: list[dict] | None = None) -> bytes:
    def row(book_id, title, author, isbn10="", isbn13="", shelf="to-read", shelves="", year=""):
        return {"Book Id": book_id, "Title": title, "Author": author,
                "Author l-f": ", ".join(reversed(author.split(" ", 1))), "ISBN": _gr_isbn(isbn10),
                "ISBN13": _gr_isbn(isbn13), "My Rating": "0", "Average Rating": "4.10", "Binding": "Paperback",
                "Year Published": year, "Original Publication Year": year, "Date Added": "2025/04/18",
                "Bookshelves": shelves or shelf, "Bookshelves with positions": f"{shelf} (#1)",
                "Exclusive Shelf": shelf, "Read Count": "0", "Owned Copies": "0"}

    rows = [
        row("1001", *USE_OF_WEAPONS[:2], USE_OF_WEAPONS[2], USE_OF_WEAPONS[3], year="1990"),
        row("1002", *UNKNOWN),
        row("1003", "Dune", "Frank Herbert", "0441013597", "9780441013593", shelf="read", shelves="read, favorites"),
        row("1004", OWNED[0], OWNED[1], "", OWNED[2]),
        row("1005", "Project Hail Mary", "Andy Weir", shelf="currently-reading"),
    ]
    return _csv(GOODREADS_HEADER, rows + (extra or []))


def storygraph() -> bytes:
    def row(title, authors, uid="", status="to-read", fmt="paperback", tags=""):
        return {"Title": title, "Authors": authors, "ISBN/UID": uid, "Format": fmt, "Read Status": status,
                "Date Added": "2024/12/01", "Read Count": "0", "Tags": tags, "Owned?": "No"}

    return _csv(STORYGRAPH_HEADER, [
        row(USE_OF_WEAPONS[0], USE_OF_WEAPONS[1], USE_OF_WEAPONS[3]),
        row(UNKNOWN[0], UNKNOWN[1], "B08ZYQT962", fmt="digital"),
        row("Dune", "Frank Herbert", "9780441013593", status="read", tags="sci-fi, classic"),
        row("Nemesis Games", "James S. A. Corey", "9780316217590", status="did-not-finish"),
    ])


def plain() -> bytes:
    return (f"title,author,isbn\r\n{USE_OF_WEAPONS[0]},{USE_OF_WEAPONS[1]},{USE_OF_WEAPONS[2]}\r\n"
            f"{UNKNOWN[0]},{UNKNOWN[1]},\r\n"
            f"{OWNED[0]},{OWNED[1]},{OWNED[2]}\r\n").encode()
