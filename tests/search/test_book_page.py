"""Issue 20 defect 2: the book page is a book page (labelled sections, empty fields left out, no
stored cover path printed, the series' neighbours, linked identifiers, where each value came
from), and the provenance form lives on in its Edit mode, saving through the same API."""

from __future__ import annotations

import lxml.html
import pytest
from django.test import Client

from media.identifiers import shown_identifier
from media.models import FileState, LibraryFile
from reading.models import LibraryAccess
from scanning.models import ScanFolder
from search.book_page import duration_text, language_name
from search.services import record_candidates
from search.services.covers import set_cover_from_upload
from tests.search.test_covers import BIG, OTHER
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(reader_user):
    """A reader's own client (admin_client and reader_client share one Client)."""
    other = Client()
    other.force_login(reader_user)
    return other


def _page(client, item, query: str = ""):
    response = client.get(f"/library/{item.pk}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def _view(html: str):
    """The reading view of the page: the hero and #book-view (not the hidden Edit panel)."""
    tree = lxml.html.fromstring(html)
    return tree.xpath("//header[contains(@class, 'book-hero')]")[0], tree.xpath("//*[@id='book-view']")[0]


def _hidden(tree, element_id: str) -> bool:
    return tree.get_element_by_id(element_id).get("hidden") is not None


def _text(node) -> str:
    return " ".join(" ".join(node.itertext()).split())


def test_the_book_page_has_labelled_sections(admin_client):
    item = make_item(
        "Dune",
        authors=["Frank Herbert"],
        series="Dune",
        index=1,
        year=1965,
        publisher="Chilton",
        description="Spice.",
        files=[("epub", 1000)],
        identifiers=[("isbn13", "9780441013593")],
    )
    tree = lxml.html.fromstring(_page(admin_client, item))
    headings = {_text(h) for h in tree.xpath("//section/h2 | //section//summary/h2 | //section/div/h2")}
    assert {
        "Description",
        "Details",
        "Dune series",
        "Identifiers",
        "Formats and files",
        "My reading",
        "History",
        "Edit metadata",
        "Cover",
    } <= headings
    for section in tree.xpath("//article[@id='book']//section"):
        label = section.get("aria-labelledby")
        assert label and tree.xpath(f"//*[@id='{label}']"), lxml.html.tostring(section)[:120]
    assert _text(tree.xpath("//h1")[0]) == "Dune"
    assert [a.get("href") for a in tree.xpath("//p[@class='book-authors']/a")] == [
        f"/authors/{item.contributions.get().author_id}/"
    ]


def test_empty_fields_are_hidden_and_nothing_reads_dash_dash_zero(admin_client, reader):
    item = make_item("Bare")
    admin = _page(admin_client, item)
    hero, view = _view(admin)
    shown = _text(hero) + " " + _text(view)
    for label in (
        "Publisher",
        "Published",
        "Language",
        "Pages",
        "Subtitle",
        "Description",
        "Identifiers",
        "Narrated by",
        "series",
    ):
        assert label not in shown, label
    assert "—" not in shown and "— — 0" not in admin
    assert not view.xpath(".//*[@id='about']")  # no Details card without a detail
    page = _page(reader, item)
    assert "Publisher" not in page and "—" not in page and 'id="metadata-form"' not in page


def test_no_stored_cover_path_is_printed_even_after_a_cover_was_chosen(admin_client, reader):
    item = make_item("Excession")
    set_cover_from_upload(item, BIG)
    set_cover_from_upload(item, OTHER)
    item.refresh_from_db()
    file_name = item.cover_path.rsplit("/", 1)[-1]
    for html in (_page(admin_client, item), _page(admin_client, item, "?edit=1"), _page(reader, item)):
        assert item.cover_path not in html and file_name not in html and "covers/" not in html.replace("/covers/", "")
        assert f'src="/covers/{item.pk}?v={item.cover_version}"' in html  # the versioned cover URL


def test_series_neighbours_link_the_books_before_and_after(admin_client):
    one = make_item("One", series="Saga", index=1)
    two = make_item("Two", series="Saga", index=2)
    half = make_item("Two and a half", series="Saga", index=2.5)
    three = make_item("Three", series="Saga", index=3)
    unnumbered = make_item("Side story", series="Saga")
    expected = {
        one: (None, two),
        two: (one, half),
        half: (two, three),
        three: (half, unnumbered),
        unnumbered: (three, None),
    }
    for item, (previous, following) in expected.items():
        tree = lxml.html.fromstring(_page(admin_client, item))
        nav = tree.xpath("//*[@id='series-nav']")[0]
        prev_link = nav.xpath(".//li[@class='previous']/a/@href")
        next_link = nav.xpath(".//li[@class='next']/a/@href")
        assert prev_link == ([f"/library/{previous.pk}/"] if previous else []), item.title
        assert next_link == ([f"/library/{following.pk}/"] if following else []), item.title
        assert "5 books in the library" in _text(nav)
    assert "Book 2.5 in" in _text(
        lxml.html.fromstring(_page(admin_client, half)).xpath("//header[@class='book-hero card']")[0]
    )
    assert 'id="series-nav"' not in _page(admin_client, make_item("Standalone"))


def test_a_limited_reader_is_not_shown_a_hidden_neighbour(reader_client, reader_user, tmp_path):
    kids, adults = (ScanFolder.objects.create(path=str(tmp_path / name), name=name) for name in ("kids", "adults"))
    books = [make_item(title, series="Saga", index=n) for n, title in enumerate(("One", "Two", "Three"), 1)]
    for book, folder in zip(books, (kids, adults, kids), strict=True):
        LibraryFile.objects.create(
            item=book,
            path=f"{folder.path}/{book.title}.epub",
            size=1,
            mtime_ns=1,
            format="epub",
            state=FileState.PRESENT,
        )
    access = LibraryAccess.objects.create(user=reader_user, all_libraries=False)
    access.libraries.add(kids)
    nav = _text(lxml.html.fromstring(_page(reader_client, books[0])).xpath("//*[@id='series-nav']")[0])
    assert "Two" not in nav and "Three" in nav and "2 books in the library" in nav


def test_identifiers_are_labelled_and_linked_where_a_public_page_exists(reader_client):
    item = make_item(
        "Dune",
        identifiers=[
            ("isbn13", "9780441013593"),
            ("asin", "B00B7NPRY8"),
            ("openlibrary", "OL893415W"),
            ("uuid", "5b0e8a9e-0000-4000"),
        ],
    )
    tree = lxml.html.fromstring(_page(reader_client, item))
    rows = {
        _text(dt): dd
        for dt, dd in zip(
            tree.xpath("//*[@id='identifiers']//dt"), tree.xpath("//*[@id='identifiers']//dd"), strict=True
        )
    }
    assert rows["ISBN-13"].xpath(".//a/@href") == ["https://openlibrary.org/isbn/9780441013593"]
    assert rows["ASIN"].xpath(".//a/@href") == ["https://www.amazon.com/dp/B00B7NPRY8"]
    assert rows["Open Library"].xpath(".//a/@href") == ["https://openlibrary.org/works/OL893415W"]
    assert rows["UUID"].xpath(".//a") == [] and "5b0e8a9e-0000-4000" in _text(rows["UUID"])


@pytest.mark.parametrize(
    ("scheme", "value", "label", "url"),
    [
        ("isbn13", "978-0-441-01359-3", "ISBN-13", "https://openlibrary.org/isbn/9780441013593"),
        ("ISBN10", "044101359X", "ISBN-10", "https://openlibrary.org/isbn/044101359X"),
        ("isbn13", "not an isbn", "ISBN-13", None),
        ("asin", "B00B7NPRY8", "ASIN", "https://www.amazon.com/dp/B00B7NPRY8"),
        ("asin", "../../evil", "ASIN", None),
        ("openlibrary", "OL7353617M", "Open Library", "https://openlibrary.org/books/OL7353617M"),
        ("openlibrary_work", "OL45804W", "Open Library work", "https://openlibrary.org/works/OL45804W"),
        ("openlibrary", "javascript:alert(1)", "Open Library", None),
        ("google", "wrbDAQAAQBAJ", "Google Books", "https://books.google.com/books?id=wrbDAQAAQBAJ"),
        ("google", "a&b=c", "Google Books", "https://books.google.com/books?id=a%26b%3Dc"),
        ("goodreads", "44767458", "Goodreads", "https://www.goodreads.com/book/show/44767458"),
        ("comicvine", "4000-12345", "Comic Vine", "https://comicvine.gamespot.com/issue/4000-12345/"),
        ("comicvine_volume", "4050-796", "Comic Vine volume", "https://comicvine.gamespot.com/volume/4050-796/"),
        ("uuid", "5b0e8a9e", "UUID", None),
        ("mobi_asin", "X", "mobi asin", None),
    ],
)
def test_identifier_labels_and_links(scheme, value, label, url):
    shown = shown_identifier(scheme, value)
    assert (shown.label, shown.url) == (label, url)


def test_each_value_says_where_it_came_from(reader_client):
    item = make_item("use of weapons", publisher="Orbit")
    record_candidates(item, "embedded_epub", {"title": "Use of Weapons", "publisher": "Orbit"}, 0.8)
    record_candidates(item, "filename", {"title": "use of weapons"}, 0.5)
    tree = lxml.html.fromstring(_page(reader_client, item))
    title = tree.xpath("//details[@data-prov='title']")[0]
    assert title.xpath("./summary/@title") == ["Title: from EPUB metadata, confidence 0.80"]  # on hover
    assert "Where the title came from" in _text(title.xpath("./summary")[0])  # and by keyboard
    assert "File name: use of weapons" in _text(title)  # what the other source said
    publisher = tree.xpath("//*[@id='about']//details[@data-prov='publisher']")[0]
    assert "EPUB metadata" in _text(publisher) and "0.80" in _text(publisher)


def test_kind_fields_read_as_words_not_raw_values(reader_client):
    item = make_item("Heard", kind="audiobook", duration_seconds=37_800, language="fr", page_count=1200)
    about = _text(lxml.html.fromstring(_page(reader_client, item)).xpath("//*[@id='about']")[0])
    assert "Length 10 h 30 min" in about and "Language French" in about and "Pages 1,200" in about
    assert "37800" not in about and "Issue" not in about and "Narrated by" not in about
    assert [duration_text(s) for s in (0, 30, 2700, 3600, 3660)] == ["", "30 s", "45 min", "1 h", "1 h 1 min"]
    assert [language_name(c) for c in ("de", "pt-br", "xx")] == ["German", "Brazilian Portuguese", "xx"]


def test_edit_mode_holds_the_provenance_form_for_admins_only(admin_client, reader):
    item = make_item("Dune", files=[("epub", 1000)])
    closed = _page(admin_client, item)
    tree = lxml.html.fromstring(closed)
    assert _hidden(tree, "edit-panel") and not _hidden(tree, "book-view")
    toggle = tree.xpath("//button[@id='edit-toggle']")[0]
    assert (toggle.get("aria-controls"), toggle.get("aria-expanded"), _text(toggle)) == ("edit-panel", "false", "Edit")
    for marker in (
        'id="field-title"',
        'id="lock-title"',
        'id="cover-upload-form"',
        'id="refresh"',
        'id="delete-item"',
        'id="metadata-form"',
    ):
        assert marker in closed, marker
    opened = lxml.html.fromstring(_page(admin_client, item, "?edit=1"))
    assert not _hidden(opened, "edit-panel") and _hidden(opened, "book-view")
    assert opened.xpath("//button[@id='edit-toggle']/@aria-expanded") == ["true"]
    page = _page(reader, item, "?edit=1")
    assert 'id="edit-panel"' not in page and 'id="edit-toggle"' not in page and 'id="field-title"' not in page
    assert "js/detail.js" in page and "js/book-files.js" in page


def test_a_value_saved_in_edit_mode_shows_on_the_book_with_its_source(admin_client):
    """The form's script posts to the metadata API (static/js/detail.js); the value then shows in
    Details, credited to the manual entry, and the edit row shows it too."""
    item = make_item("Dune")
    reply = admin_client.post(
        f"/api/media/{item.pk}/fields/publisher",
        {"value": "Chilton Books", "lock": True},
        content_type="application/json",
    )
    assert reply.status_code == 200, reply.content
    tree = lxml.html.fromstring(_page(admin_client, item))
    publisher = tree.xpath("//*[@id='about']//dd[details[@data-prov='publisher']]")[0]
    assert "Chilton Books" in _text(publisher) and "Manual entry" in _text(publisher) and "locked" in _text(publisher)
    assert tree.xpath("//input[@id='field-publisher']/@value") == ["Chilton Books"]
    assert tree.xpath("//input[@id='lock-publisher']/@checked")
    assert "Chilton Books" in _text(tree.xpath("//*[@id='history']")[0])


def test_history_is_collapsed_and_cover_changes_read_as_words(admin_client):
    item = make_item("Excession")
    set_cover_from_upload(item, BIG)
    tree = lxml.html.fromstring(_page(admin_client, item))
    history = tree.xpath("//details[@id='history-details']")[0]
    assert history.get("open") is None and "a new cover" in _text(history)
