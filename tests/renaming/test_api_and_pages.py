"""The JSON endpoints and pages, through the real worker on the stub broker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from media.models import LibraryFile
from processing.renaming.models import BatchState, RenameBatch
from processing.renaming.services import INLINE_PREVIEW_LIMIT
from tests.renaming.conftest import make_item, tree, wait_job


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db(transaction=True)
def test_preview_execute_revert_through_the_api(admin_client, library, broker, worker):
    make_item(library, "Dune", files=("a/dune.epub",), series="Dune", index="1")
    response = post(
        admin_client,
        "/api/rename/preview",
        {"predefined": "comprehensive", "selection": {"everything": True}, "policy": "skip"},
    )
    assert response.status_code == 202, response.content
    batch = response.json()["data"]
    assert batch["state"] == BatchState.PLANNED and batch["totals"]["planned"] == 1
    page = admin_client.get(f"/api/rename/preview/{batch['id']}?page=1&page_size=10").json()["data"]
    assert page["total"] == 1
    planned = page["items"][0]["destination"]
    assert planned == str(library / "Herbert, Frank/Dune/Dune.epub")

    job = post(admin_client, "/api/rename/execute", {"batch_id": batch["id"]}).json()["data"]
    assert wait_job(broker, worker, job["id"]).state == "succeeded"
    assert LibraryFile.objects.get().path == planned and Path(planned).is_file()  # same path as the preview

    job = post(admin_client, "/api/rename/revert", {"batch_id": batch["id"]}).json()["data"]
    assert wait_job(broker, worker, job["id"]).state == "succeeded"
    assert tree(library) == {"a/dune.epub"}
    history = admin_client.get("/api/rename/batches").json()["data"]["items"]
    assert history[0]["state"] == BatchState.REVERTED


@pytest.mark.django_db(transaction=True)
def test_big_preview_is_planned_in_the_background_and_paged(admin_client, library, broker, worker):
    for n in range(INLINE_PREVIEW_LIMIT + 5):
        make_item(library, f"Book {n:03d}", files=(f"in/{n:03d}.epub",))
    batch = post(
        admin_client,
        "/api/rename/preview",
        {"template": "${author}/${title}.${ext}", "selection": {"kind": "ebook"}},
    ).json()["data"]
    assert batch["state"] == BatchState.PLANNING and batch["job_id"]
    assert wait_job(broker, worker, batch["job_id"]).state == "succeeded"
    assert RenameBatch.objects.get(pk=batch["id"]).totals["planned"] == INLINE_PREVIEW_LIMIT + 5
    second = admin_client.get(f"/api/rename/preview/{batch['id']}?page=2&page_size=100").json()["data"]
    assert len(second["items"]) == 100 and second["has_next"] and second["total"] == INLINE_PREVIEW_LIMIT + 5


@pytest.mark.django_db
def test_invalid_template_answers_with_position(admin_client, library):
    response = post(admin_client, "/api/rename/templates", {"name": "bad", "template": "${author}/${titel}"})
    assert response.status_code == 422
    body = response.json()
    assert body["error_code"] == "invalid_template" and body["details"]["position"] == 10
    response = post(
        admin_client, "/api/rename/preview", {"template": "${nope}", "selection": {"everything": True}}
    )
    assert response.status_code == 422


@pytest.mark.django_db
def test_template_crud_and_live_sample(admin_client, library):
    item = make_item(library, "Dune", files=("a/dune.epub",))
    created = post(admin_client, "/api/rename/templates", {"name": "Mine", "template": "${author}/${title}"})
    assert created.status_code == 201
    template_id = created.json()["data"]["id"]
    names = [t["name"] for t in admin_client.get("/api/rename/templates").json()["data"]]
    assert "Comprehensive" in names and "Mine" in names
    sample = post(
        admin_client,
        "/api/rename/templates/check",
        {"template": "${author}/${title}.${ext}", "item_id": item.pk},
    ).json()["data"]
    assert sample["path"] == "Frank Herbert/Dune.epub" and sample["source"].endswith("dune.epub")
    updated = admin_client.put(
        f"/api/rename/templates/{template_id}",
        data=json.dumps({"name": "Mine", "template": "${title}"}),
        content_type="application/json",
    )
    assert updated.json()["data"]["template"] == "${title}"
    assert admin_client.delete(f"/api/rename/templates/{template_id}").status_code == 200
    tokens = [t["token"] for t in admin_client.get("/api/rename/tokens").json()["data"]]
    assert "${bookseries.titleSortable}" in tokens and len(tokens) == 24


@pytest.mark.django_db
def test_readers_cannot_rename(reader_client, library):
    response = post(
        reader_client,
        "/api/rename/preview",
        {"predefined": "comprehensive", "selection": {"everything": True}},
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_overwrite_batch_needs_confirmation_through_the_api(admin_client, library):
    make_item(library, "Dune", files=("a/dune.epub",))
    (library / "Frank Herbert").mkdir()
    (library / "Frank Herbert/Dune.epub").write_text("old")
    batch = post(
        admin_client,
        "/api/rename/preview",
        {"template": "${author}/${title}.${ext}", "policy": "overwrite", "selection": {"everything": True}},
    ).json()["data"]
    response = post(admin_client, "/api/rename/execute", {"batch_id": batch["id"]})
    assert response.status_code == 422 and "confirm" in response.json()["error"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/rename-books/", "/rename-books/templates/", "/rename-books/history/"])
def test_pages_render(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b"rename" in response.content.lower()
