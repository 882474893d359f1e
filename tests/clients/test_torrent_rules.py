"""Pure torrent rules: info hashes, qBittorrent states, seeders in the score, the seeding goal
and the import's transfer mode while a client seeds. No daemon needed."""

from __future__ import annotations

import base64
import hashlib
from types import SimpleNamespace

import pytest

from core.errors import InvalidInput
from downloaders.clients.base import ClientSettings, JobState
from downloaders.clients.qbittorrent import torrent_status
from downloaders.clients.torrentfiles import info_hash_of_magnet, info_hash_of_torrent
from indexers.clients.base import Release
from indexers.releases import parse_release
from indexers.scoring import ScoringPrefs, WantedBook, score_release
from processing.steps.place import transfer_mode

INFO = b"d6:lengthi5e4:name5:a.txt12:piece lengthi32768e6:pieces20:" + b"x" * 20 + b"e"
HASH = hashlib.sha1(INFO).hexdigest()


def test_info_hash_is_the_sha1_of_the_info_dictionary_as_written():
    torrent = b"d8:announce9:http://x/7:comment3:hi!4:info" + INFO + b"e"
    assert info_hash_of_torrent(torrent) == HASH


@pytest.mark.parametrize(
    "data", [b"", b"garbage", b"d8:announce9:http://x/e", b"d4:infoi3ee", b"d4:info" + INFO[:-5], b"l4:infoe"]
)
def test_broken_torrent_files_are_refused_clearly(data):
    with pytest.raises(InvalidInput, match=r"Not a valid \.torrent file"):
        info_hash_of_torrent(data)


@pytest.mark.parametrize(
    "magnet",
    [
        f"magnet:?xt=urn:btih:{HASH}&dn=A",
        f"magnet:?dn=A&xt=urn:btih:{HASH.upper()}&tr=http://t/announce",
        f"magnet:?xt=urn:btih:{base64.b32encode(bytes.fromhex(HASH)).decode()}",
    ],
)
def test_magnet_info_hash_in_hex_or_base32(magnet):
    assert info_hash_of_magnet(magnet) == HASH


@pytest.mark.parametrize("url", ["magnet:?dn=NoHash", "magnet:?xt=urn:btih:123", "http://x/a.torrent"])
def test_links_without_an_info_hash_are_refused(url):
    with pytest.raises(InvalidInput):
        info_hash_of_magnet(url)


# The fields of a real qbittorrent-nox 4.5.2 torrents/info row (recorded on the test daemon).
ROW = {
    "hash": "ABAB" * 10,
    "name": "Andy Weir - Project Hail Mary.epub",
    "category": "books",
    "content_path": "/downloads/Andy Weir - Project Hail Mary.epub",
    "save_path": "/downloads",
    "size": 1625,
    "amount_left": 0,
    "progress": 1,
    "eta": 8640000,
    "ratio": 1.5,
    "seeding_time": 600,
}


@pytest.mark.parametrize(
    ("raw", "state", "seeding"),
    [
        ("metaDL", JobState.DOWNLOADING, False),
        ("stalledDL", JobState.DOWNLOADING, False),
        ("downloading", JobState.DOWNLOADING, False),
        ("queuedDL", JobState.QUEUED, False),
        ("pausedDL", JobState.QUEUED, False),
        ("checkingDL", JobState.QUEUED, False),
        ("uploading", JobState.COMPLETED, True),
        ("stalledUP", JobState.COMPLETED, True),
        ("queuedUP", JobState.COMPLETED, True),
        ("forcedUP", JobState.COMPLETED, True),
        ("pausedUP", JobState.COMPLETED, False),
        ("moving", JobState.POST_PROCESSING, False),
        ("error", JobState.FAILED, False),
        ("missingFiles", JobState.FAILED, False),
    ],
)
def test_qbittorrent_states(raw, state, seeding):
    status = torrent_status(ROW | {"state": raw})
    assert (status.state, status.seeding, status.job_id) == (state, seeding, "abab" * 10)
    assert status.storage_path == (ROW["content_path"] if state == JobState.COMPLETED else "")
    assert bool(status.fail_message) == (state == JobState.FAILED)


def test_completed_torrent_without_content_path_uses_save_path_and_name():
    status = torrent_status(ROW | {"state": "stalledUP", "content_path": ""})
    assert status.storage_path == "/downloads/Andy Weir - Project Hail Mary.epub"
    assert (status.ratio, status.seeding_seconds, status.size_bytes) == (1.5, 600, 1625)


def _score(seeders, *, client=True, leechers=None):
    release = Release(
        "Andy Weir - Project Hail Mary (2021) [epub]", "g", "torrent", "t", size=2_000_000,
        seeders=seeders, leechers=leechers,
    )  # fmt: skip
    wanted = WantedBook("ebook", "Project Hail Mary", ("Andy Weir",))
    prefs = ScoringPrefs(formats=("epub",), torrent_client_available=client)
    score = score_release(wanted, release, parse_release(release.title), prefs)
    return score, next(p for p in score.parts if p.name == "availability")


@pytest.mark.parametrize(("seeders", "value"), [(None, 0.3), (1, 0.1), (5, 0.5), (40, 1.0)])
def test_seeders_raise_the_score(seeders, value):
    score, part = _score(seeders)
    assert score.accepted and part.value == pytest.approx(value)


def test_a_torrent_without_seeders_is_rejected_with_the_reason():
    score, part = _score(0, leechers=4)
    assert not score.accepted and part.value == 0
    assert "torrent has no seeders, 4 leechers: it cannot finish" in score.rejections


def test_a_torrent_without_a_torrent_client_is_rejected():
    score, _ = _score(20, client=False)
    assert score.rejections == ("torrent release: no torrent client is configured",)


@pytest.mark.parametrize(
    ("ratio_limit", "minutes", "ratio", "seconds", "reached"),
    [
        (None, None, 50.0, 10**6, False),  # no goal: never removed by us
        (1.0, None, 0.99, 10**6, False),
        (1.0, None, 1.0, 0, True),
        (None, 60, 0.0, 3599, False),
        (None, 60, 0.0, 3600, True),
        (2.0, 60, 0.5, 3600, True),  # whichever comes first
        (2.0, 60, None, None, False),  # the client said nothing
    ],
)
def test_seed_goal(ratio_limit, minutes, ratio, seconds, reached):
    settings = ClientSettings("q", "http://x", seed_ratio_limit=ratio_limit, seed_time_limit_minutes=minutes)
    assert settings.seed_goal_reached(ratio, seconds) is reached


@pytest.mark.parametrize(
    ("mode", "keep_source", "expected"),
    [("move", True, "hardlink"), ("move", False, "move"), ("copy", True, "copy"), ("hardlink", True, "hardlink")],
)
def test_files_a_client_still_seeds_are_never_moved(mode, keep_source, expected):
    ctx = SimpleNamespace(options=SimpleNamespace(import_mode=mode, keep_source=keep_source))
    assert transfer_mode(ctx) == expected
