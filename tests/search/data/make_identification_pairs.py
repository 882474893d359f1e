"""Builds identification_pairs.json, the labelled evaluation set of identification (issue 15).

Run: python tests/search/data/make_identification_pairs.py   (rewrites the JSON beside it)

Every case is one item's facts as its files would give them, the records a provider would return
for it (the right one, if any, among confusers) and the label: the external id of the right
record, or null when none is right (the item must then go to review).

The knowledge is public bibliography: titles, authors, series and their order, first-publication
years, original titles and languages, omnibus editions, comic volumes and issues, audiobook
narrators. Durations of audiobooks are rounded (to the minute or so). ISBNs: the ones written out
below are the editions' own as published; where a second edition of a work is needed and its
number is not listed, a stand-in with a valid check digit in the unassigned 979-9 range is used
(the matcher only compares ISBNs for equality). The noise is what files really carry: authors
as "Last, First" or initials, lower case, stripped accents, a missing "The", a series tag in the
title, no ISBN, no year, a subtitle on one side only.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zlib
from pathlib import Path

OUT = Path(__file__).with_name("identification_pairs.json")
CASES: list[dict] = []

# --- helpers -----------------------------------------------------------------------------------------


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:48] or "x"


def stand_in_isbn(key: str) -> str:
    body = "9799" + f"{zlib.crc32(key.encode()) % 10**8:08d}"
    check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body)) % 10) % 10
    return body + str(check)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def author_variant(name: str, variant: int) -> str:
    """How files write an author: as is, 'Last, First', initials, or without accents."""
    parts = name.split()
    if len(parts) < 2:
        return name
    if variant == 1:
        return f"{parts[-1]}, {' '.join(parts[:-1])}"
    if variant == 2 and len(parts[0]) > 2 and not parts[0].endswith("."):
        return " ".join([parts[0][0] + ".", *parts[1:]])
    if variant == 3:
        return strip_accents(name)
    return name


def title_variant(title: str, variant: int) -> str:
    if variant == 1:
        return title.lower()
    if variant == 3:
        return re.sub(r"^(The|A|An) ", "", strip_accents(title))
    return title


def record(provider: str, key: str, title: str, authors: list[str], **extra) -> dict:
    data = {"provider": provider, "external_id": f"{provider}:{slug(key)}", "title": title, "authors": authors}
    data.update({k: v for k, v in extra.items() if v not in (None, "", [], ())})
    return data


def add(category: str, case_id: str, item: dict, candidates: list[dict], label: dict | None, note: str = ""):
    ids = [c["external_id"] for c in candidates]
    assert len(ids) == len(set(ids)), case_id
    assert label is None or label["external_id"] in ids, case_id
    CASES.append({"id": f"{category}/{case_id}", "category": category, "note": note,
                  "item": {k: v for k, v in item.items() if v not in (None, "", [], ())},
                  "candidates": candidates, "label": label["external_id"] if label else None})


# --- 1. series: sequels, prequels, numbering (0, 0.5, 10 vs 1) -------------------------------------------
# (series, authors, [(title, first published, position)])
SERIES = [
    ("Dune", ["Frank Herbert"], [("Dune", 1965, 1), ("Dune Messiah", 1969, 2), ("Children of Dune", 1976, 3),
                                 ("God Emperor of Dune", 1981, 4), ("Heretics of Dune", 1984, 5),
                                 ("Chapterhouse: Dune", 1985, 6)]),
    ("Harry Potter", ["J. K. Rowling"], [
        ("Harry Potter and the Philosopher's Stone", 1997, 1), ("Harry Potter and the Chamber of Secrets", 1998, 2),
        ("Harry Potter and the Prisoner of Azkaban", 1999, 3), ("Harry Potter and the Goblet of Fire", 2000, 4),
        ("Harry Potter and the Order of the Phoenix", 2003, 5), ("Harry Potter and the Half-Blood Prince", 2005, 6),
        ("Harry Potter and the Deathly Hallows", 2007, 7)]),
    ("Foundation", ["Isaac Asimov"], [("Foundation", 1951, 1), ("Foundation and Empire", 1952, 2),
                                      ("Second Foundation", 1953, 3), ("Foundation's Edge", 1982, 4),
                                      ("Foundation and Earth", 1986, 5), ("Prelude to Foundation", 1988, 6),
                                      ("Forward the Foundation", 1993, 7)]),
    ("Discworld", ["Terry Pratchett"], [("The Colour of Magic", 1983, 1), ("The Light Fantastic", 1986, 2),
                                        ("Equal Rites", 1987, 3), ("Mort", 1987, 4), ("Sourcery", 1988, 5),
                                        ("Wyrd Sisters", 1988, 6), ("Pyramids", 1989, 7),
                                        ("Guards! Guards!", 1989, 8), ("Eric", 1990, 9),
                                        ("Moving Pictures", 1990, 10), ("Reaper Man", 1991, 11),
                                        ("Witches Abroad", 1991, 12), ("Small Gods", 1992, 13)]),
    ("The Wheel of Time", ["Robert Jordan"], [("New Spring", 2004, 0), ("The Eye of the World", 1990, 1),
                                              ("The Great Hunt", 1990, 2), ("The Dragon Reborn", 1991, 3),
                                              ("The Shadow Rising", 1992, 4), ("The Fires of Heaven", 1993, 5),
                                              ("Lord of Chaos", 1994, 6), ("A Crown of Swords", 1996, 7),
                                              ("The Path of Daggers", 1998, 8), ("Winter's Heart", 2000, 9),
                                              ("Crossroads of Twilight", 2003, 10), ("Knife of Dreams", 2005, 11)]),
    ("The Hunger Games", ["Suzanne Collins"], [("The Ballad of Songbirds and Snakes", 2020, 0),
                                               ("The Hunger Games", 2008, 1), ("Catching Fire", 2009, 2),
                                               ("Mockingjay", 2010, 3)]),
    ("The Expanse", ["James S. A. Corey"], [("Leviathan Wakes", 2011, 1),
                                            ("The Butcher of Anderson Station", 2011, 1.5),
                                            ("Caliban's War", 2012, 2), ("Gods of Risk", 2012, 2.5),
                                            ("Abaddon's Gate", 2013, 3), ("The Churn", 2014, 3.5),
                                            ("Cibola Burn", 2014, 4), ("Nemesis Games", 2015, 5),
                                            ("Babylon's Ashes", 2016, 6), ("Persepolis Rising", 2017, 7),
                                            ("Tiamat's Wrath", 2019, 8), ("Leviathan Falls", 2021, 9)]),
    ("Mistborn", ["Brandon Sanderson"], [("Mistborn: The Final Empire", 2006, 1),
                                         ("The Well of Ascension", 2007, 2), ("The Hero of Ages", 2008, 3),
                                         ("Mistborn: Secret History", 2016, 3.5), ("The Alloy of Law", 2011, 4),
                                         ("Shadows of Self", 2015, 5), ("The Bands of Mourning", 2016, 6),
                                         ("The Lost Metal", 2022, 7)]),
    ("The Stormlight Archive", ["Brandon Sanderson"], [("The Way of Kings", 2010, 1), ("Words of Radiance", 2014, 2),
                                                       ("Edgedancer", 2016, 2.5), ("Oathbringer", 2017, 3),
                                                       ("Dawnshard", 2020, 3.5), ("Rhythm of War", 2020, 4),
                                                       ("Wind and Truth", 2024, 5)]),
    ("Hyperion Cantos", ["Dan Simmons"], [("Hyperion", 1989, 1), ("The Fall of Hyperion", 1990, 2),
                                          ("Endymion", 1996, 3), ("The Rise of Endymion", 1997, 4)]),
    ("Earthsea", ["Ursula K. Le Guin"], [("A Wizard of Earthsea", 1968, 1), ("The Tombs of Atuan", 1970, 2),
                                         ("The Farthest Shore", 1972, 3), ("Tehanu", 1990, 4),
                                         ("Tales from Earthsea", 2001, 5), ("The Other Wind", 2001, 6)]),
    ("The Lord of the Rings", ["J. R. R. Tolkien"], [("The Hobbit", 1937, 0), ("The Fellowship of the Ring", 1954, 1),
                                                     ("The Two Towers", 1954, 2), ("The Return of the King", 1955, 3)]),
    ("The Hitchhiker's Guide to the Galaxy", ["Douglas Adams"], [
        ("The Hitchhiker's Guide to the Galaxy", 1979, 1), ("The Restaurant at the End of the Universe", 1980, 2),
        ("Life, the Universe and Everything", 1982, 3), ("So Long, and Thanks for All the Fish", 1984, 4),
        ("Mostly Harmless", 1992, 5)]),
    ("Ender's Saga", ["Orson Scott Card"], [("Ender's Game", 1985, 1), ("Speaker for the Dead", 1986, 2),
                                            ("Xenocide", 1991, 3), ("Children of the Mind", 1996, 4)]),
    ("Millennium", ["Stieg Larsson"], [("The Girl with the Dragon Tattoo", 2005, 1),
                                       ("The Girl Who Played with Fire", 2006, 2),
                                       ("The Girl Who Kicked the Hornets' Nest", 2007, 3)]),
    ("The Dark Tower", ["Stephen King"], [("The Gunslinger", 1982, 1), ("The Drawing of the Three", 1987, 2),
                                          ("The Waste Lands", 1991, 3), ("Wizard and Glass", 1997, 4),
                                          ("Wolves of the Calla", 2003, 5), ("Song of Susannah", 2004, 6),
                                          ("The Dark Tower", 2004, 7)]),
    ("Red Rising", ["Pierce Brown"], [("Red Rising", 2014, 1), ("Golden Son", 2015, 2), ("Morning Star", 2016, 3),
                                      ("Iron Gold", 2018, 4), ("Dark Age", 2019, 5), ("Light Bringer", 2023, 6)]),
    ("The Witcher", ["Andrzej Sapkowski"], [("The Last Wish", 1993, 1), ("Sword of Destiny", 1992, 2),
                                            ("Blood of Elves", 1994, 3), ("Time of Contempt", 1995, 4),
                                            ("Baptism of Fire", 1996, 5), ("The Tower of the Swallow", 1997, 6),
                                            ("The Lady of the Lake", 1999, 7), ("Season of Storms", 2013, 8)]),
]
# Companions by other hands that share the first book's words
COMPANIONS = [
    (("Dune", ["Frank Herbert"], 1965), ("Dune: House Atreides", ["Brian Herbert", "Kevin J. Anderson"], 1999)),
    (("Dune", ["Frank Herbert"], 1965), ("Hunters of Dune", ["Brian Herbert", "Kevin J. Anderson"], 2006)),
    (("Foundation", ["Isaac Asimov"], 1951), ("Foundation's Fear", ["Gregory Benford"], 1997)),
    (("Ender's Game", ["Orson Scott Card"], 1985), ("Ender's Shadow", ["Orson Scott Card"], 1999)),
    (("The Girl with the Dragon Tattoo", ["Stieg Larsson"], 2005),
     ("The Girl in the Spider's Web", ["David Lagercrantz"], 2015)),
    (("The Hitchhiker's Guide to the Galaxy", ["Douglas Adams"], 1979),
     ("And Another Thing...", ["Eoin Colfer"], 2009)),
    (("Harry Potter and the Deathly Hallows", ["J. K. Rowling"], 2007),
     ("Harry Potter and the Cursed Child", ["J. K. Rowling", "John Tiffany", "Jack Thorne"], 2016)),
    (("Star Wars: Heir to the Empire", ["Timothy Zahn"], 1991), ("Star Wars: Thrawn", ["Timothy Zahn"], 2017)),
    (("Persepolis", ["Marjane Satrapi"], 2000), ("Persepolis Rising", ["James S. A. Corey"], 2017)),
    (("Sapiens: A Brief History of Humankind", ["Yuval Noah Harari"], 2011),
     ("Sapiens: A Graphic History", ["Yuval Noah Harari", "David Vandermeulen", "Daniel Casanave"], 2020)),
]


def series_record(series: str, authors: list[str], book: tuple, provider: str, *, reissue: bool = False) -> dict:
    title, year, position = book
    extra = {"series": series, "series_index": float(position)} if provider == "hardcover" else {}
    return record(provider, f"{series}-{title}", title, authors, year=year + 31 if reissue else year,
                  language="en", **extra)


def series_item(series: str, authors: list[str], book: tuple, variant: int) -> dict:
    title, year, position = book
    item = {"title": title_variant(title, variant), "authors": [author_variant(a, variant) for a in authors],
            "language": "en"}
    if variant == 0:
        item.update(series=series, series_index=float(position))
    elif variant == 2:
        item["title"] = f"{title} ({series}, #{position:g})"
    else:
        item["year"] = year
    return item


PROVIDER_BY_VARIANT = {0: "hardcover", 1: "openlibrary", 2: "hardcover", 3: "googlebooks"}


def build_series() -> None:
    for series, authors, books in SERIES:
        for k, book in enumerate(books):
            variant = k % 4
            provider = PROVIDER_BY_VARIANT[variant]
            reissue = provider == "googlebooks" and k % 8 == 3  # a later edition's year: no agreement
            truth = series_record(series, authors, book, provider, reissue=reissue)
            near = {0, max(k - 1, 0), min(k + 1, len(books) - 1)} - {k}
            confusers = [series_record(series, authors, books[j], provider) for j in sorted(near)]
            item = series_item(series, authors, book, variant)
            key = slug(f"{series}-{book[0]}")
            add("series", f"{key}/offered", item, [*confusers, truth], truth)
            add("series", f"{key}/absent", item, confusers, None, "only its neighbours in the series are offered")
    for (first, first_authors, first_year), (other, other_authors, other_year) in COMPANIONS:
        a = record("openlibrary", f"c-{first}", first, first_authors, year=first_year, language="en")
        b = record("openlibrary", f"c-{other}", other, other_authors, year=other_year, language="en")
        for (mine, mine_authors, mine_year), theirs in (((first, first_authors, first_year), b),
                                                        ((other, other_authors, other_year), a)):
            item = {"title": mine, "authors": [author_variant(x, 1) for x in mine_authors], "year": mine_year}
            add("companion", f"{slug(mine)}/{slug(theirs['title'])}/absent", item, [theirs], None)


# --- 2. same title, another author ---------------------------------------------------------------------
SAME_TITLE = [
    ("Emma", [("Jane Austen", 1815), ("Alexander McCall Smith", 2014)]),
    ("The Outsider", [("Stephen King", 2018), ("Albert Camus", 1942), ("Colin Wilson", 1956)]),
    ("Nemesis", [("Agatha Christie", 1971), ("Isaac Asimov", 1989), ("Philip Roth", 2010)]),
    ("Inferno", [("Dan Brown", 2013), ("Larry Niven", 1976)]),
    ("Hyperion", [("Dan Simmons", 1989), ("Friedrich Hölderlin", 1797)]),
    ("The Road", [("Cormac McCarthy", 2006), ("Jack London", 1907)]),
    ("Twilight", [("Stephenie Meyer", 2005), ("Elie Wiesel", 1987)]),
    ("Dawn", [("Octavia E. Butler", 1987), ("Elie Wiesel", 1961)]),
    ("Blindness", [("José Saramago", 1995), ("Henry Green", 1926)]),
    ("Home", [("Marilynne Robinson", 2008), ("Toni Morrison", 2012)]),
    ("Legend", [("Marie Lu", 2011), ("David Gemmell", 1984)]),
    ("Freedom", [("Jonathan Franzen", 2010), ("Daniel Suarez", 2010)]),
    ("Dust", [("Hugh Howey", 2013), ("Elizabeth Bear", 2007)]),
    ("Blackout", [("Connie Willis", 2010), ("Mira Grant", 2012)]),
    ("Feed", [("Mira Grant", 2010), ("M. T. Anderson", 2002)]),
    ("Origin", [("Dan Brown", 2017), ("Jessica Khoury", 2012)]),
    ("The Island", [("Victoria Hislop", 2005), ("Aldous Huxley", 1962)]),
    ("Gone", [("Michael Grant", 2008), ("Mo Hayder", 2010)]),
    ("The Stranger", [("Albert Camus", 1942), ("Harlan Coben", 2015)]),
    ("Foundation", [("Isaac Asimov", 1951), ("Mercedes Lackey", 2008)]),
    ("Ice", [("Anna Kavan", 1967), ("Vladimir Sorokin", 2002)]),
    ("The Passage", [("Justin Cronin", 2010), ("Connie Willis", 2001)]),
]


def build_same_title() -> None:
    for title, versions in SAME_TITLE:
        records = [record("openlibrary", f"{title}-{author}", "Island" if (title, author) == ("The Island",
                                                                                                "Aldous Huxley")
                          else title, [author], year=year) for author, year in versions]
        for n, (author, year) in enumerate(versions):
            variant = n % 4
            item = {"title": title_variant(title, variant), "authors": [author_variant(author, variant)],
                    "year": year if n % 3 != 2 else None}
            others = [r for r in records if r is not records[n]]
            add("same_title", f"{slug(title)}/{slug(author)}/offered", item, [*others, records[n]], records[n])
            add("same_title", f"{slug(title)}/{slug(author)}/absent", item, others, None,
                "the same title by another author is not this book")


# --- 3. translations and original titles ---------------------------------------------------------------
# (author, first published, (original title, language), English title)
TRANSLATIONS = [
    ("Albert Camus", 1942, ("L'Étranger", "fr"), "The Stranger"),
    ("Albert Camus", 1947, ("La Peste", "fr"), "The Plague"),
    ("Franz Kafka", 1925, ("Der Process", "de"), "The Trial"),
    ("Franz Kafka", 1915, ("Die Verwandlung", "de"), "The Metamorphosis"),
    ("Gabriel García Márquez", 1967, ("Cien años de soledad", "es"), "One Hundred Years of Solitude"),
    ("Gabriel García Márquez", 1985, ("El amor en los tiempos del cólera", "es"), "Love in the Time of Cholera"),
    ("Umberto Eco", 1980, ("Il nome della rosa", "it"), "The Name of the Rose"),
    ("Antoine de Saint-Exupéry", 1943, ("Le Petit Prince", "fr"), "The Little Prince"),
    ("Fyodor Dostoevsky", 1866, ("Преступление и наказание", "ru"), "Crime and Punishment"),
    ("Andrzej Sapkowski", 1993, ("Ostatnie życzenie", "pl"), "The Last Wish"),
    ("Stieg Larsson", 2005, ("Män som hatar kvinnor", "sv"), "The Girl with the Dragon Tattoo"),
    ("José Saramago", 1995, ("Ensaio sobre a Cegueira", "pt"), "Blindness"),
    ("Hermann Hesse", 1922, ("Siddhartha", "de"), "Siddhartha"),
    ("Hermann Hesse", 1927, ("Der Steppenwolf", "de"), "Steppenwolf"),
    ("Victor Hugo", 1862, ("Les Misérables", "fr"), "Les Misérables"),
    ("Gustave Flaubert", 1856, ("Madame Bovary", "fr"), "Madame Bovary"),
    ("Stanisław Lem", 1961, ("Solaris", "pl"), "Solaris"),
    ("Patrick Süskind", 1985, ("Das Parfum", "de"), "Perfume: The Story of a Murderer"),
    ("Carlos Ruiz Zafón", 2001, ("La sombra del viento", "es"), "The Shadow of the Wind"),
    ("Haruki Murakami", 2002, ("海辺のカフカ", "ja"), "Kafka on the Shore"),
    ("Haruki Murakami", 1987, ("ノルウェイの森", "ja"), "Norwegian Wood"),
    ("Italo Calvino", 1957, ("Il barone rampante", "it"), "The Baron in the Trees"),
    ("Italo Calvino", 1979, ("Se una notte d'inverno un viaggiatore", "it"), "If on a Winter's Night a Traveler"),
    ("Anne Frank", 1947, ("Het Achterhuis", "nl"), "The Diary of a Young Girl"),
    ("J. K. Rowling", 1998, ("Harry Potter à l'école des sorciers", "fr"), "Harry Potter and the Philosopher's Stone"),
    ("J. K. Rowling", 1998, ("Harry Potter und der Stein der Weisen", "de"),
     "Harry Potter and the Philosopher's Stone"),
]


def build_translations() -> None:
    for n, (author, year, (original, language), english) in enumerate(TRANSLATIONS):
        source = record("openlibrary", f"{original}-{language}", original, [author], year=year, language=language)
        translated = record("googlebooks", f"{english}-en", english, [author], year=year, language="en")
        key = f"{slug(english)}/{language}"
        variant = n % 4
        item = {"title": title_variant(original, variant if variant != 1 else 0), "language": language,
                "authors": [author_variant(author, variant)], "year": year}
        add("translation", f"{key}/original-offered", item, [translated, source], source)
        add("translation", f"{key}/original-absent", item, [translated], None, "only the translation is offered")
        english_item = {"title": english, "language": "en", "authors": [author_variant(author, 1)], "year": year}
        add("translation", f"{key}/translation-offered", english_item, [source, translated], translated)


# --- 4. editions of one work (ISBN) ----------------------------------------------------------------------
# (title, author, first published, [(isbn, edition year)]); the first ISBN of each is the edition's own
EDITIONS = [
    ("Dune", "Frank Herbert", 1965, [("9780441172719", 1990), (None, 2005)]),
    ("Harry Potter and the Philosopher's Stone", "J. K. Rowling", 1997, [("9780747532699", 1997), (None, 2014)]),
    ("Harry Potter and the Chamber of Secrets", "J. K. Rowling", 1998, [("9780747538493", 1998), (None, 2014)]),
    ("The Hobbit", "J. R. R. Tolkien", 1937, [("9780547928227", 2012), ("9780261102217", 1999)]),
    ("Foundation", "Isaac Asimov", 1951, [("9780553293357", 1991), (None, 2016)]),
    ("Nineteen Eighty-Four", "George Orwell", 1949, [("9780451524935", 1961), (None, 2008)]),
    ("The Martian", "Andy Weir", 2011, [("9780553418026", 2014), (None, 2015)]),
    ("Use of Weapons", "Iain M. Banks", 1990, [("9780316030571", 2008), (None, 1992)]),
    ("The Stranger", "Albert Camus", 1942, [("9780679720201", 1989), (None, 1954)]),
    ("To Kill a Mockingbird", "Harper Lee", 1960, [("9780061120084", 2006), (None, 1982)]),
    ("The Great Gatsby", "F. Scott Fitzgerald", 1925, [("9780743273565", 2004), (None, 1995)]),
    ("Pride and Prejudice", "Jane Austen", 1813, [("9780141439518", 2003), (None, 1996)]),
    ("The Da Vinci Code", "Dan Brown", 2003, [("9780385504201", 2003), (None, 2006)]),
    ("The Catcher in the Rye", "J. D. Salinger", 1951, [("9780316769488", 1991), (None, 2001)]),
    ("Brave New World", "Aldous Huxley", 1932, [("9780060850524", 2006), (None, 1998)]),
    ("Ender's Game", "Orson Scott Card", 1985, [("9780812550702", 1994), (None, 2013)]),
    ("Hyperion", "Dan Simmons", 1989, [("9780553283686", 1990), (None, 2011)]),
    ("The Way of Kings", "Brandon Sanderson", 2010, [("9780765326355", 2010), (None, 2011)]),
    ("Mistborn: The Final Empire", "Brandon Sanderson", 2006, [("9780765311788", 2006), (None, 2008)]),
    ("The Hunger Games", "Suzanne Collins", 2008, [("9780439023481", 2008), (None, 2010)]),
    ("Leviathan Wakes", "James S. A. Corey", 2011, [("9780316129084", 2011), (None, 2012)]),
    ("A Game of Thrones", "George R. R. Martin", 1996, [("9780553573404", 1997), (None, 2011)]),
    ("The Eye of the World", "Robert Jordan", 1990, [("9780812511819", 1990), (None, 2019)]),
]


def build_editions() -> None:
    for n, (title, author, _first, editions) in enumerate(EDITIONS):
        records = []
        for isbn, year in editions:
            number = isbn or stand_in_isbn(f"{title}-{year}")
            records.append(record("googlebooks", f"{title}-{number}", title, [author], year=year, isbn13=number,
                                  language="en"))
        mine, other = records
        key = slug(title)
        noisy = {"title": title_variant(title, n % 4), "authors": [author_variant(author, (n + 1) % 4)]}
        add("edition", f"{key}/same-isbn", {**noisy, "isbn13": mine["isbn13"]}, [other, mine], mine)
        add("edition", f"{key}/other-isbn-only", {**noisy, "isbn13": mine["isbn13"]}, [other], None,
            "another edition's ISBN: never applied without asking")
        add("edition", f"{key}/edition-year", {**noisy, "year": mine["year"]}, [other, mine], mine,
            "no ISBN in the file; its edition year")


# --- 5. omnibus against its volumes ----------------------------------------------------------------------
# (omnibus title, authors, year, volume title, volume authors, volume year)
OMNIBUS = [
    ("The Hunger Games Trilogy", ["Suzanne Collins"], 2010, "The Hunger Games", ["Suzanne Collins"], 2008),
    ("The Foundation Trilogy", ["Isaac Asimov"], 1963, "Foundation", ["Isaac Asimov"], 1951),
    ("The Chronicles of Narnia", ["C. S. Lewis"], 2001, "The Lion, the Witch and the Wardrobe", ["C. S. Lewis"], 1950),
    ("The Ultimate Hitchhiker's Guide to the Galaxy", ["Douglas Adams"], 1996,
     "The Hitchhiker's Guide to the Galaxy", ["Douglas Adams"], 1979),
    ("The Earthsea Quartet", ["Ursula K. Le Guin"], 1993, "A Wizard of Earthsea", ["Ursula K. Le Guin"], 1968),
    ("Harry Potter Box Set: The Complete Collection", ["J. K. Rowling"], 2014,
     "Harry Potter and the Philosopher's Stone", ["J. K. Rowling"], 1997),
    ("The Complete Sherlock Holmes", ["Arthur Conan Doyle"], 1930, "A Study in Scarlet", ["Arthur Conan Doyle"], 1887),
    ("Frank Herbert's Dune Saga 3-Book Boxed Set", ["Frank Herbert"], 2019, "Dune", ["Frank Herbert"], 1965),
    ("Mistborn Trilogy Boxed Set", ["Brandon Sanderson"], 2009, "Mistborn: The Final Empire",
     ["Brandon Sanderson"], 2006),
    ("The Witcher Boxed Set", ["Andrzej Sapkowski"], 2017, "Blood of Elves", ["Andrzej Sapkowski"], 1994),
    ("A Game of Thrones: 4-Book Bundle", ["George R. R. Martin"], 2011, "A Game of Thrones",
     ["George R. R. Martin"], 1996),
    ("The Millennium Trilogy", ["Stieg Larsson"], 2008, "The Girl with the Dragon Tattoo", ["Stieg Larsson"], 2005),
    ("The Sandman Omnibus Vol. 1", ["Neil Gaiman"], 2013, "The Sandman Vol. 1: Preludes & Nocturnes",
     ["Neil Gaiman"], 1991),
]


def build_omnibus() -> None:
    for n, (omni, omni_authors, omni_year, volume, volume_authors, volume_year) in enumerate(OMNIBUS):
        big = record("openlibrary", f"omni-{omni}", omni, omni_authors, year=omni_year)
        one = record("openlibrary", f"vol-{volume}", volume, volume_authors, year=volume_year)
        variant = n % 4
        volume_item = {"title": title_variant(volume, variant), "authors": [author_variant(a, variant)
                                                                            for a in volume_authors],
                       "year": volume_year}
        omni_item = {"title": omni, "authors": [author_variant(a, 1) for a in omni_authors], "year": omni_year}
        key = slug(omni)
        add("omnibus", f"{key}/volume-offered", volume_item, [big, one], one)
        add("omnibus", f"{key}/volume-absent", volume_item, [big], None, "the omnibus is not the volume")
        add("omnibus", f"{key}/omnibus-offered", omni_item, [one, big], big)
        add("omnibus", f"{key}/omnibus-absent", omni_item, [one], None, "a volume is not the omnibus")


# --- 6. subtitles present on one side only ----------------------------------------------------------------
SUBTITLES = [
    ("Sapiens", "Sapiens: A Brief History of Humankind", ["Yuval Noah Harari"], 2011),
    ("Homo Deus", "Homo Deus: A Brief History of Tomorrow", ["Yuval Noah Harari"], 2015),
    ("Frankenstein", "Frankenstein; or, The Modern Prometheus", ["Mary Shelley"], 1818),
    ("The Hobbit", "The Hobbit, or There and Back Again", ["J. R. R. Tolkien"], 1937),
    ("Educated", "Educated: A Memoir", ["Tara Westover"], 2018),
    ("Outliers", "Outliers: The Story of Success", ["Malcolm Gladwell"], 2008),
    ("Freakonomics", "Freakonomics: A Rogue Economist Explores the Hidden Side of Everything",
     ["Steven D. Levitt", "Stephen J. Dubner"], 2005),
    ("Quiet", "Quiet: The Power of Introverts in a World That Can't Stop Talking", ["Susan Cain"], 2012),
    ("Moby-Dick", "Moby-Dick; or, The Whale", ["Herman Melville"], 1851),
    ("Walden", "Walden; or, Life in the Woods", ["Henry David Thoreau"], 1854),
    ("Guns, Germs, and Steel", "Guns, Germs, and Steel: The Fates of Human Societies", ["Jared Diamond"], 1997),
    ("Perfume", "Perfume: The Story of a Murderer", ["Patrick Süskind"], 1985),
    ("Into Thin Air", "Into Thin Air: A Personal Account of the Mt. Everest Disaster", ["Jon Krakauer"], 1997),
    ("Born a Crime", "Born a Crime: Stories from a South African Childhood", ["Trevor Noah"], 2016),
    ("Unbroken", "Unbroken: A World War II Story of Survival, Resilience, and Redemption",
     ["Laura Hillenbrand"], 2010),
    ("Hidden Figures", "Hidden Figures: The American Dream and the Untold Story of the Black Women "
     "Mathematicians Who Helped Win the Space Race", ["Margot Lee Shetterly"], 2016),
    ("The Martian", "The Martian: A Novel", ["Andy Weir"], 2011),
    ("Candide", "Candide, ou l'Optimisme", ["Voltaire"], 1759),
    ("Dracula", "Dracula (Illustrated Edition)", ["Bram Stoker"], 1897),
    ("The Hitchhiker's Guide to the Galaxy", "The Hitchhiker's Guide to the Galaxy: 25th Anniversary Edition",
     ["Douglas Adams"], 1979),
]


def build_subtitles() -> None:
    for n, (short, long, authors, year) in enumerate(SUBTITLES):
        short_rec = record("openlibrary", f"s-{short}", short, authors, year=year)
        long_rec = record("googlebooks", f"l-{long}", long, authors, year=year)
        variant = n % 4
        key = slug(short)
        add("subtitle", f"{key}/short-file",
            {"title": title_variant(short, variant), "authors": [author_variant(a, variant) for a in authors],
             "year": year}, [long_rec], long_rec)
        add("subtitle", f"{key}/long-file",
            {"title": long, "authors": [author_variant(a, (variant + 1) % 4) for a in authors],
             "year": year if n % 2 else None}, [short_rec], short_rec)


# --- 7. comic volumes (TPB) numbered 1, 2, 10 ---------------------------------------------------------------
# (series, writers, [(volume, subtitle, year)])
VOLUMES = [
    ("Saga", ["Brian K. Vaughan", "Fiona Staples"], [(1, "", 2012), (2, "", 2013), (3, "", 2014), (10, "", 2022)]),
    ("The Walking Dead", ["Robert Kirkman"], [(1, "Days Gone Bye", 2004), (2, "Miles Behind Us", 2004),
                                              (3, "Safety Behind Bars", 2005), (10, "What We Become", 2009)]),
    ("Y: The Last Man", ["Brian K. Vaughan"], [(1, "Unmanned", 2003), (2, "Cycles", 2003),
                                               (10, "Whys and Wherefores", 2008)]),
    ("Fables", ["Bill Willingham"], [(1, "Legends in Exile", 2002), (2, "Animal Farm", 2003),
                                     (10, "The Good Prince", 2008)]),
    ("The Sandman", ["Neil Gaiman"], [(1, "Preludes & Nocturnes", 1991), (2, "The Doll's House", 1990),
                                      (10, "The Wake", 1997)]),
    ("One Piece", ["Eiichiro Oda"], [(1, "Romance Dawn", 2003), (2, "Buggy the Clown", 2004),
                                     (10, "OK, Let's Stand Up!", 2006)]),
    ("Naruto", ["Masashi Kishimoto"], [(1, "Uzumaki Naruto", 2003), (2, "The Worst Client", 2003),
                                       (10, "A Splendid Ninja", 2006)]),
    ("Attack on Titan", ["Hajime Isayama"], [(1, "", 2012), (2, "", 2012), (10, "", 2014)]),
]


def volume_title(series: str, number: int, subtitle: str, style: int) -> str:
    marker = {0: f"{series}, Vol. {number}", 1: f"{series} Volume {number}", 2: f"{series} Vol {number}"}[style % 3]
    return f"{marker}: {subtitle}" if subtitle else marker


def build_volumes() -> None:
    for series, writers, volumes in VOLUMES:
        records = {n: record("comicvine", f"{series}-tpb-{n}", volume_title(series, n, sub, 0), writers, kind="comic",
                             year=year) for n, sub, year in volumes}
        for i, (n, sub, year) in enumerate(volumes):
            item = {"kind": "comic", "title": volume_title(series, n, sub if i % 2 else "", i + 1),
                    "authors": [author_variant(w, i % 4) for w in writers[:1]], "year": year}
            others = [r for m, r in records.items() if m != n]
            add("volume", f"{slug(series)}/{n}/offered", item, [*others, records[n]], records[n])
            add("volume", f"{slug(series)}/{n}/absent", item, others, None, "another volume of the same series")


# --- 8. comic issues against volumes (TPB) and annuals ------------------------------------------------------
# (series, volume start year, writer, issue, cover year, confusers: other volume's start year, its writer)
ISSUES = [
    ("Batman", 2011, "Scott Snyder", "1", 2011, 2016, "Tom King"),
    ("Batman", 2011, "Scott Snyder", "10", 2012, 2016, "Tom King"),
    ("The Amazing Spider-Man", 1963, "Stan Lee", "1", 1963, 2018, "Nick Spencer"),
    ("Saga", 2012, "Brian K. Vaughan", "1", 2012, None, ""),
    ("Saga", 2012, "Brian K. Vaughan", "12", 2013, None, ""),
    ("Watchmen", 1986, "Alan Moore", "1", 1986, None, ""),
    ("Daredevil", 1964, "Stan Lee", "1", 1964, 2014, "Mark Waid"),
    ("Ms. Marvel", 2014, "G. Willow Wilson", "1", 2014, 1977, "Gerry Conway"),
    ("Paper Girls", 2015, "Brian K. Vaughan", "1", 2015, None, ""),
]


def issue_record(series: str, start: int, writer: str, issue: str, year: int) -> dict:
    return record("comicvine", f"{series}-{start}-{issue}", series, [writer], kind="comic", issue_number=issue,
                  volume=str(start), year=year)


def build_issues() -> None:
    for series, start, writer, issue, year, other_start, other_writer in ISSUES:
        truth = issue_record(series, start, writer, issue, year)
        confusers = [issue_record(series, start, writer, str(int(issue) + 1), year),
                     record("comicvine", f"{series}-annual-{start}-1", f"{series} Annual", [writer], kind="comic",
                            issue_number="1", volume=str(year + 1), year=year + 1),
                     record("comicvine", f"{series}-tpb-{start}-1", f"{series}, Vol. 1", [writer], kind="comic",
                            year=year + 1)]
        if other_start:
            confusers.append(issue_record(series, other_start, other_writer, issue, other_start))
        item = {"kind": "comic", "title": series, "authors": [author_variant(writer, 1)], "issue_number":
                issue.zfill(3), "volume_year": start}
        key = f"{slug(series)}-{start}/{issue}"
        add("issue", f"{key}/offered", item, [*confusers, truth], truth)
        add("issue", f"{key}/absent", item, confusers, None, "another issue, the annual, the trade paperback")
        ebook_item = {"kind": "ebook", "title": f"{series}, Vol. 1", "authors": [writer], "year": year + 1}
        add("issue", f"{key}/ebook-not-comic", ebook_item, [truth], None, "a comic record for an ebook")


# --- 9. audiobooks: narrators and lengths -----------------------------------------------------------------
# (title, authors, [(narrators, hours, minutes, year)])
AUDIOBOOKS = [
    ("Harry Potter and the Chamber of Secrets", ["J. K. Rowling"], [(["Stephen Fry"], 9, 27, 2000),
                                                                    (["Jim Dale"], 9, 24, 1999)]),
    ("Harry Potter and the Goblet of Fire", ["J. K. Rowling"], [(["Stephen Fry"], 21, 13, 2000),
                                                                (["Jim Dale"], 20, 41, 2000)]),
    ("The Hobbit", ["J. R. R. Tolkien"], [(["Rob Inglis"], 11, 5, 1991), (["Andy Serkis"], 10, 25, 2020)]),
    ("The Fellowship of the Ring", ["J. R. R. Tolkien"], [(["Rob Inglis"], 19, 7, 1990),
                                                          (["Andy Serkis"], 22, 10, 2021)]),
    ("Dune", ["Frank Herbert"], [(["Scott Brick", "Orlagh Cassidy", "Euan Morton", "Simon Vance"], 21, 2, 2007),
                                 (["George Guidall"], 20, 40, 1993)]),
    ("The Name of the Wind", ["Patrick Rothfuss"], [(["Nick Podehl"], 27, 55, 2008),
                                                    (["Rupert Degas"], 27, 58, 2009)]),
    ("The Hitchhiker's Guide to the Galaxy", ["Douglas Adams"], [(["Stephen Fry"], 5, 51, 2005),
                                                                 (["Douglas Adams"], 5, 45, 1994)]),
    ("The Da Vinci Code", ["Dan Brown"], [(["Paul Michael"], 16, 25, 2003), (["Paul Michael"], 6, 0, 2003)]),
    ("Pride and Prejudice", ["Jane Austen"], [(["Rosamund Pike"], 11, 35, 2015), (["Karen Savage"], 11, 57, 2008)]),
    ("A Game of Thrones", ["George R. R. Martin"], [(["Roy Dotrice"], 33, 46, 2003)]),
    ("Project Hail Mary", ["Andy Weir"], [(["Ray Porter"], 16, 10, 2021)]),
    ("The Martian", ["Andy Weir"], [(["R. C. Bray"], 10, 53, 2013)]),
    ("Ready Player One", ["Ernest Cline"], [(["Wil Wheaton"], 15, 40, 2011)]),
    ("Mistborn: The Final Empire", ["Brandon Sanderson"], [(["Michael Kramer"], 24, 39, 2008)]),
    ("Red Rising", ["Pierce Brown"], [(["Tim Gerard Reynolds"], 16, 12, 2014)]),
    ("Born a Crime", ["Trevor Noah"], [(["Trevor Noah"], 8, 44, 2016)]),
]


def build_audiobooks() -> None:
    for title, authors, editions in AUDIOBOOKS:
        records = [record("audible", f"{title}-{'-'.join(n)}-{h}h{m}", title, authors, kind="audiobook",
                          narrators=n, duration_seconds=h * 3600 + m * 60, year=year)
                   for n, h, m, year in editions]
        for i, (narrators, hours, minutes, _year) in enumerate(editions):
            # the files' own length differs a little from the listing (silence, rounding)
            seconds = int((hours * 3600 + minutes * 60) * (1.004 if i % 2 else 0.997))
            item = {"kind": "audiobook", "title": title_variant(title, i % 4),
                    "authors": [author_variant(a, (i + 1) % 4) for a in authors],
                    "narrators": [author_variant(x, i % 2) for x in narrators], "duration_seconds": seconds}
            others = [r for r in records if r is not records[i]]
            key = f"{slug(title)}/{slug(narrators[0])}-{hours}h"
            add("audiobook", f"{key}/offered", item, [*others, records[i]], records[i])
            if others:
                add("audiobook", f"{key}/absent", item, others, None, "another recording (narrator or length)")
            for other_title, other_narrators, other_seconds in SEQUELS_READ_BY_THE_SAME.get(title, ()):
                confuser = record("audible", f"{other_title}-sequel", other_title, authors, kind="audiobook",
                                  narrators=other_narrators, duration_seconds=other_seconds)
                add("audiobook", f"{key}/sequel-absent", item, [confuser], None, "the sequel, same narrator")


# (title) -> [(sequel, its narrators, its length in seconds)]
SEQUELS_READ_BY_THE_SAME = {
    "Dune": [("Dune Messiah", ["Scott Brick"], 8 * 3600 + 57 * 60)],
    "A Game of Thrones": [("A Clash of Kings", ["Roy Dotrice"], 37 * 3600 + 17 * 60)],
    "Harry Potter and the Chamber of Secrets": [("Harry Potter and the Prisoner of Azkaban", ["Stephen Fry"],
                                                 11 * 3600 + 48 * 60)],
}


def main() -> None:
    for build in (build_series, build_same_title, build_translations, build_editions, build_omnibus,
                  build_subtitles, build_volumes, build_issues, build_audiobooks):
        build()
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    OUT.write_text(json.dumps({"about": __doc__.strip().splitlines()[0], "cases": CASES}, ensure_ascii=False,
                              indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
