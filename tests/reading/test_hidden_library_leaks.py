"""A reader limited to some libraries learns nothing about a hidden library's book from the
places around the catalogue (issue 19, "a reader never sees a hidden library's book"): the
wanted/owned status, a duplicate refusal, the metadata search's "in your library", indexer search
results, download attempts, the queue, the history, the wanted lists, the blacklist, the
*arr-compatible queue and calendar, the events feed and the dashboard's counts. Admins still see
everything there."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from core import events
from core.models import ApiKey
from downloaders.models import AttemptState, DownloadAttempt
from indexers.models import BlacklistEntry, SearchResult
from media.dashboard import live_counts
from media.models import Identifier, MediaItem, MediaStatus
from tests.reading.library import Libraries, limit_to

pytestmark = pytest.mark.django_db

HIDDEN_ISBN = "9780441013593"
OPEN_ISBN = "9780593099322"


@dataclass
class Acquisition:
    open_item: MediaItem
    hidden_item: MediaItem
    open_attempt: DownloadAttempt
    hidden_attempt: DownloadAttempt
    hidden_done: DownloadAttempt


def _attempt(item: MediaItem, release: str, state: str) -> DownloadAttempt:
    return DownloadAttempt.objects.create(item=item, state=state, release_title=release, guid=release, size=10)


@pytest.fixture
def acquisition(libraries: Libraries) -> Acquisition:
    """Both books have an ISBN, a search result, an active download (an upgrade in flight), a
    finished one and a blacklisted release; both are wanted again (status wanted, files kept)."""
    hidden, open_ = libraries.hidden_item, libraries.open_item
    for item, isbn in ((hidden, HIDDEN_ISBN), (open_, OPEN_ISBN)):
        item.isbn13, item.status, item.published = isbn, MediaStatus.WANTED, "2030-01-02"
        item.save()
        Identifier.objects.create(item=item, scheme="openlibrary", value=f"OL{item.pk}W")
        name = item.title.replace(" ", ".")
        SearchResult.objects.create(item=item, guid=f"{name}.r", title=f"{name}.Result.epub", protocol="usenet")
        BlacklistEntry.objects.create(item=item, title=f"{name}.Banned.epub", guid=f"{name}.b")
    return Acquisition(
        open_, hidden,
        _attempt(open_, "Dune.for.Kids.Active.epub", AttemptState.DOWNLOADING),
        _attempt(hidden, "Dune.Unabridged.Active.epub", AttemptState.DOWNLOADING),
        _attempt(hidden, "Dune.Unabridged.Done.epub", AttemptState.IMPORTED),
    )


@pytest.fixture
def limited(reader_user, libraries) -> Client:
    limit_to(reader_user, libraries.kids)
    client = Client()
    client.force_login(reader_user)
    return client


def _data(client: Client, url: str, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()["data"]


def test_the_status_of_a_hidden_librarys_isbn_or_record_is_not_in_the_library(limited, admin_client, acquisition):
    hidden = acquisition.hidden_item
    for params in ({"isbn": HIDDEN_ISBN}, {"provider": "openlibrary", "external_id": f"OL{hidden.pk}W"}):
        assert _data(limited, "/api/v1/media/status/", **params) == {
            "exists": False, "item_id": None, "kind": None, "status": None, "title": None, "matched_by": None}
        assert _data(admin_client, "/api/v1/media/status/", **params)["item_id"] == hidden.pk
    assert _data(limited, "/api/v1/media/status/", isbn=OPEN_ISBN)["item_id"] == acquisition.open_item.pk


def test_a_request_for_a_hidden_librarys_book_reads_like_any_request_and_wants_no_second_copy(
        limited, admin_client, acquisition):
    response = limited.post("/api/v1/media/wanted/manual", {"title": "Dune", "isbn13": "978-0-441-01359-3"},
                            content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.content.decode()
    assert "Unabridged" not in body and str(acquisition.hidden_item.pk) not in response.json()["data"].values()
    request = MediaItem.objects.get(pk=response.json()["data"]["id"])
    assert request.status == MediaStatus.REQUESTED and request.pk != acquisition.hidden_item.pk
    refused = admin_client.post(f"/api/v1/media/wanted/{request.pk}/approve")
    assert refused.status_code == 409 and "Dune Unabridged" in refused.json()["error"]
    assert refused.json()["details"]["item_id"] == acquisition.hidden_item.pk
    request.refresh_from_db()
    assert request.status == MediaStatus.REQUESTED  # nothing is searched or grabbed twice
    assert admin_client.post(f"/api/v1/media/wanted/{request.pk}/deny").status_code == 200


def test_a_duplicate_the_reader_may_see_or_an_admins_is_still_refused(limited, admin_client, acquisition):
    visible = limited.post("/api/v1/media/wanted/manual", {"title": "Dune", "isbn13": OPEN_ISBN},
                           content_type="application/json")
    assert visible.status_code == 409 and visible.json()["details"]["item_id"] == acquisition.open_item.pk
    admin = admin_client.post("/api/v1/media/wanted/manual", {"title": "Dune", "isbn13": HIDDEN_ISBN},
                              content_type="application/json")
    assert admin.status_code == 409 and admin.json()["details"]["item_id"] == acquisition.hidden_item.pk


def test_search_results_and_attempts_of_a_hidden_book_do_not_exist(limited, admin_client, acquisition):
    hidden, open_ = acquisition.hidden_item, acquisition.open_item
    hidden_urls = [f"/api/v1/downloads/search/{hidden.pk}/results/", f"/api/v1/downloads/attempts/{hidden.pk}/",
                   f"/api/v1/downloads/attempt/{acquisition.hidden_attempt.pk}/status/",
                   f"/api/v1/downloads/attempt/{acquisition.hidden_done.pk}/status/"]
    for url in hidden_urls:
        assert limited.get(url).status_code == 404, url
        assert admin_client.get(url).status_code == 200, url
    assert [r["title"] for r in _data(limited, f"/api/v1/downloads/search/{open_.pk}/results/")] == [
        "Dune.for.Kids.Result.epub"]
    assert [a["id"] for a in _data(limited, f"/api/v1/downloads/attempts/{open_.pk}/")] == [
        acquisition.open_attempt.pk]


def test_the_queue_history_wanted_list_and_blacklist_leave_out_a_hidden_book(limited, admin_client, acquisition):
    open_, hidden = acquisition.open_item, acquisition.hidden_item
    assert [a["item_id"] for a in _data(limited, "/api/v1/downloads/queue/")] == [open_.pk]
    assert _data(limited, "/api/v1/downloads/history/") | {"items": []} == {
        "items": [], "page": 1, "page_size": 50, "has_next": False, "total": 0}
    assert [i["id"] for i in _data(limited, "/api/v1/downloads/wanted/")["items"]] == [open_.pk]
    assert [e["title"] for e in _data(limited, "/api/v1/downloads/blacklist/")["items"]] == [
        "Dune.for.Kids.Banned.epub"]
    assert {i["id"] for i in _data(admin_client, "/api/v1/downloads/wanted/")["items"]} == {open_.pk, hidden.pk}
    assert len(_data(admin_client, "/api/v1/downloads/queue/")) == 2


@pytest.mark.parametrize("url", ["/downloads/", "/downloads/wanted/", "/downloads/blacklist/", "/wanted/"])
def test_the_acquisition_pages_do_not_name_a_hidden_book(limited, admin_client, acquisition, url):
    page = limited.get(url)
    assert page.status_code == 200
    assert "Unabridged" not in page.content.decode()
    assert "Dune" in page.content.decode()  # the open book is there
    assert "Unabridged" in admin_client.get(url).content.decode()


def test_the_arr_queue_and_calendar_leave_out_a_hidden_book(reader_user, libraries, acquisition):
    limit_to(reader_user, libraries.kids)
    key = ApiKey.issue(reader_user)
    queue = Client().get("/api/v1/queue", {"apikey": key}).json()
    assert queue["totalRecords"] == 1 and [r["bookId"] for r in queue["records"]] == [acquisition.open_item.pk]
    assert Client().get("/api/v1/queue/status", {"apikey": key}).json()["totalCount"] == 1
    calendar = Client().get("/api/v1/calendar", {"apikey": key, "start": "2030-01-01", "end": "2030-01-05"}).json()
    assert [book["id"] for book in calendar] == [acquisition.open_item.pk]


def test_the_calendar_page_and_ical_feed_leave_out_a_hidden_book(reader_user, libraries, acquisition):
    limit_to(reader_user, libraries.kids)
    key = ApiKey.issue(reader_user)
    feed = Client().get("/api/v1/calendar.ics", {"apikey": key, "future_days": 3650}).content.decode()
    assert "Dune for Kids" in feed and "Unabridged" not in feed
    reader = Client()
    reader.force_login(reader_user)
    for page in ("/calendar/?month=2030-01", "/calendar/?view=list"):
        html = reader.get(page).content.decode()
        assert "Unabridged" not in html, page
    assert "Dune for Kids" in reader.get("/calendar/?month=2030-01").content.decode()


def test_the_events_feed_and_dashboard_leave_out_events_about_a_hidden_book(limited, admin_client, acquisition):
    events.emit("book_wanted", title="Wanted: Dune Unabridged", data={"item_id": acquisition.hidden_item.pk})
    events.emit("book_wanted", title="Wanted: Dune for Kids", data={"item_id": acquisition.open_item.pk})
    events.emit("health_raised", title="The disk is nearly full")
    titles = [e["title"] for e in _data(limited, "/api/v1/notifications/events")["items"]]
    assert titles == ["The disk is nearly full", "Wanted: Dune for Kids"]
    assert len(_data(admin_client, "/api/v1/notifications/events")["items"]) == 3
    dashboard = limited.get("/").content.decode()
    assert "Wanted: Dune for Kids" in dashboard and "Unabridged" not in dashboard


def test_the_dashboards_counts_leave_out_a_hidden_librarys_books(reader_user, admin_user, libraries):
    limit_to(reader_user, libraries.kids)
    assert sum(kind["total"] for kind in live_counts(reader_user)["kinds"]) == 1
    assert sum(kind["total"] for kind in live_counts(admin_user)["kinds"]) == 2


def test_imports_of_a_hidden_book_are_not_listed_or_found(limited, admin_client, libraries):
    from processing.models import EventKind, ImportEvent, ImportRun

    runs = {}
    for item in (libraries.open_item, libraries.hidden_item):
        runs[item.pk] = ImportRun.objects.create(storage_path=f"/downloads/{item.title}", media_item=item)
        ImportEvent.objects.create(kind=EventKind.IMPORTED, run=runs[item.pk], media_item=item, title=item.title)
    hidden_run, open_run = runs[libraries.hidden_item.pk], runs[libraries.open_item.pk]
    assert [r["id"] for r in _data(limited, "/api/v1/processing/runs/")["items"]] == [open_run.pk]
    assert [e["title"] for e in _data(limited, "/api/v1/processing/events/")["items"]] == ["Dune for Kids"]
    for url in (f"/api/v1/processing/runs/{hidden_run.pk}/", f"/imports/{hidden_run.pk}/"):
        assert limited.get(url).status_code == 404, url
        assert admin_client.get(url).status_code == 200, url
    page = limited.get("/imports/").content.decode()
    assert "Dune for Kids" in page and "Unabridged" not in page
    assert len(_data(admin_client, "/api/v1/processing/runs/")["items"]) == 2


def test_a_job_about_a_hidden_book_is_not_listed_or_found(limited, admin_client, libraries):
    from core.models import Job

    hidden = Job.objects.create(kind="downloaders.search_item", target=f"item:{libraries.hidden_item.pk}",
                                message="Searching Dune Unabridged")
    shown = [Job.objects.create(kind="downloaders.search_item", target=f"item:{libraries.open_item.pk}"),
             Job.objects.create(kind="scanning.scan_folder", target="scanfolder:1"),
             Job.objects.create(kind="odd", target="item:not-a-number")]
    assert sorted(j["id"] for j in _data(limited, "/api/v1/jobs/")["items"]) == sorted(j.pk for j in shown)
    assert limited.get(f"/api/v1/jobs/{hidden.pk}").status_code == 404
    assert admin_client.get(f"/api/v1/jobs/{hidden.pk}").status_code == 200
    assert "Unabridged" not in limited.get("/activity/").content.decode()
    assert len(_data(admin_client, "/api/v1/jobs/")["items"]) == 4


def test_the_renamer_names_no_hidden_book_by_id_or_in_a_plan(limited, admin_client, libraries):
    from processing.renaming.models import RenameBatch, RenameOperation

    hidden, open_ = libraries.hidden_item, libraries.open_item
    page = limited.get("/rename-books/", {"items": f"{hidden.pk},{open_.pk}"}).content.decode()
    assert "Dune for Kids" in page and "Unabridged" not in page
    assert "Unabridged" in admin_client.get("/rename-books/", {"items": str(hidden.pk)}).content.decode()
    batch = RenameBatch.objects.create(root="/", template="${title}.${ext}", selection={"everything": True})
    for seq, item in enumerate((open_, hidden)):
        RenameOperation.objects.create(batch=batch, seq=seq, item=item, source=item.files.get().path,
                                       destination=f"/renamed/{item.title}.epub")
    moves = _data(limited, f"/api/v1/rename/preview/{batch.pk}")["items"]
    assert [m["item_id"] for m in moves] == [open_.pk]
    assert len(_data(admin_client, f"/api/v1/rename/preview/{batch.pk}")["items"]) == 2


def test_the_scanning_page_and_api_leave_out_a_hidden_library_and_its_problem_files(
        limited, admin_client, libraries):
    from media.models import FileState, LibraryFile
    from scanning.models import ScanRun

    kids, private = libraries.kids, libraries.private
    for folder in (kids, private):
        ScanRun.objects.create(folder=folder)
        LibraryFile.objects.create(path=f"{folder.path}/{folder.name} Broken Secret.epub", size=1, mtime_ns=1,
                                   format="epub", state=FileState.CORRUPT)
    assert [f["id"] for f in _data(limited, "/api/v1/scanning/folders")] == [kids.pk]
    assert [r["folder_id"] for r in _data(limited, "/api/v1/scanning/runs")["items"]] == [kids.pk]
    corrupt = _data(limited, "/api/v1/scanning/files/corrupt")
    assert [f["path"] for f in corrupt["items"]] == [f"{kids.path}/Kids Broken Secret.epub"] and corrupt["total"] == 1
    for url in (f"/api/v1/scanning/folders/{private.pk}", f"/api/v1/scanning/runs?folder_id={private.pk}",
                f"/api/v1/scanning/files/corrupt?folder_id={private.pk}"):
        assert limited.get(url).status_code == 404, url
        assert admin_client.get(url).status_code == 200, url
    page = limited.get("/library/scanning/").content.decode()
    assert "Private Broken Secret" not in page and private.path not in page
    assert len(_data(admin_client, "/api/v1/scanning/files/corrupt")["items"]) == 2


def test_the_author_picker_leaves_out_an_author_only_of_hidden_books(limited, admin_client, libraries):
    from media.models import Contribution
    from tests.ui.factories import author

    Contribution.objects.create(item=libraries.open_item, author=author("Frank Herbert"), position=0)
    Contribution.objects.create(item=libraries.hidden_item, author=author("Frank Herbert"), position=0)
    Contribution.objects.create(item=libraries.hidden_item, author=author("Secret Ghostwriter"), position=1)
    assert [a["name"] for a in _data(limited, "/api/v1/authors/")["items"]] == ["Frank Herbert"]
    assert _data(limited, "/api/v1/authors/", q="ghost")["items"] == []
    assert [a["name"] for a in _data(admin_client, "/api/v1/authors/", q="ghost")["items"]] == ["Secret Ghostwriter"]
