"""Live pages answer with their first screen in the HTML: the view embeds (json_script) exactly
the `data` the page script's first API requests would get, so content shows after one round trip."""

from __future__ import annotations

import json
import re

import pytest

from tests.ui.factories import LIVE_LIST_TEXTS, seed_live_lists

# page, id of the embedded payload, {key inside it (None: the whole payload): the API request it stands for}
PAGES = [
    ("/activity/", "jobs-data", {None: "/api/jobs/?page=1&page_size=25"}),
    ("/", "running-jobs-data", {None: "/api/jobs/?active=true&page_size=10"}),
    ("/library/scanning/", "scanning-data", {
        "folders": "/api/scanning/folders",
        "runs": "/api/scanning/runs?page_size=20",
        "problems": "/api/scanning/files/corrupt?page_size=100",
    }),
    ("/downloads/", "downloads-queue-data", {
        "queue": "/api/downloads/queue/",
        "history": "/api/downloads/history/?page_size=50",
    }),
    ("/downloads/wanted/", "downloads-wanted-data", {None: "/api/downloads/wanted/?page=1&page_size=50"}),
    ("/downloads/blacklist/", "downloads-blacklist-data",
     {None: "/api/downloads/blacklist/?page_size=200&active=true"}),
    ("/rename-books/history/", "rename-batches-data", {None: "/api/rename/batches?page=1&page_size=25"}),
]
# The seeded row each page must carry in its first response.
SEEN = {
    "/activity/": ["jobs"],
    "/": ["jobs"],
    "/library/scanning/": ["folders", "runs", "problems"],
    "/downloads/": ["queue", "history"],
    "/downloads/wanted/": ["wanted"],
    "/downloads/blacklist/": ["blacklist"],
    "/rename-books/history/": ["batches"],
}


def embedded(response, element_id: str):
    html = response.content.decode()
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found, f"no embedded {element_id} in the page"
    return json.loads(found.group(1))


@pytest.fixture
def seeded(db):
    seed_live_lists()


@pytest.mark.parametrize(("path", "element_id", "requests"), PAGES, ids=[p[0] for p in PAGES])
def test_live_page_embeds_its_first_screen(admin_client, seeded, path, element_id, requests):
    payload = embedded(admin_client.get(path), element_id)
    text = json.dumps(payload)
    for key in SEEN[path]:
        assert LIVE_LIST_TEXTS[key] in text


@pytest.mark.parametrize(("path", "element_id", "requests"), PAGES, ids=[p[0] for p in PAGES])
def test_embedded_first_screen_is_what_the_api_answers(reader_client, seeded, path, element_id, requests):
    payload = embedded(reader_client.get(path), element_id)
    for key, url in requests.items():
        api = reader_client.get(url)
        assert api.status_code == 200, api.content
        assert (payload if key is None else payload[key]) == api.json()["data"], url


@pytest.mark.parametrize("path", [p[0] for p in PAGES])
def test_live_page_shows_nothing_to_anonymous_visitors(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not any(text.encode() in response.content for text in LIVE_LIST_TEXTS.values())


def test_activity_embeds_the_filter_of_its_link(admin_client, seeded):
    from core.models import Job, JobState

    Job.objects.create(kind="core.selftest", state=JobState.FAILED, last_error="Disk full")
    payload = embedded(admin_client.get("/activity/?state=failed"), "jobs-data")
    assert [job["last_error"] for job in payload["items"]] == ["Disk full"]
    everything = embedded(admin_client.get("/activity/?state=nonsense"), "jobs-data")
    assert len(everything["items"]) == 2


def test_reader_gets_the_rows_without_the_admin_actions(reader_client, seeded):
    response = reader_client.get("/activity/")
    assert embedded(response, "jobs-data")["items"][0]["message"] == LIVE_LIST_TEXTS["jobs"]
    assert b'data-can-manage="0"' in response.content and b"Run self-test job" not in response.content
