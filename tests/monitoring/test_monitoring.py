"""Followed authors and series against the fake providers on 127.0.0.1 (recorded reply shapes,
tests/fixtures/sources.md): new books arrive once, modes, dismissals, series gaps, the iCal feed
and who may do what."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from icalendar import Calendar

from core.models import ApiKey
from media.models import Author, Contribution, Identifier, MediaItem, MediaKind, MediaStatus, Series
from monitoring import services
from monitoring.check import check_monitor
from monitoring.models import BookState, MonitoredAuthor, MonitoredBook, MonitoredSeries, MonitorMode
from search.models import SearchProvider
from tests.search.fakes import RECORDED_AUTHOR

pytestmark = pytest.mark.django_db
AUTHOR_KEY, AUTHOR_NAME = "OL1000001A", "Ada Monitored"


@pytest.fixture
def providers(live_providers):
    live_providers.catalogue.add_author(AUTHOR_KEY, AUTHOR_NAME)
    live_providers.catalogue.add_work(AUTHOR_KEY, "OL1000001W", "The First Book", first_publish_date="1999")
    live_providers.catalogue.add_work(AUTHOR_KEY, "OL1000002W", "The Second Book", first_publish_date="2004")
    return live_providers


def _follow(mode=MonitorMode.ALL, kind=MediaKind.EBOOK, name=AUTHOR_NAME) -> MonitoredAuthor:
    return services.follow_author(name=name, kind=kind, mode=mode)


def _wanted_titles() -> list[str]:
    return sorted(MediaItem.objects.filter(status=MediaStatus.WANTED).values_list("title", flat=True))


def test_a_new_book_by_a_followed_author_is_added_once_on_the_next_check(providers):
    monitor = _follow()
    check_monitor(monitor)
    assert _wanted_titles() == ["The First Book", "The Second Book"]
    assert monitor.provider_ids["openlibrary"] == AUTHOR_KEY  # found through /search.json?author=

    providers.catalogue.add_work(AUTHOR_KEY, "OL1000003W", "The Third Book", first_publish_date="2031-05-04")
    summary = check_monitor(MonitoredAuthor.objects.get(pk=monitor.pk))
    assert summary["counts"] == {"known": 2, BookState.ADDED: 1}
    assert _wanted_titles() == ["The First Book", "The Second Book", "The Third Book"]
    added = MonitoredBook.objects.get(external_id="OL1000003W")
    assert added.item.title == "The Third Book" and added.item.published == "2031-05-04"
    assert added.reason.startswith(f"New book by followed author {AUTHOR_NAME} found by Open Library on ")

    again = check_monitor(MonitoredAuthor.objects.get(pk=monitor.pk))
    assert again["counts"] == {"known": 3}
    assert MediaItem.objects.count() == 3


def test_the_recorded_author_works_reply_is_read(live_providers):
    monitor = _follow(name=RECORDED_AUTHOR[1])
    check_monitor(monitor)
    assert _wanted_titles() == ["Fokus : Erde : Focus"]
    item = MediaItem.objects.get()
    assert Identifier.objects.filter(item=item, scheme="openlibrary", value="OL21605151W").exists()


def test_future_only_skips_the_books_released_before_the_follow(providers):
    monitor = _follow(mode=MonitorMode.FUTURE)
    check_monitor(monitor)
    assert _wanted_titles() == []
    assert MonitoredBook.objects.filter(state=BookState.SEEN).count() == 2
    providers.catalogue.add_work(AUTHOR_KEY, "OL1000003W", "A Future Book", first_publish_date="2099-01-01")
    providers.catalogue.add_work(AUTHOR_KEY, "OL1000004W", "Undated But New")
    check_monitor(MonitoredAuthor.objects.get(pk=monitor.pk))
    assert _wanted_titles() == ["A Future Book", "Undated But New"]


def test_missing_only_skips_owned_books_and_all_keeps_them_monitored(providers):
    author = Author.objects.create(name=AUTHOR_NAME, sort_name="Monitored, Ada", normalized="ada monitored")
    owned = MediaItem.objects.create(title="The First Book", sort_title="first book", year=1999)
    Contribution.objects.create(item=owned, author=author)
    monitor = services.follow_author(author_id=author.pk, mode=MonitorMode.MISSING)
    check_monitor(monitor)
    assert _wanted_titles() == ["The Second Book"]
    matched = MonitoredBook.objects.get(external_id="OL1000001W")
    assert matched.state == BookState.MATCHED and matched.item == owned and not matched.monitored
    assert "title, authors and year agree" in matched.reason
    assert MediaItem.objects.get(pk=owned.pk).status == MediaStatus.IN_LIBRARY


def test_a_look_alike_title_goes_to_review_never_to_a_guess(providers):
    author = Author.objects.create(name=AUTHOR_NAME, sort_name="Monitored, Ada", normalized="ada monitored")
    other = MediaItem.objects.create(title="The First Book", sort_title="first book", year=1950)
    Contribution.objects.create(item=other, author=author)
    monitor = services.follow_author(author_id=author.pk)
    check_monitor(monitor)
    review = MonitoredBook.objects.get(external_id="OL1000001W")
    assert review.state == BookState.REVIEW and review.candidates[0]["item_id"] == other.pk
    assert _wanted_titles() == ["The Second Book"]
    services.resolve_review(review.pk, "want")
    assert _wanted_titles() == ["The First Book", "The Second Book"]


def test_a_removed_or_unwanted_book_is_never_added_again(providers):
    monitor = _follow()
    check_monitor(monitor)
    first = MediaItem.objects.get(title="The First Book")
    first.delete()  # removed (recycle bin, denied request): its ids are remembered
    second = MediaItem.objects.get(title="The Second Book")
    services_result = __import__("monitoring.dismissals", fromlist=["mark_unwanted"]).mark_unwanted(second.pk)
    assert services_result["removed_from_wanted"]
    MonitoredBook.objects.filter(state=BookState.ADDED).delete()  # even with the decisions forgotten
    monitor = MonitoredAuthor.objects.get(pk=monitor.pk)
    check_monitor(monitor)
    services.want_missing(MonitoredAuthor, monitor.pk)
    assert _wanted_titles() == []
    assert set(MonitoredBook.objects.values_list("state", flat=True)) == {BookState.DISMISSED}


def test_a_paused_monitor_or_a_kind_not_managed_adds_nothing(providers):
    from monitoring.check import check_all
    from monitoring.models import MonitoringSettings

    _follow(mode=MonitorMode.NONE)
    _follow(kind=MediaKind.AUDIOBOOK)
    MonitoringSettings.objects.update_or_create(pk=1, defaults={"kinds": "ebook,comic"})
    assert check_all()["monitors"] == 0
    assert MediaItem.objects.count() == 0


def test_series_gaps_are_listed_with_their_positions_and_wanted_in_one_click(live_providers):
    catalogue = live_providers.catalogue
    catalogue.add_issue("23437", 140530, "2", "Craphound", "2007-11-01")
    catalogue.add_issue("23437", 140531, "3", "Printcrime", "2007-12-01")
    series = Series.objects.create(title="Cory Doctorow's Futuristic Tales of the Here and Now",
                                   normalized="cory doctorows futuristic tales of the here and now",
                                   kind=MediaKind.COMIC)
    owned = MediaItem.objects.create(kind=MediaKind.COMIC, title="Anda's Game", sort_title="andas game",
                                     series=series, series_index=1, issue_number="1")
    Identifier.objects.create(item=owned, scheme="comicvine_volume", value="4050-23437")
    monitor = services.follow_series(series_id=series.pk, mode=MonitorMode.NONE)
    assert monitor.provider_ids == {"comicvine": "4050-23437"}  # taken from the series' issues
    summary = check_monitor(monitor)
    assert summary["counts"] == {BookState.MATCHED: 1, BookState.ADDED: 2}  # the check ignores mode: see below
    assert "Google Books: cannot list a series' books" in summary["skipped_providers"]


def test_want_all_missing_fills_the_gaps_of_a_paused_series(live_providers):
    catalogue = live_providers.catalogue
    catalogue.add_issue("23437", 140530, "2", "Craphound", "2007-11-01")
    series = Series.objects.create(title="Tales", normalized="tales", kind=MediaKind.COMIC)
    owned = MediaItem.objects.create(kind=MediaKind.COMIC, title="Anda's Game", sort_title="andas game",
                                     series=series, series_index=1, issue_number="1")
    monitor = services.follow_series(series_id=series.pk, comicvine_volume="4050-23437", mode=MonitorMode.FUTURE)
    check_monitor(monitor)  # future only, first check: the old issues are only listed
    monitor = MonitoredSeries.objects.get(pk=monitor.pk)
    gaps = services.gaps(monitor)
    assert [(g["position"], g["title"]) for g in gaps] == [("1", "Anda's Game"), ("2", "Craphound")]
    result = services.want_missing(MonitoredSeries, monitor.pk)
    assert result["added"] == 1
    assert MonitoredBook.objects.get(external_id="4000-140529").item == owned  # same position in the series
    wanted = MediaItem.objects.get(status=MediaStatus.WANTED)
    assert (wanted.title, wanted.issue_number) == ("Craphound", "2")
    assert services.gaps(MonitoredSeries.objects.get(pk=monitor.pk)) == []
    assert services.want_missing(MonitoredSeries, monitor.pk)["added"] == 0


def test_the_ical_feed_lists_wanted_releases_and_needs_the_api_key(client, reader_user):
    item = MediaItem.objects.create(title="Coming Soon", sort_title="coming soon", status=MediaStatus.WANTED,
                                    published=f"{date.today().year + 1}-03-04")
    MediaItem.objects.create(title="Owned", sort_title="owned", published=f"{date.today().year + 1}-03-05")
    assert client.get("/api/v1/calendar.ics").status_code == 401
    assert client.get("/api/v1/calendar.ics?apikey=wrong").status_code == 401
    key = ApiKey.issue(reader_user)
    response = client.get(f"/api/v1/calendar.ics?apikey={key}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [(str(e["summary"]), e.decoded("dtstart")) for e in events] == [
        ("Coming Soon", date(date.today().year + 1, 3, 4))]
    assert str(events[0]["uid"]).startswith(f"omnireadarr-item-{item.pk}@")


def _clients(reader_user, admin_user) -> tuple[Client, Client]:
    reader, admin = Client(), Client()
    reader.force_login(reader_user)
    admin.force_login(admin_user)
    return reader, admin


def test_readers_may_list_but_not_follow(reader_user, admin_user, providers):
    reader_client, admin_client = _clients(reader_user, admin_user)
    assert reader_client.get("/api/v1/monitoring/authors").status_code == 200
    body = {"name": AUTHOR_NAME, "kind": "ebook", "mode": "all"}
    assert reader_client.post("/api/v1/monitoring/authors", body, content_type="application/json").status_code == 403
    created = admin_client.post("/api/v1/monitoring/authors", body, content_type="application/json")
    assert created.status_code == 201
    monitor_id = created.json()["data"]["id"]
    again = admin_client.post("/api/v1/monitoring/authors", body, content_type="application/json")
    assert again.status_code == 409
    assert admin_client.post(f"/api/v1/monitoring/authors/{monitor_id}/want-missing").status_code == 409
    patched = admin_client.patch(f"/api/v1/monitoring/authors/{monitor_id}", {"mode": "future"},
                                 content_type="application/json")
    assert patched.json()["data"]["mode"] == "future"
    assert admin_client.post("/api/v1/monitoring/check").status_code == 202
    assert reader_client.delete(f"/api/v1/monitoring/authors/{monitor_id}").status_code == 403
    assert admin_client.delete(f"/api/v1/monitoring/authors/{monitor_id}").status_code == 200


def test_pages_render_for_readers_and_admins(reader_user, admin_user):
    reader_client, admin_client = _clients(reader_user, admin_user)
    author = Author.objects.create(name="Page Author", sort_name="Author, Page", normalized="page author")
    series = Series.objects.create(title="Page Series", normalized="page series")
    for client in (reader_client, admin_client):
        for url in ("/monitoring/", f"/monitoring/authors/{author.pk}/", f"/monitoring/series/{series.pk}/",
                    "/calendar/", "/calendar/?view=list", "/calendar/?month=2030-02"):
            assert client.get(url).status_code == 200, url
    assert reader_client.post("/monitoring/follow", {"name": "X"}).status_code == 403
    admin_client.post("/monitoring/follow", {"what": "author", "author_id": author.pk, "kind": "ebook", "mode": "all"})
    assert MonitoredAuthor.objects.filter(author=author).exists()


def test_providers_without_the_capability_are_skipped_with_the_reason(providers):
    SearchProvider.objects.filter(name="openlibrary").update(enabled=False)
    summary = check_monitor(_follow(kind=MediaKind.COMIC))
    assert summary["skipped_providers"] == ["Comic Vine: cannot list an author's works"]
    assert summary["listed"] == 0
