"""Reading lists in: each format's sample through the identification rules (ISBN first, the
matcher with the fake providers), rows left for review, a second import without duplicates,
providers down, the job, the pages and the JSON API."""

from __future__ import annotations

import pytest
from django.test import Client

from media.models import MediaItem, MediaStatus
from readinglists import services
from readinglists.models import ImportRow, ListEntry, ListImport
from tests.conftest import run_queued_jobs
from tests.readinglists import samples

pytestmark = pytest.mark.django_db


def _run(data: bytes, *, shelves: list[str] | None = None, kind: str | None = None) -> ListImport:
    created = services.create_import(data, filename="list.csv")
    ListImport.objects.filter(pk=created.pk).update(state="queued", **(
        {"wanted_shelves": shelves} if shelves is not None else {}), **({"kind": kind} if kind else {}))
    services.run_import(created.pk)
    return ListImport.objects.get(pk=created.pk)


def _report(list_import: ListImport) -> dict[str, tuple[str, str]]:
    return {r.title: (r.outcome, r.reason) for r in ImportRow.objects.filter(list_import=list_import)}


def test_goodreads_to_read_rows_become_wanted_unknown_ones_wait_for_review(providers, owned):
    done = _run(samples.goodreads())
    report = _report(done)
    assert report["Use of Weapons"][0] == "added"  # by ISBN at Open Library
    item = MediaItem.objects.get(title="Use of Weapons")
    assert item.status == MediaStatus.WANTED and item.isbn13 == "9780316030571"
    assert report[samples.UNKNOWN[0]] == ("review", "no metadata provider knows this book")
    assert report[samples.OWNED[0]][0] == "matched" and "owned" in report[samples.OWNED[0]][1]
    assert report["Dune"] == ("skipped", "shelf not chosen (read, favorites)")
    assert report["Project Hail Mary"] == ("skipped", "shelf not chosen (currently-reading)")
    assert done.state == "done"
    assert {k: done.counts[k] for k in ("added", "matched", "review", "skipped", "total")} == {
        "added": 1, "matched": 1, "review": 1, "skipped": 2, "total": 5}
    assert not MediaItem.objects.filter(title=samples.UNKNOWN[0]).exists()  # never a guess


def test_a_second_import_of_the_same_list_adds_nothing_twice(providers, owned):
    _run(samples.goodreads())
    items = MediaItem.objects.count()
    again = _run(samples.goodreads())
    report = _report(again)
    assert MediaItem.objects.count() == items
    assert again.counts["added"] == 0
    assert report["Use of Weapons"][0] == "skipped" and report["Use of Weapons"][1].startswith("already imported")
    assert report[samples.UNKNOWN[0]][0] == "review"  # asked again, still one entry
    assert ListEntry.objects.filter(title=samples.UNKNOWN[0]).count() == 1
    assert ListEntry.objects.filter(title="Use of Weapons").count() == 1


def test_storygraph_sample_with_chosen_statuses(providers):
    done = _run(samples.storygraph(), shelves=["to-read", "did-not-finish"])
    report = _report(done)
    assert report["Use of Weapons"][0] == "added"
    assert report[samples.UNKNOWN[0]][0] == "review"
    assert report["Dune"][0] == "skipped"
    assert report["Nemesis Games"][0] in ("added", "review")  # chosen: identified, not skipped
    assert report["Nemesis Games"][0] != "skipped"


def test_plain_list_is_wanted_whole_and_an_owned_isbn_is_matched(providers, owned):
    done = _run(samples.plain())
    report = _report(done)
    assert report["Use of Weapons"][0] == "added"
    assert report[samples.UNKNOWN[0]][0] == "review"
    assert report[samples.OWNED[0]][0] == "matched"
    assert done.wanted_shelves == [""]


def test_the_same_book_twice_in_one_file_is_imported_once(providers):
    data = samples.plain() + f"{samples.USE_OF_WEAPONS[0]},{samples.USE_OF_WEAPONS[1]},9780316030571\r\n".encode()
    report = list(ImportRow.objects.filter(list_import=_run(data)).order_by("number").values_list("outcome",
                                                                                               "reason"))
    assert report[-1] == ("skipped", "the same book as row 1")


def test_without_providers_an_isbn_row_is_added_as_written_and_the_rest_waits(providers):
    providers.stop()
    report = _report(_run(samples.plain()))
    assert report["Use of Weapons"][0] == "added" and "no metadata provider could be asked" in report[
        "Use of Weapons"][1]
    assert report[samples.UNKNOWN[0]] == ("review", "no metadata provider could be asked and the row has no ISBN")


def test_a_row_left_for_review_can_be_dismissed_or_added_as_written(providers, owned):
    _run(samples.goodreads())
    entry = services.review_entries().get()
    assert services.resolve_entry(entry.pk, action="dismiss").dismissed
    report = _report(_run(samples.goodreads()))
    assert report[samples.UNKNOWN[0]] == ("skipped", "dismissed at review in an earlier import")
    _run(samples.plain())
    other = services.review_entries().get()
    settled = services.resolve_entry(other.pk, action="add")
    assert settled.outcome == "added" and settled.item.title == samples.UNKNOWN[0]
    assert _report(_run(samples.plain()))[samples.UNKNOWN[0]][1].startswith("already imported")


