"""The migration that replaced SabnzbdConfig by DownloadClientConfig: every SABnzbd row is
copied (kind "sabnzbd", same settings) and the attempts that named a row name its copy; the
reverse brings SabnzbdConfig back."""

from __future__ import annotations

import pytest

from tests.migrations import migrate

BEFORE = [("downloaders", "0002_history_cleanup")]
AFTER = [("downloaders", "0003_client_config")]


@pytest.mark.django_db(transaction=True)
def test_sabnzbd_rows_become_download_clients_and_attempts_follow(back_to_latest):
    old = migrate(BEFORE)
    Sab, Attempt = old.get_model("downloaders", "SabnzbdConfig"), old.get_model("downloaders", "DownloadAttempt")
    Item = old.get_model("media", "MediaItem")
    gone = Sab.objects.create(name="Deleted", url="http://x:8080", api_key="x")
    Sab.objects.create(
        name="Home",
        url="http://nas:8080",
        base_path="/sabnzbd",
        api_key="k1",
        category_comic="",
        priority=1,
        enabled=False,
        last_test_ok=True,
    )
    office = Sab.objects.create(name="Office", url="http://office:8080", api_key="k2")
    gone.delete()
    item = Item.objects.create(title="Dune", sort_title="dune")
    sent = Attempt.objects.create(item=item, release_title="r", guid="g", client_config_id=office.pk, state="failed")

    new = migrate(AFTER)
    Client = new.get_model("downloaders", "DownloadClientConfig")
    rows = {c.name: c for c in Client.objects.all()}
    assert set(rows) == {"Home", "Office"} and {c.kind for c in rows.values()} == {"sabnzbd"}
    copied = rows["Home"]
    assert (copied.url, copied.base_path, copied.api_key, copied.category_comic, copied.priority) == (
        "http://nas:8080",
        "/sabnzbd",
        "k1",
        "",
        1,
    )
    assert copied.enabled is False and copied.last_test_ok is True and copied.order < rows["Office"].order
    attempt = new.get_model("downloaders", "DownloadAttempt").objects.get(pk=sent.pk)
    assert attempt.client_config_id == rows["Office"].pk

    back = migrate(BEFORE)
    names = set(back.get_model("downloaders", "SabnzbdConfig").objects.values_list("name", flat=True))
    assert names == {"Home", "Office"}
