"""scripts/sabnzbd-notify.py run as SABnzbd runs it (a separate Python process, the arguments and
environment SABnzbd 5.0 gives a notification or a post-processing script) against the app served
on 127.0.0.1 (issue 18, defect 7)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.models import ApiKey, Job
from downloaders import automation
from downloaders.models import DownloadAttempt
from tests.acquisition.conftest import make_item

pytestmark = pytest.mark.django_db(transaction=True)
SCRIPT = Path(__file__).resolve().parents[2] / "scripts/sabnzbd-notify.py"


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.fixture
def sent(acquisition, broker) -> DownloadAttempt:
    item = make_item()
    automation.search_and_grab(item.pk)
    return DownloadAttempt.objects.get(item=item)


def _checks() -> list[dict]:
    return list(Job.objects.filter(kind="downloaders.check_downloads").values_list("params", flat=True))


def test_notification_script_names_the_finished_job(live_server, sent, admin_user):
    key = ApiKey.issue(admin_user)
    done = _run(
        "complete", "SABnzbd: Job finished", sent.release_title, SAB_NOTIFICATION_PARAMETERS=f"{live_server.url} {key}"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "checks the download now" in done.stdout
    assert _checks() == [{"config_id": sent.client_config_id, "attempt_ids": [sent.pk], "round": 0}]


def test_post_processing_script_sends_the_job_id(live_server, sent, admin_user):
    done = _run(
        "/data/complete/books/x", "x.nzb", "x", "", "books", "", "0",
        SAB_NZO_ID=sent.client_job_id, SAB_FINAL_NAME="renamed by SABnzbd", SAB_CAT="books", SAB_PP_STATUS="0",
        OMNI_URL=live_server.url, OMNI_API_KEY=ApiKey.issue(admin_user),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert [c["attempt_ids"] for c in _checks()] == [[sent.pk]]


def test_script_says_what_went_wrong_and_ignores_other_notifications(live_server, db):
    wrong = _run("complete", "t", "Some.Job", SAB_NOTIFICATION_PARAMETERS=f"{live_server.url} not-a-key")
    assert wrong.returncode == 1 and "HTTP 401" in wrong.stdout
    unset = _run("complete", "t", "Some.Job")
    assert unset.returncode == 1 and "Parameters" in unset.stdout
    other = _run("download", "SABnzbd: Added NZB", "Some.Job")
    assert other.returncode == 0 and "Nothing to tell" in other.stdout
    assert _checks() == []
