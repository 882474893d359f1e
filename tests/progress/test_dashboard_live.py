"""Issue 20, defect 5: right after the wizard the dashboard said "Nothing imported yet" while
the first scan ran, and never refreshed. The dashboard now shows the scan's progress on top
and redraws its counts from /dashboard/live while a scan runs."""

from __future__ import annotations

import json
import re

import pytest

from core.models import Job, JobState
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


def _running_scan(**fields) -> Job:
    return Job.objects.create(
        kind="scanning.scan_folder", target="scanfolder:1", state=JobState.RUNNING, progress_done=3000, **fields
    )


def test_the_dashboard_shows_a_running_first_scan_instead_of_nothing_imported(admin_client):
    _running_scan(message="3000 files checked, 2990 added")
    html = admin_client.get("/").content.decode()
    assert "Nothing imported yet" not in html
    assert "The first scan is running" in html
    section = re.search(r'<section id="scan-progress"[^>]*>', html).group(0)
    assert "hidden" not in section
    scans = json.loads(re.search(r'id="scan-jobs-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert [j["message"] for j in scans["items"]] == ["3000 files checked, 2990 added"]


def test_the_scan_progress_is_hidden_without_a_scan_and_nothing_imported_offers_an_action(admin_client):
    html = admin_client.get("/").content.decode()
    assert re.search(r'<section id="scan-progress"[^>]* hidden>', html)
    assert "Nothing imported yet" in html and 'href="/library/scanning/"' in html


def test_the_live_counts_follow_the_catalogue(admin_client):
    _running_scan()
    first = admin_client.get("/dashboard/live").content.decode()
    assert re.search(r'<span class="num">0</span> ebooks', first)
    for i in range(3):
        make_item(f"Book {i}")
    later = admin_client.get("/dashboard/live").content.decode()
    assert re.search(r'<span class="num">3</span> ebooks', later) and "Book 2" in later


def test_the_scanning_page_shows_the_scan_progress_on_top(admin_client):
    _running_scan(message="12 files checked, 3 added")
    html = admin_client.get("/library/scanning/").content.decode()
    assert html.index('id="scan-progress"') < html.index('id="folders-h"')
    assert "12 files checked, 3 added" in html


def test_the_counts_say_one_book_in_the_singular(admin_client):
    make_item("Watchmen #1", kind="comic")
    for i in range(2):
        make_item(f"Book {i}")
    html = admin_client.get("/dashboard/live").content.decode()
    assert re.search(r'<span class="num">1</span> comic[ <]', html)  # not "1 comics"
    assert re.search(r'<span class="num">2</span> ebooks', html)


def test_the_live_counts_need_a_login(client):
    assert client.get("/dashboard/live").status_code == 302
