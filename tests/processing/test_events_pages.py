"""Import events (recorded at the end of every run and on undo, listed by the JSON API) and
the /imports/ pages (list with filters, run detail with steps, journal and actions)."""

from __future__ import annotations

import contextlib

import pytest

from core.errors import ServiceUnavailable
from processing import services
from processing.models import EventKind, ImportEvent, ImportRun
from tests.processing import samples
from tests.processing.conftest import make_item

pytestmark = pytest.mark.django_db


def run(storage, item, **kwargs) -> ImportRun:
    created = services.create_run(storage_path=str(storage), media_item_id=item.pk, **kwargs)
    with contextlib.suppress(services.ImportFailed, ServiceUnavailable):
        services.run_import(created.pk)
    created.refresh_from_db()
    return created


@pytest.fixture
def three_runs(dirs, import_settings, earthsea, earthsea_epub):
    """One imported, one failed (missing path), one sent to review (another book)."""
    imported = run(earthsea_epub.parent, earthsea)
    failed = run(dirs.downloads / "vanished", earthsea)
    other = samples.make_epub(dirs.downloads / "other.epub", title="Dune", authors=("Frank Herbert",))
    review = run(other, earthsea)
    return imported, failed, review


def test_every_finished_run_records_one_event_and_undo_another(three_runs, earthsea):
    imported, failed, review = three_runs
    kinds = {e.run_id: e for e in ImportEvent.objects.all()}
    assert {run_id: e.kind for run_id, e in kinds.items()} == {
        imported.pk: EventKind.IMPORTED,
        failed.pk: EventKind.FAILED,
        review.pk: EventKind.NEEDS_REVIEW,
    }
    assert kinds[imported.pk].title == "A Wizard of Earthsea" and kinds[imported.pk].media_item_id == earthsea.pk
    assert kinds[imported.pk].message.startswith("Filed 1 file in ") and "Earthsea" in kinds[imported.pk].message
    assert kinds[failed.pk].step == "locate" and "does not exist" in kinds[failed.pk].message
    assert kinds[review.pk].step == "identify" and "Dune" in kinds[review.pk].message

    services.undo_import(imported.pk)
    undone = ImportEvent.objects.filter(kind=EventKind.UNDONE).get()
    assert undone.run_id == imported.pk and "undone" in undone.message


def test_events_endpoint_pages_filters_and_polls(three_runs, reader_client):
    first = reader_client.get("/api/processing/events/?page_size=2").json()["data"]
    assert [e["kind"] for e in first["items"]] == ["needs_review", "failed"] and first["has_next"]
    second = reader_client.get("/api/processing/events/?page_size=2&page=2").json()["data"]
    assert [e["kind"] for e in second["items"]] == ["imported"] and not second["has_next"]

    failed = reader_client.get("/api/processing/events/?kind=failed").json()["data"]["items"]
    assert len(failed) == 1 and failed[0]["step"] == "locate"

    newest = first["items"][0]["id"]
    assert reader_client.get(f"/api/processing/events/?after_id={newest}").json()["data"]["items"] == []
    oldest = second["items"][0]["id"]
    newer = reader_client.get(f"/api/processing/events/?after_id={oldest}").json()["data"]["items"]
    assert len(newer) == 2
    assert reader_client.get("/api/processing/events/?kind=exploded").status_code == 422


def test_events_need_a_login(client):
    assert client.get("/api/processing/events/").status_code == 401


def test_imports_page_lists_runs_with_filters(three_runs, reader_client):
    imported, failed, review = three_runs
    page = reader_client.get("/imports/").content.decode()
    assert 'href="/imports/"' in page and ">Imports</a>" in page  # nav link
    for r in three_runs:
        assert f'data-run-id="{r.pk}"' in page
    assert "A Wizard of Earthsea" in page and "vanished" in page

    only_failed = reader_client.get("/imports/?status=failed").content.decode()
    assert f'data-run-id="{failed.pk}"' in only_failed and f'data-run-id="{imported.pk}"' not in only_failed
    by_step = reader_client.get("/imports/?step=identify").content.decode()
    assert f'data-run-id="{review.pk}"' in by_step and f'data-run-id="{failed.pk}"' not in by_step
    by_text = reader_client.get("/imports/?q=other.epub").content.decode()
    assert f'data-run-id="{review.pk}"' in by_text and f'data-run-id="{imported.pk}"' not in by_text
    junk = reader_client.get("/imports/?status=<script>&page=abc&step=../../")
    assert junk.status_code == 200 and "<script>" not in junk.content.decode().split("</header>")[1]


