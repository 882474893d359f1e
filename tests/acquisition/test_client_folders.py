"""The completed-folder advice (defect 1): when to import from the client's folder, when to
suggest a path mapping."""

from __future__ import annotations

import pytest

from downloaders.folders import advise

HERE = {"/downloads", "/downloads/complete", "/srv/sab/complete"}


@pytest.mark.parametrize(
    ("client", "ours", "level", "local", "remote"),
    [
        ("/downloads/complete", "/downloads/complete", "ok", "/downloads/complete", ""),
        ("/downloads/complete/", "/downloads", "ok", "/downloads", ""),
        ("/downloads/complete", "", "ok", "/downloads/complete", ""),
        (
            "/config/Downloads/complete",
            "/downloads/complete",
            "warning",
            "/downloads/complete",
            "/config/Downloads/complete",
        ),
        (
            "C:\\Users\\me\\Downloads\\complete",
            "/mnt/pc-downloads",
            "warning",
            "/mnt/pc-downloads",
            "C:\\Users\\me\\Downloads\\complete",
        ),
        ("/config/Downloads/complete", "", "warning", "", ""),
        ("/srv/sab/complete", "/downloads", "warning", "/downloads", ""),
        ("Downloads/complete", "/downloads", "warning", "/downloads", ""),
        ("", "/downloads", "warning", "/downloads", ""),
        (
            "/downloads/completed-other",
            "/downloads/complete",
            "warning",
            "/downloads/complete",
            "/downloads/completed-other",
        ),
    ],
)
def test_folder_advice(client, ours, level, local, remote):
    advice = advise(client, ours, "SABnzbd", is_dir=HERE.__contains__)
    assert (advice.level, advice.local, advice.remote) == (level, local, remote), advice.text


def test_a_mapping_is_suggested_in_words():
    advice = advise("/config/complete", "/downloads", "SABnzbd", is_dir=HERE.__contains__)
    assert "Suggested path mapping: /config/complete → /downloads" in advice.text
