"""Progress and statuses through the JSON API: resumed on another device, last write wins by
server time, statuses move as reading does, and a hidden library's book answers 404 everywhere."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from reading import progress
from reading.models import ReadingProgress
from tests.reading.library import limit_to

pytestmark = pytest.mark.django_db


def _put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def _device(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_position_saved_on_one_device_is_found_on_another(reader_user, libraries):
    item = libraries.open_item
    phone, laptop = _device(reader_user), _device(reader_user)
    saved = _put(
        phone,
        f"/api/reading/progress/{item.pk}",
        {
            "file_id": libraries.open_file.pk,
            "locator": {"cfi": "epubcfi(/6/4!/4/2/1:0)"},
            "percent": 12.5,
            "device": "phone",
        },
    )
    assert saved.status_code == 200, saved.content
    data = laptop.get(f"/api/reading/progress/{item.pk}").json()["data"]
    assert data["locator"] == {"cfi": "epubcfi(/6/4!/4/2/1:0)"} and data["percent"] == 12.5
    assert data["file_id"] == libraries.open_file.pk and data["device"] == "phone"
    assert data["status"] == "reading" and data["started_at"] and data["finished_at"] is None


def test_the_last_write_wins_by_server_time_whatever_the_client_says(reader_client, libraries):
    url = f"/api/reading/progress/{libraries.open_item.pk}"
    _put(reader_client, url, {"locator": {"page": 40}, "percent": 40})
    second = _put(reader_client, url, {"locator": {"page": 10}, "percent": 10, "updated_at": "2099-01-01T00:00:00Z"})
    assert second.status_code == 200
    data = reader_client.get(url).json()["data"]
    assert data["locator"] == {"page": 10}
    assert data["updated_at"] < "2099"


def test_reaching_the_end_marks_the_book_read_with_the_finish_date(reader_client, libraries):
    url = f"/api/reading/progress/{libraries.open_item.pk}"
    data = _put(reader_client, url, {"locator": {"seconds": 3600.0}, "percent": 100}).json()["data"]
    assert data["status"] == "read" and data["finished_at"]


def test_saying_finished_marks_read_and_a_wanted_book_starts_reading_when_opened(reader_client, libraries):
    item = libraries.open_item
    assert _put(reader_client, f"/api/reading/status/{item.pk}", {"status": "want"}).json()["data"]["status"] == "want"
    data = _put(reader_client, f"/api/reading/progress/{item.pk}", {"locator": {"page": 3}, "percent": 2}).json()[
        "data"
    ]
    assert data["status"] == "reading"
    data = _put(
        reader_client, f"/api/reading/progress/{item.pk}", {"locator": {"page": 90}, "percent": 93, "status": "read"}
    ).json()["data"]
    assert data["status"] == "read" and data["finished_at"] and data["percent"] == 93


def test_clearing_a_status_keeps_the_position_and_forgets_an_empty_row(reader_client, reader_user, libraries):
    item = libraries.open_item
    _put(reader_client, f"/api/reading/status/{item.pk}", {"status": "want"})
    reader_client.delete(f"/api/reading/status/{item.pk}")
    assert not ReadingProgress.objects.filter(user=reader_user).exists()
    _put(reader_client, f"/api/reading/progress/{item.pk}", {"locator": {"page": 3}, "percent": 5})
    data = reader_client.delete(f"/api/reading/status/{item.pk}").json()["data"]
    assert data["status"] == "" and data["locator"] == {"page": 3}


def test_an_unknown_status_or_another_books_file_is_refused(reader_client, libraries):
    item = libraries.open_item
    assert _put(reader_client, f"/api/reading/status/{item.pk}", {"status": "abandoned"}).status_code == 422
    wrong = _put(
        reader_client,
        f"/api/reading/progress/{item.pk}",
        {"file_id": libraries.hidden_file.pk, "locator": {}, "percent": 1},
    )
    assert wrong.status_code == 404
    assert _put(reader_client, f"/api/reading/progress/{item.pk}", {"locator": {}, "percent": 101}).status_code == 422


def test_progress_is_per_user(reader_user, admin_user, libraries):
    url = f"/api/reading/progress/{libraries.open_item.pk}"
    _put(_device(reader_user), url, {"locator": {"page": 7}, "percent": 7})
    assert _device(admin_user).get(url).json()["data"]["locator"] == {}


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("get", "/api/reading/progress/{item}", None),
        ("put", "/api/reading/progress/{item}", {"locator": {"page": 1}, "percent": 1}),
        ("put", "/api/reading/status/{item}", {"status": "want"}),
        ("delete", "/api/reading/status/{item}", None),
    ],
)
def test_a_limited_reader_gets_404_for_a_hidden_librarys_book(
    reader_client, reader_user, libraries, method, path, body
):
    limit_to(reader_user, libraries.kids)
    for item, expected in ((libraries.hidden_item, 404), (libraries.open_item, 200)):
        url = path.format(item=item.pk)
        response = getattr(reader_client, method)(
            url, **({"data": json.dumps(body), "content_type": "application/json"} if body else {})
        )
        assert response.status_code == expected, (url, response.content)
    assert not ReadingProgress.objects.filter(user=reader_user, item=libraries.hidden_item).exists()


def test_continue_reading_lists_books_in_progress_latest_first_in_one_query(
    reader_user, reader_client, libraries, django_assert_num_queries
):
    from tests.reading.library import add_book

    later = add_book(libraries.kids, "Later")
    for item in (libraries.open_item, libraries.hidden_item, later.item):
        progress.save_progress(reader_user, item, locator={"page": 2}, percent=20)
    progress.set_status(reader_user, libraries.open_item, "read")
    limit_to(reader_user, libraries.kids)
    with django_assert_num_queries(1):
        rows = progress.continue_reading(reader_user)
        titles = [row.item.title for row in rows]
    assert titles == ["Later"]  # read books and hidden libraries' books are not offered
    data = reader_client.get("/api/reading/continue").json()["data"]
    assert [row["title"] for row in data] == ["Later"]


def test_the_dashboard_shows_the_continue_row_and_the_book_page_the_controls(reader_client, reader_user, libraries):
    progress.save_progress(reader_user, libraries.open_item, locator={"page": 2}, percent=42)
    dashboard = reader_client.get("/").content.decode()
    assert "Continue reading and listening" in dashboard and "Dune for Kids" in dashboard
    assert 'value="42"' in dashboard
    page = reader_client.get(f"/library/{libraries.open_item.pk}/").content.decode()
    assert "My reading" in page and "status-reading" in page and "42 %" in page


def test_the_book_page_of_a_hidden_book_offers_no_reading_controls(reader_client, reader_user, libraries):
    limit_to(reader_user, libraries.kids)
    response = reader_client.get(f"/library/{libraries.hidden_item.pk}/")
    assert "My reading" not in response.content.decode()


def test_a_percent_must_be_a_number_not_a_yes_or_no(reader_client, libraries):
    url = f"/api/reading/progress/{libraries.open_item.pk}"
    assert _put(reader_client, url, {"locator": {}, "percent": False}).status_code == 422
    assert _put(reader_client, url, {"locator": {}, "percent": 5}).status_code == 200