def test_imports_page_pages_and_keeps_filters(dirs, import_settings, earthsea, reader_client, monkeypatch):
    from processing import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(3):
        services.create_run(storage_path=f"/downloads/x{n}", media_item_id=earthsea.pk)
    first = reader_client.get("/imports/?status=pending").content.decode()
    assert "?status=pending&amp;page=2" in first and first.count("data-run-id=") == 2
    second = reader_client.get("/imports/?status=pending&page=2").content.decode()
    assert second.count("data-run-id=") == 1 and "?status=pending" in second


def test_run_detail_shows_steps_journal_and_admin_actions(three_runs, admin_client, reader_user):
    imported, failed, review = three_runs
    page = admin_client.get(f"/imports/{imported.pk}/").content.decode()
    for step in ("locate", "verify", "identify", "place", "sidecars", "catalogue"):
        assert f'data-step="{step}"' in page
    assert 'data-kind="hardlink"' in page and 'data-kind="write"' in page
    assert "A Wizard of Earthsea.epub" in page and "A Wizard of Earthsea.opf" in page
    assert 'id="undo"' in page and 'id="undo" disabled' not in page
    assert "js/imports.js" in page

    review_page = admin_client.get(f"/imports/{review.pk}/").content.decode()
    assert 'id="rerun-accept"' in review_page and 'id="undo" disabled' in review_page
    assert "Dune" in review_page and 'data-status="stopped"' in review_page

    admin_client.force_login(reader_user)  # the same test client, now a reader
    failed_page = admin_client.get(f"/imports/{failed.pk}/").content.decode()
    assert "does not exist" in failed_page and 'id="run-actions"' not in failed_page  # readers see no buttons
    assert admin_client.get("/imports/999999/").status_code == 404


def test_pages_need_a_login(client):
    assert client.get("/imports/").status_code in (302, 401)


def rerun_through_the_api(admin_client, run_id: int, payload: dict) -> ImportRun:
    """What the detail page's re-run buttons do; the new run is then run at once."""
    response = admin_client.post(f"/api/processing/rerun/{run_id}/", payload, content_type="application/json")
    assert response.status_code == 202
    new = ImportRun.objects.get(pk=response.json()["data"]["id"])
    services.run_import(new.pk)
    new.refresh_from_db()
    return new


def test_rerun_accepting_the_mismatch_from_the_detail_page_api(three_runs, admin_client, broker):
    _, _, review = three_runs
    new = rerun_through_the_api(admin_client, review.pk, {"accept_mismatch": True})
    assert new.post_process_status == "completed" and new.rerun_of_id == review.pk
    assert ImportEvent.objects.filter(run=new, kind=EventKind.IMPORTED).exists()
    page = admin_client.get(f"/imports/{review.pk}/").content.decode()
    assert f'href="/imports/{new.pk}/"' in page  # the re-run is linked from the original


def test_an_event_outlives_its_item(three_runs, earthsea):
    earthsea.delete()
    event = ImportEvent.objects.filter(kind=EventKind.IMPORTED).get()
    assert event.media_item_id is None and event.title == "A Wizard of Earthsea"


def test_item_without_title_uses_the_source_name(dirs, import_settings):
    item = make_item(title="Nothing Here")
    failed = run(dirs.downloads / "Some.Release.Name", item)
    item.delete()
    failed.refresh_from_db()
    from processing import events

    event = events.record_for_run(failed.pk)
    assert event is not None and event.title == "Some.Release.Name"
