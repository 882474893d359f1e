"""Who reaches the OPDS catalogue and what they see: reading apps log in with HTTP Basic (the app
user's name and password) or an API key, never meet the log-in page; django-axes locks out
guessing through Basic as on the log-in page; a reader limited to some libraries never meets a
hidden library's book, author, series, facet count, file, cover or comic page in any feed."""

from __future__ import annotations

import base64
import json

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from core.models import ApiKey
from reading.models import ReadingProgress, ReadingStatus, Shelf, ShelfEntry
from tests.reading.opds_checks import NS, links_by_rel, opds2_errors, parse_atom
from tests.reading.opds_library import limit_to, make_library

pytestmark = pytest.mark.django_db
HIDDEN_WORDS = ("Secret Diary", "Zelda Hidden", "Private Diaries", "Dune (private copy)", "shared-private")


@pytest.fixture
def library(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    return make_library(tmp_path, settings.DATA_DIR)


@pytest.fixture(autouse=True)
def _forget_remembered_credentials():
    cache.clear()
    yield
    cache.clear()


def basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def test_an_app_without_credentials_gets_a_basic_challenge_not_the_login_page(client, library):
    for url in (
        reverse("opds:root"),
        reverse("opds:v2-books"),
        reverse("opds:download", args=[library.cbz.pk]),
        reverse("opds:pse-page", args=[library.cbz.pk, 0]),
        reverse("opds:opensearch"),
    ):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == 'Basic realm="OmniReadarr", charset="UTF-8"'


def test_basic_auth_with_the_app_users_password_opens_the_catalogue(client, reader_user, library):
    response = client.get(reverse("opds:root"), **basic("reader", "pw-reader-123"))
    assert parse_atom(response).findtext("a:title", "", NS) == "OmniReadarr"
    assert "sessionid" not in response.cookies  # no session is made for every app request
    pdf = next(f for f in library.dune.files.all() if f.format == "pdf")
    download = client.get(reverse("opds:download", args=[pdf.pk]), **basic("reader", "pw-reader-123"))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 dune"


@pytest.mark.parametrize(
    "header",
    [
        "Basic " + base64.b64encode(b"reader:wrong").decode(),
        "Basic !!notbase64",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Bearer abc",
    ],
)
def test_wrong_or_malformed_credentials_are_refused_with_the_challenge(client, reader_user, library, header):
    response = client.get(reverse("opds:root"), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Basic ")


def test_an_inactive_user_cannot_use_the_catalogue(client, reader_user, library):
    reader_user.is_active = False
    reader_user.save()
    assert client.get(reverse("opds:root"), **basic("reader", "pw-reader-123")).status_code == 401


def test_guessing_passwords_through_basic_auth_locks_out_as_the_login_page_does(client, reader_user, settings, library):
    settings.AXES_FAILURE_LIMIT = 3
    assert client.get(reverse("opds:root"), **basic("reader", "pw-reader-123")).status_code == 200  # remembered
    for _ in range(2):
        assert client.get(reverse("opds:root"), **basic("reader", "guess")).status_code == 401
    assert client.get(reverse("opds:root"), **basic("reader", "guess")).status_code == 429  # the limit reached
    assert AccessAttempt.objects.get(username="reader").failures_since_start == 3
    locked = client.get(reverse("opds:root"), **basic("reader", "pw-reader-123"))
    assert locked.status_code == 429  # even the right password, even though it was remembered
    assert Client().get(reverse("opds:root"), **basic("admin", "pw-admin-123")).status_code == 401  # no such user
    AccessAttempt.objects.all().delete()  # the cool-off ends (or an admin resets it)
    assert client.get(reverse("opds:root"), **basic("reader", "pw-reader-123")).status_code == 200


def test_a_changed_password_is_not_remembered(client, reader_user, library):
    assert client.get(reverse("opds:root"), **basic("reader", "pw-reader-123")).status_code == 200
    reader_user.set_password("new-password-456")
    reader_user.save()
    assert client.get(reverse("opds:root"), **basic("reader", "pw-reader-123")).status_code == 401
    assert client.get(reverse("opds:root"), **basic("reader", "new-password-456")).status_code == 200


def test_the_api_key_works_as_header_or_query_and_every_link_keeps_it(client, reader_user, library):
    key = ApiKey.issue(reader_user)
    assert client.get(reverse("opds:root"), HTTP_X_API_KEY=key).status_code == 200
    assert client.get(reverse("opds:root") + "?apikey=wrong").status_code == 401
    feed = parse_atom(client.get(reverse("opds:books") + f"?kind=comic&apikey={key}"))
    entry = feed.find("a:entry", NS)
    hrefs = [link.get("href") for link in links_by_rel(feed, "self") + links_by_rel(entry, None)]
    assert hrefs and all(f"apikey={key}" in href for href in hrefs)
    stream = links_by_rel(entry, "http://vaemendis.net/opds-pse/stream")[0].get("href")
    page = client.get(stream.replace("{pageNumber}", "0"))
    assert page.status_code == 200 and page["Content-Type"] == "image/jpeg"
    description = client.get(links_by_rel(feed, "search")[0].get("href"))
    assert f"apikey={key}" in description.content.decode()
    document = client.get(reverse("opds:v2-root") + f"?apikey={key}").json()
    assert all(f"apikey={key}" in link["href"] for link in document["links"] + document["navigation"])


def test_a_browser_session_works_too(reader_client, library):
    assert reader_client.get(reverse("opds:root")).status_code == 200


# --- visibility ------------------------------------------------------------------------------


def _every_feed(client, library, reader_user, version: int) -> dict[str, str]:
    prefix = "opds:" if version == 1 else "opds:v2-"
    shelf = Shelf.objects.create(user=reader_user, name="Mine")
    for item in (library.dune, library.secret):
        ShelfEntry.objects.create(shelf=shelf, item=item)
        ReadingProgress.objects.create(user=reader_user, item=item, status=ReadingStatus.READING, percent=5)
    smart = Shelf.objects.create(user=reader_user, name="Diaries", query="diary OR dune")
    urls = [
        reverse(prefix + name) for name in ("root", "recent", "books", "authors", "series-list", "shelves", "continue")
    ]
    urls += [
        reverse(prefix + "shelf", args=[shelf.pk]),
        reverse(prefix + "shelf", args=[smart.pk]),
        reverse(prefix + "author", args=[library.herbert.pk]),
        reverse(prefix + "series", args=[library.dune.series_id]),
    ]
    urls += [
        reverse(prefix + "search") + f"?q={q}"
        for q in ("secret", "diary", "zelda", "author:hidden", "dune", "private", "*")
    ]
    urls += [reverse(prefix + "books") + f"?{facet}" for facet in ("language=de", "format=azw3", "kind=ebook")]
    bodies = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.content.decode()
    return bodies


@pytest.mark.parametrize("version", [1, 2])
def test_a_limited_reader_never_meets_a_hidden_librarys_book_anywhere(client, reader_user, library, version):
    limit_to(reader_user, library.shared)
    client.force_login(reader_user)
    bodies = _every_feed(client, library, reader_user, version)
    private_copy = library.dune.files.get(format="azw3")
    for url, body in bodies.items():
        leaked = [word for word in HIDDEN_WORDS if word in body]
        assert leaked == [], f"{url} shows {leaked}"
        assert f"item:{library.secret.pk}<" not in body and f'item:{library.secret.pk}"' not in body, url
        assert f"/files/{private_copy.pk}/" not in body and "vnd.amazon.mobi8-ebook" not in body, url
        if version == 2:
            assert opds2_errors(json.loads(body)) == [], url
    assert "Dune" in bodies[reverse(("opds:" if version == 1 else "opds:v2-") + "search") + "?q=dune"]


def test_a_limited_readers_facet_counts_count_only_what_they_see(client, reader_user, library):
    limit_to(reader_user, library.shared)
    client.force_login(reader_user)
    feed = parse_atom(client.get(reverse("opds:books")))
    titles = {
        (link.get(f"{{{NS['opds']}}}facetGroup"), link.get("title")): link.get(f"{{{NS['thr']}}}count")
        for link in links_by_rel(feed, "http://opds-spec.org/facet")
    }
    assert ("Language", "de") not in titles and ("Format", "AZW3") not in titles
    assert titles[("Kind", "Ebooks")] == "2" and titles[("Format", "EPUB")] == "2"


def test_a_hidden_librarys_files_covers_pages_and_feeds_are_not_found(client, reader_user, library):
    limit_to(reader_user, library.shared)
    client.force_login(reader_user)
    hidden_file = library.secret.files.get()
    private_copy = library.dune.files.get(format="azw3")
    for url in (
        reverse("opds:download", args=[hidden_file.pk]),
        reverse("opds:download", args=[private_copy.pk]),
        reverse("opds:cover", args=[library.secret.pk]),
        reverse("opds:cover-thumb", args=[library.secret.pk]),
        reverse("opds:author", args=[library.hidden_author.pk]),
        reverse("opds:series", args=[library.hidden_series.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("opds:cover", args=[library.dune.pk])).status_code == 200


def test_comic_pages_of_a_hidden_library_are_not_found(client, reader_user, library):
    limit_to(reader_user, library.private)
    client.force_login(reader_user)
    assert client.get(reverse("opds:pse-page", args=[library.cbz.pk, 0])).status_code == 404
    feed = parse_atom(client.get(reverse("opds:books")))
    assert [e.findtext("a:title", "", NS) for e in feed.findall("a:entry", NS)] == ["Dune", "Secret Diary"]
    assert not links_by_rel(feed, "http://vaemendis.net/opds-pse/stream")


def test_a_reader_with_no_library_sees_an_empty_catalogue(client, reader_user, library):
    limit_to(reader_user)
    client.force_login(reader_user)
    for name in ("opds:books", "opds:recent", "opds:authors", "opds:series-list"):
        assert parse_atom(client.get(reverse(name))).findall("a:entry", NS) == [], name
    assert parse_atom(client.get(reverse("opds:search") + "?q=dune")).findall("a:entry", NS) == []
    assert opds2_errors(client.get(reverse("opds:v2-books")).json()) == []


def test_a_book_whose_files_went_away_leaves_even_a_remembered_listing(client, reader_user, library):
    client.force_login(reader_user)
    before = parse_atom(client.get(reverse("opds:recent")))  # the listing is now remembered for a minute
    assert "Dune Messiah" in [e.findtext("a:title", "", NS) for e in before.findall("a:entry", NS)]
    library.messiah.files.update(state="missing")
    after = parse_atom(client.get(reverse("opds:recent")))
    assert "Dune Messiah" not in [e.findtext("a:title", "", NS) for e in after.findall("a:entry", NS)]
