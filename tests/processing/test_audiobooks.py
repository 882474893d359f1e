"""Audiobooks: narrator and duration checks in identify (real MP3 parts made at test time,
durations read by mutagen) and the existing-file policy for parts already filed elsewhere."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from core.errors import ServiceUnavailable
from media.models import Author, Contribution, ContributorRole, FileState, LibraryFile, MediaKind
from processing import services
from processing.models import PostProcessStatus
from processing.steps.identify import duration_penalty, match_item
from processing.types import ExtractedMetadata, WantedItem
from tests.processing import samples
from tests.processing.conftest import make_item, set_kind

FRAME_SECONDS = 417 * 8 / 128_000  # one 128 kbit/s frame of samples.make_mp3


@pytest.mark.parametrize(
    ("found", "wanted", "penalty"),
    [(1000, 1000, 0.0), (1025, 1000, 0.0), (970, 1000, 0.0), (1140, 1000, 0.5), (750, 1000, 1.0), (3000, 1000, 1.0)],
)
def test_duration_penalty_table(found, wanted, penalty):
    assert duration_penalty(found, wanted) == pytest.approx(penalty, abs=0.01)


def _wanted(**kw) -> WantedItem:
    base = {"id": 1, "kind": "audiobook", "title": "Dune", "authors": ("Frank Herbert",)}
    return WantedItem(**{**base, **kw})


def test_narrator_and_duration_count_only_when_both_sides_know_them():
    found = ExtractedMetadata(
        "audio-tags", "Dune", ("Frank Herbert",), narrators=("Simon Vance",), duration_seconds=3600
    )
    unknown = match_item(found, _wanted(), threshold=0.35)
    assert set(unknown.breakdown) == {"title", "author"} and unknown.accepted
    same = match_item(found, _wanted(narrators=("Simon Vance",), duration_seconds=3620), threshold=0.35)
    assert same.breakdown["narrator"] == 0.0 and same.breakdown["duration"] == 0.0 and same.accepted
    other = match_item(found, _wanted(narrators=("Scott Brick",), duration_seconds=3600), threshold=0.35)
    assert other.breakdown["narrator"] > 0.5 and any("read by Simon Vance" in r for r in other.reasons)
    assert not other.accepted  # another recording of the same book
    ebook = match_item(found, _wanted(kind="ebook", narrators=("Scott Brick",), duration_seconds=10), threshold=0.35)
    assert "narrator" not in ebook.breakdown and "duration" not in ebook.breakdown


def test_an_abridged_edition_is_never_filed_automatically_whatever_the_rest():
    found = ExtractedMetadata("audio-tags", "Dune", ("Frank Herbert",), duration_seconds=1800)
    result = match_item(found, _wanted(duration_seconds=3600), threshold=0.9)
    assert result.breakdown["duration"] == 1.0 and not result.accepted
    assert any("lasts 0:30:00, the wanted edition 1:00:00" in r for r in result.reasons)


# --- through the pipeline -----------------------------------------------------------------


def run(storage, item) -> object:
    created = services.create_run(storage_path=str(storage), media_item_id=item.pk)
    with contextlib.suppress(services.ImportFailed, ServiceUnavailable):
        services.run_import(created.pk)
    created.refresh_from_db()
    return created


def audiobook(*, narrator: str = "", duration: int | None = None):
    item = make_item(
        title="The Left Hand of Darkness",
        authors=("Ursula K. Le Guin",),
        kind=MediaKind.AUDIOBOOK,
        duration_seconds=duration,
    )
    if narrator:
        reader = Author.objects.create(name=narrator, sort_name=narrator, normalized=narrator.lower())
        Contribution.objects.create(item=item, author=reader, role=ContributorRole.NARRATOR, position=9)
    return item


def download(root: Path, *, frames: int = 400, narrator: str = "George Guidall", parts: int = 3) -> Path:
    for n in range(1, parts + 1):
        tags = {"album": "The Left Hand of Darkness", "artist": "Ursula K. Le Guin", "narrator": narrator}
        samples.make_mp3(root / f"Part {n}.mp3", frames=frames, title=f"Part {n}", **(tags if n == 1 else {}))
    return root


@pytest.mark.django_db
def test_matching_narrator_and_duration_are_filed(dirs, import_settings):
    root = download(dirs.downloads / "lhod")
    total = 3 * 400 * FRAME_SECONDS  # ~31 s
    item = audiobook(narrator="George Guidall", duration=round(total))
    result = run(root, item)
    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    extract = next(s for s in result.steps if s["name"] == "extract")["detail"]
    assert extract["narrators"] == ["George Guidall"] and extract["duration_seconds"] == pytest.approx(total, abs=1)
    identify = next(s for s in result.steps if s["name"] == "identify")["detail"]
    assert identify["breakdown"]["narrator"] == 0.0 and identify["breakdown"]["duration"] == 0.0


@pytest.mark.django_db
def test_another_narrator_goes_to_review(dirs, import_settings):
    root = download(dirs.downloads / "lhod", narrator="Adjoa Andoh")
    result = run(root, audiobook(narrator="George Guidall"))
    assert result.post_process_status == PostProcessStatus.NEEDS_REVIEW
    assert "read by Adjoa Andoh, not George Guidall" in result.error
    assert not any(dirs.library.rglob("*.mp3"))


@pytest.mark.django_db
def test_a_much_shorter_recording_goes_to_review_and_can_be_accepted(dirs, import_settings):
    root = download(dirs.downloads / "lhod", frames=100)  # ~8 s against a wanted ~31 s
    item = audiobook(duration=31)
    result = run(root, item)
    assert result.post_process_status == PostProcessStatus.NEEDS_REVIEW
    assert "lasts 0:00:08, the wanted edition 0:00:31" in result.error
    accepted = services.rerun(result.pk, accept_mismatch=True)
    services.run_import(accepted.pk)
    accepted.refresh_from_db()
    assert accepted.post_process_status == PostProcessStatus.COMPLETED, accepted.error


# --- existing-file policy for parts filed elsewhere -------------------------------------------


def filed_elsewhere(dirs, item) -> list[Path]:
    """Two m4b-less mp3 parts of the item already in another folder of the library."""
    old = dirs.library / "Old Folder" / "LHOD"
    paths = [samples.make_mp3(old / f"{n:02d}.mp3", frames=50 + n) for n in (1, 2)]
    for path in paths:
        LibraryFile.objects.create(
            item=item,
            path=str(path),
            size=path.stat().st_size,
            mtime_ns=path.stat().st_mtime_ns,
            format="mp3",
            state=FileState.PRESENT,
        )
    return paths


NEW_FOLDER = ("Guin, Ursula K. Le", "The Left Hand of Darkness")


@pytest.mark.django_db
def test_skip_policy_keeps_the_parts_already_filed(dirs, import_settings):
    item = audiobook()
    old = filed_elsewhere(dirs, item)
    result = run(download(dirs.downloads / "lhod"), item)
    assert result.post_process_status == PostProcessStatus.COMPLETED
    assert "already has 2 part(s)" in result.result["note"]
    assert not dirs.library.joinpath(*NEW_FOLDER).exists() and all(p.is_file() for p in old)


@pytest.mark.django_db
def test_replace_policy_recycles_every_old_part_and_undo_restores_them(dirs, import_settings):
    set_kind("audiobook", existing_file_policy="replace")
    item = audiobook()
    old = filed_elsewhere(dirs, item)
    result = run(download(dirs.downloads / "lhod"), item)

    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    assert len(list(dirs.library.joinpath(*NEW_FOLDER).glob("*.mp3"))) == 3
    assert not any(p.exists() for p in old) and len(list(dirs.recycle.rglob("*.mp3"))) == 2
    states = dict(LibraryFile.objects.filter(path__in=[str(p) for p in old]).values_list("path", "state"))
    assert set(states.values()) == {FileState.MISSING}

    services.undo_import(result.pk)
    assert all(p.is_file() for p in old) and not list(dirs.recycle.rglob("*.mp3"))
    states = dict(LibraryFile.objects.filter(path__in=[str(p) for p in old]).values_list("path", "state"))
    assert set(states.values()) == {FileState.PRESENT}
    assert not dirs.library.joinpath(*NEW_FOLDER).exists()


@pytest.mark.django_db
def test_keep_both_policy_files_the_new_parts_next_to_the_old(dirs, import_settings):
    set_kind("audiobook", existing_file_policy="keep_both")
    item = audiobook()
    old = filed_elsewhere(dirs, item)
    result = run(download(dirs.downloads / "lhod"), item)
    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    assert all(p.is_file() for p in old) and len(list(dirs.library.joinpath(*NEW_FOLDER).glob("*.mp3"))) == 3
    assert LibraryFile.objects.filter(item=item, state=FileState.PRESENT).count() == 5
    place = next(s for s in result.steps if s["name"] == "place")["detail"]
    assert any("kept the 2 part(s)" in n for n in place["notes"])


@pytest.mark.django_db
def test_reimporting_the_same_parts_is_not_blocked_by_the_skip_policy(dirs, import_settings):
    item = audiobook()
    root = download(dirs.downloads / "lhod")
    first = run(root, item)
    second = run(root, item)
    assert (first.post_process_status, second.post_process_status) == ("completed", "completed")
    assert [p["outcome"] for p in second.result["placed"]] == ["duplicate"] * 3
