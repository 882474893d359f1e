"""Changing a source's trust rescores the books it touched (a background job with progress);
manual entries and locked fields still win. And the Data sources page and API."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core.models import Job, JobState
from media.models import MediaItem
from scanning.services import FolderInput, save_folder, scan_folder
from search.models import DataSource, MetadataChange, ResolvedField
from search.services import lock_field, set_manual_value
from search.services.scan_provenance import record_pending
from search.services.sources import rescore_source
from tests.scanning import samples as s

BOOKS = (("Dune", "Frank Herbert"), ("Emma", "Jane Austen"), ("Kindred", "Octavia E. Butler"))


def _scan_epub_and_pdf_editions(root: Path) -> dict[str, MediaItem]:
    """Each book as an English EPUB and a PDF whose metadata says French: one item, two
    language candidates (EPUB metadata 0.7 x 0.9 wins over PDF metadata 0.45 x 0.6)."""
    for number, (title, author) in enumerate(BOOKS):
        folder = root / author / title
        s.make_epub(folder / f"{title}.epub", s.Book(title, authors=((author, author),), language="en",
                                                    uuid=f"00000000-0000-4000-8000-00000000000{number}"))
        s.make_pdf(folder / f"{title}.pdf", title=title, author=author, xmp_language="fr")
    scan_folder(save_folder(FolderInput(path=str(root), content_type="ebooks")).pk)
    record_pending()
    items = {i.title: i for i in MediaItem.objects.all()}
    assert len(items) == 3 and {i.language for i in items.values()} == {"en"}
    return items


def _language(item: MediaItem) -> tuple[str, str]:
    resolved = ResolvedField.objects.select_related("source").get(item=item, field="language")
    return MediaItem.objects.get(pk=item.pk).language, resolved.source.name


def _finished(job_id: int) -> Job:
    for _ in range(600):
        job = Job.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.mark.django_db(transaction=True)
def test_lowering_a_sources_trust_rescores_existing_books_in_a_job(tmp_path, admin_client, worker):
    items = _scan_epub_and_pdf_editions(tmp_path / "library")
    set_manual_value(items["Emma"], "language", "de")
    lock_field(items["Kindred"], "language", locked=True)

    reply = admin_client.patch("/api/metadata/sources/embedded_epub", {"trust": 0.2}, content_type="application/json")
    assert reply.status_code == 200, reply.content
    body = reply.json()["data"]
    assert body["source"]["trust"] == 0.2 and body["rescore_job"]["kind"] == "search.rescore_source"
    job = _finished(body["rescore_job"]["id"])

    # languages of Dune; descriptions of all three (the PDFs' subject line): Emma's and Kindred's
    # languages are kept by the manual entry and the lock
    assert job.state == JobState.SUCCEEDED and job.result == {"items": 3, "changed": 4}
    assert job.progress_done == job.progress_total == 3
    assert _language(items["Dune"]) == ("fr", "embedded_pdf")  # PDF metadata 0.27 now beats EPUB 0.18
    assert _language(items["Emma"]) == ("de", "manual")  # a manual entry still wins
    assert _language(items["Kindred"])[0] == "en"  # a locked field is left alone
    change = MetadataChange.objects.get(item=items["Dune"], field="language")
    assert (change.old_source, change.new_source, change.reason) == ("embedded_epub", "embedded_pdf", "merge")


@pytest.mark.django_db
def test_rescoring_updates_the_scores_of_values_that_keep_their_source(tmp_path):
    items = _scan_epub_and_pdf_editions(tmp_path / "library")
    rescore_source("embedded_epub")  # the scores a merge gives at the default trust
    title = ResolvedField.objects.get(item=items["Dune"], field="title")
    DataSource.objects.filter(name="embedded_epub").update(trust=0.5)
    assert rescore_source("embedded_epub")["changed"] == 0
    before = title.score
    title.refresh_from_db()
    assert title.source.name == "embedded_epub" and title.score < before


@pytest.mark.django_db
def test_an_unchanged_trust_queues_no_job_and_readers_may_not_change_trust(admin_client, broker):
    reply = admin_client.patch("/api/metadata/sources/filename", {"trust": 0.3}, content_type="application/json")
    assert reply.status_code == 200 and reply.json()["data"]["rescore_job"] is None
    assert admin_client.patch("/api/metadata/sources/nothing", {"trust": 0.3},
                              content_type="application/json").status_code == 404
    assert admin_client.patch("/api/metadata/sources/filename", {"trust": 1.5},
                              content_type="application/json").status_code == 422


@pytest.mark.django_db
def test_readers_see_the_sources_but_cannot_change_trust(reader_client, broker):
    reply = reader_client.patch("/api/metadata/sources/filename", {"trust": 0.9}, content_type="application/json")
    assert reply.status_code == 403
    assert DataSource.objects.get(name="filename").trust == 0.3


@pytest.mark.django_db
def test_saving_a_trust_in_the_admin_queues_the_rescoring(admin_client, broker):
    source = DataSource.objects.get(name="embedded_pdf")
    reply = admin_client.post("/admin/search/datasource/", {
        "form-TOTAL_FORMS": 1, "form-INITIAL_FORMS": 1, "form-0-id": source.pk, "form-0-trust": "0.55",
        "_save": "Save"})
    assert reply.status_code == 302, reply.content[:2000]
    assert DataSource.objects.get(pk=source.pk).trust == 0.55
    assert Job.objects.filter(kind="search.rescore_source", target="datasource:embedded_pdf").exists()



@pytest.mark.django_db
def test_data_sources_page_and_api_show_trust_contributions_and_manual_overrides(tmp_path, reader_client):
    items = _scan_epub_and_pdf_editions(tmp_path / "library")
    set_manual_value(items["Emma"], "language", "de")  # a person corrects a value from the EPUB
    epub_values = ResolvedField.objects.filter(source__name="embedded_epub").count()
    assert epub_values > 10

    listed = {s["name"]: s for s in reader_client.get("/api/metadata/sources").json()["data"]}
    assert set(listed) == set(DataSource.objects.values_list("name", flat=True))
    epub = listed["embedded_epub"]
    assert (epub["trust"], epub["contributed"], epub["overridden"]) == (0.7, epub_values, 1)
    assert epub["accuracy"] == round(epub_values / (epub_values + 1), 4)
    assert listed["calibre"]["trust"] == 0.9 > listed["embedded_epub"]["trust"]
    assert (listed["manual"]["contributed"], listed["manual"]["overridden"]) == (1, 0)

    page = reader_client.get("/sources/")
    assert page.status_code == 200
    html = page.content.decode()
    row = html.split('data-source="embedded_epub"', 1)[1].split("</tr>", 1)[0]
    assert "EPUB metadata" in row and "0.70" in row and f">{epub_values}<" in row and ">1<" in row
    assert 'type="number"' not in html  # readers see the trust, admins edit it
    assert 'href="/sources/"' in reader_client.get("/settings/").content.decode()


@pytest.mark.django_db
def test_admins_get_a_trust_field_and_anonymous_visitors_the_login(client, admin_user):
    assert client.get("/sources/").status_code == 302
    client.force_login(admin_user)
    html = client.get("/sources/").content.decode()
    assert 'id="trust-calibre"' in html and 'value="0.90"' in html and "js/sources.js" in html


@pytest.mark.django_db(transaction=True)
def test_lowering_the_sidecars_trust_gives_the_epubs_own_title_back(tmp_path, admin_client, worker):
    """Both layers of one file are candidates: a trust change flips a value between them;
    a manual edit still wins."""
    library = tmp_path / "library"
    books = {}
    for number, title in enumerate(("The Dispossessed", "The Lathe of Heaven")):
        sidecar = s.Book(title, uuid=f"00000000-0000-4000-8000-0000000002a{number}")
        embedded = s.Book(f"{title} (working title)", authors=(("U. Kroeber", "Kroeber, U."),),
                          uuid=f"00000000-0000-4000-8000-0000000002b{number}")
        folder = library / "Ursula K. Le Guin" / title
        s.make_epub(folder / f"{title}.epub", embedded)
        s.make_opf(folder / "metadata.opf", sidecar)
        books[title] = embedded.title
    scan_folder(save_folder(FolderInput(path=str(library), content_type="ebooks")).pk)
    record_pending()
    items = {i.title: i for i in MediaItem.objects.all()}
    assert set(items) == set(books)
    set_manual_value(items["The Lathe of Heaven"], "title", "Lathe of Heaven")

    reply = admin_client.patch("/api/metadata/sources/opf", {"trust": 0.5}, content_type="application/json")
    assert reply.status_code == 200, reply.content
    job = _finished(reply.json()["data"]["rescore_job"]["id"])
    assert job.state == JobState.SUCCEEDED, job.error

    dispossessed = MediaItem.objects.get(pk=items["The Dispossessed"].pk)
    assert dispossessed.title == books["The Dispossessed"]  # EPUB 0.63 beats sidecar 0.475 + file name
    title = ResolvedField.objects.select_related("source").get(item=dispossessed, field="title")
    assert title.source.name == "embedded_epub"
    assert dispossessed.authors_display == "U. Kroeber"
    change = MetadataChange.objects.get(item=dispossessed, field="title")
    assert (change.old_source, change.new_source, change.reason) == ("opf", "embedded_epub", "merge")
    assert MediaItem.objects.get(pk=items["The Lathe of Heaven"].pk).title == "Lathe of Heaven"  # manual wins