def test_hostile_rows_are_skipped_with_the_reason_and_nothing_is_added(providers):
    data = samples._csv(["title", "author", "isbn"], [
        {"title": '=HYPERLINK("http://evil.example","Click")', "author": "X", "isbn": ""},
        {"title": "", "author": "Nobody", "isbn": ""},
    ])
    report = list(ImportRow.objects.filter(list_import=_run(data)).values_list("outcome", "reason"))
    assert report == [("skipped", "the title or author looks like a spreadsheet formula"), ("skipped", "no title")]
    assert not MediaItem.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_import_runs_as_a_job_with_progress(broker, worker, providers, admin_user):
    created = services.create_import(samples.plain(), filename="plain.csv")
    started = services.start_import(created.pk, wanted_shelves=[""], kind="ebook", user=admin_user)
    run_queued_jobs(broker, worker, fail_fast=False, timeout_ms=60_000)
    done = ListImport.objects.get(pk=created.pk)
    assert done.state == "done" and done.counts["total"] == 3
    from core.models import Job

    job = Job.objects.get(pk=started.job_id)
    assert job.state == "succeeded" and job.progress_done == 3


def test_api_upload_preview_run_report_and_review(admin_client, broker, providers, owned, reader_user):
    upload = admin_client.post("/api/v1/reading-lists/upload", {"file": _file(samples.goodreads())})
    assert upload.status_code == 201, upload.content
    data = upload.json()["data"]
    assert data["preview"]["format"] == "goodreads"
    assert {s["name"]: s["wanted"] for s in data["preview"]["shelves"]}["to-read"] is True
    assert data["preview"]["sample"][2]["action"] == "not chosen"
    import_id = data["list_import"]["id"]
    bad = admin_client.post(f"/api/v1/reading-lists/{import_id}/run", {"wanted_shelves": ["nope"]},
                            content_type="application/json")
    assert bad.status_code == 409
    run = admin_client.post(f"/api/v1/reading-lists/{import_id}/run", {"wanted_shelves": ["to-read"]},
                            content_type="application/json")
    assert run.status_code == 202 and run.json()["data"]["state"] == "queued"
    again = admin_client.post(f"/api/v1/reading-lists/{import_id}/run", {}, content_type="application/json")
    assert again.status_code == 409  # already queued
    services.run_import(import_id)  # the job, without a worker
    rows = admin_client.get(f"/api/v1/reading-lists/{import_id}/rows?outcome=review").json()["data"]
    assert [r["title"] for r in rows["items"]] == [samples.UNKNOWN[0]] and rows["total"] == 1
    review = admin_client.get("/api/v1/reading-lists/review").json()["data"]["items"]
    assert [e["title"] for e in review] == [samples.UNKNOWN[0]]
    settled = admin_client.post(f"/api/v1/reading-lists/review/{review[0]['id']}", {"action": "dismiss"},
                                content_type="application/json")
    assert settled.status_code == 200 and settled.json()["data"]["outcome"] == "skipped"
    text = admin_client.post("/api/v1/reading-lists/", {"content": samples.plain().decode(), "filename": "p.csv"},
                             content_type="application/json")
    assert text.status_code == 201 and text.json()["data"]["list_import"]["format"] == "plain"
    reader = Client()
    reader.force_login(reader_user)
    assert reader.get("/api/v1/reading-lists/").status_code == 403
    assert reader.get("/reading-lists/").status_code == 403


def test_api_refuses_hostile_uploads_with_422(admin_client):
    for data in (b"\x00\x01binary", b"name,year\nx,1\n", b"title,author\n\"" + b"x" * 200_000 + b"\",y\n"):
        answer = admin_client.post("/api/v1/reading-lists/upload", {"file": _file(data)})
        assert answer.status_code == 422, answer.content
    assert not ListImport.objects.exists()


def test_pages_upload_preview_run_and_report(admin_client, broker, providers):
    page = admin_client.post("/reading-lists/", {"file": _file(samples.storygraph())})
    assert page.status_code == 302
    list_import = ListImport.objects.get()
    detail = admin_client.get(page.url).content.decode()
    assert "StoryGraph export: 4 rows" in detail and 'value="to-read" checked' in detail
    run = admin_client.post(f"/reading-lists/{list_import.pk}/run/", {"shelves": ["to-read"], "kind": "ebook"})
    assert run.status_code == 302
    assert "Importing" in admin_client.get(run.url).content.decode()
    services.run_import(list_import.pk)
    report = admin_client.get(run.url).content.decode()
    assert 'id="list-report"' in report and "no metadata provider knows this book" in report
    review = admin_client.get("/reading-lists/review/").content.decode()
    assert samples.UNKNOWN[0] in review
    bad = admin_client.post("/reading-lists/", {"file": _file(b"name,year\nx,1\n")}, follow=True)
    assert "not one of a Goodreads export" in bad.content.decode()


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("list.csv", data, content_type="text/csv")


TIME_WAR = ("This Is How You Lose the Time War", "Amal El-Mohtar")


def test_title_and_author_alone_wait_for_review_and_a_candidate_can_be_accepted(providers):
    done = _run(f"title,author\r\n{TIME_WAR[0]},{TIME_WAR[1]}\r\n".encode())
    outcome, reason = _report(done)[TIME_WAR[0]]
    assert outcome == "review" and reason.startswith("not a safe match (medium)")
    entry = services.review_entries().get()
    assert len(entry.candidates) == 2 and entry.candidates[0]["provider"] == "openlibrary"
    settled = services.resolve_entry(entry.pk, action="accept", candidate=0)
    assert settled.outcome == "added" and settled.item.identifiers.filter(scheme="openlibrary").exists()
    with pytest.raises(Exception, match="not waiting for review"):
        services.resolve_entry(entry.pk, action="dismiss")

