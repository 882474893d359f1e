"""Platform smoke journey: log in, start a job, watch its progress live, cancel it."""

from __future__ import annotations

import pytest

from core.models import Job, JobState
from tests.browser.conftest import log_in


@pytest.mark.django_db(transaction=True)
def test_login_then_activity_shows_live_progress_and_cancel(page, screenshot, admin_user, worker):
    page.goto("/activity/")
    assert "/accounts/login/" in page.url  # anonymous visitors are sent to the login page

    log_in(page, "admin", "pw-admin-123")
    page.goto("/activity/")
    page.get_by_role("button", name="Run self-test job").click()

    row = page.locator("tr[data-state='running']").first
    row.wait_for()
    page.wait_for_function(
        "() => { const p = document.querySelector(\"tr[data-state='running'] progress\");"
        " return p && Number(p.value) >= 2; }"
    )
    screenshot(page, "activity-running")
    row.get_by_role("button", name="Cancel").click()
    page.locator("tr[data-state='cancelled']").first.wait_for()
    screenshot(page, "activity-cancelled")

    job = Job.objects.get(kind="core.selftest")
    assert job.state == JobState.CANCELLED
    assert 0 < job.progress_done < job.progress_total


@pytest.mark.django_db(transaction=True)
def test_failed_login_shows_error_and_theme_toggle_persists(page, screenshot, admin_user):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text().startswith("Your username and password didn't match")

    log_in(page, "admin", "pw-admin-123")
    page.get_by_role("button", name="Switch theme").click()
    theme = page.evaluate("document.documentElement.dataset.theme")
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == theme == "dark"
    screenshot(page, "dashboard-dark")
