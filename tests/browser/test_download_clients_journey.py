"""Settings > Download clients in the browser: add SABnzbd from a pasted API URL, the Test
button shows the live result with the suggested path mapping, which fills the form when
accepted; the key is never shown again."""

from __future__ import annotations

import pytest

from downloaders.models import DownloadClientConfig
from tests.acquisition.fakes import FakeSabnzbd
from tests.browser.conftest import log_in

KEY = "0123456789abcdef-browser-4321"


@pytest.fixture
def sab(tmp_path):
    (tmp_path / "complete").mkdir()
    server = FakeSabnzbd(
        complete_dir=tmp_path / "complete", api_key=KEY, client_complete_dir="/data/sabnzbd/complete"
    ).start()
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_add_test_and_map_a_sabnzbd_client(page, screenshot, admin_user, sab):
    log_in(page, admin_user.username, "pw-admin-123")
    page.goto("/settings/clients/")
    page.get_by_label("Add a client").select_option("sabnzbd")
    page.get_by_role("button", name="Add").click()
    page.get_by_label("Address").fill(f"{sab.url}/api?mode=queue&output=json&apikey={KEY}")
    page.get_by_label("Downloads folder").fill(str(sab.complete_dir))
    page.get_by_role("button", name="Test").click()
    result = page.locator("#test-result")
    result.get_by_text("SABnzbd 4.3.3 answers").wait_for()
    assert "Suggested path mapping: /data/sabnzbd/complete" in result.inner_text()
    page.get_by_role("button", name="Use the mapping /data/sabnzbd/complete").click()
    assert page.get_by_label("Client's folder (path mapping)").input_value() == "/data/sabnzbd/complete"
    screenshot(page, "download-client-tested")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/settings/clients/")
    config = DownloadClientConfig.objects.get()
    assert (config.base_path, config.api_key, config.remote_download_dir) == ("", KEY, "/data/sabnzbd/complete")
    assert KEY not in page.content()
    page.get_by_role("button", name="Test").click()
    page.locator("td.test-result").get_by_text("SABnzbd 4.3.3 answers").wait_for()
