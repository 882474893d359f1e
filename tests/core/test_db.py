"""`core.db.chunks` and the rules that keep read cursors from staying open across writes."""

from __future__ import annotations

import ast

import pytest
from django.db import connection

from core.db import chunks
from media.models import Contribution, MediaItem
from omnireadarr import settings as project_settings
from tests.core.test_layering import APPS, ROOT

# Calls that keep a cursor open while the caller's loop runs (and may write): see core/db.py.
OPEN_CURSOR_CALLS = {"iterator", "fetchmany"}


def _open_cursor_calls(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in OPEN_CURSOR_CALLS:
            found.append(f"{name}:{node.lineno} .{node.func.attr}(")
    return found


def test_no_code_reads_through_an_open_cursor():
    """`.iterator()` or `fetchmany` in a loop that writes fails on SQLite with "database is
    locked" as soon as another connection writes: page with `core.db.chunks` instead."""
    offenders = []
    for app in (*APPS, "omnireadarr", "benchmarks"):
        for path in sorted((ROOT / app).rglob("*.py")):
            offenders += _open_cursor_calls(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not offenders, "use core.db.chunks(queryset, size):\n" + "\n".join(offenders)


def test_the_guard_sees_open_cursors_not_words():
    source = 'for item in Item.objects.iterator(chunk_size=9):\n    cursor.fetchmany(5)\n"""x.iterator()"""\n'
    assert _open_cursor_calls(source, "probe.py") == ["probe.py:1 .iterator(", "probe.py:2 .fetchmany("]


def test_sqlite_transactions_take_the_write_lock_when_they_begin():
    """A deferred transaction that reads and then writes fails like an open cursor does;
    IMMEDIATE waits (busy timeout) for the lock at BEGIN instead."""
    options = project_settings._SQLITE_OPTIONS
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 10
    assert "journal_mode=WAL" in options["init_command"]
    if connection.vendor == "sqlite":
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 2, 3, 7, 8])
def test_chunks_pages_by_primary_key_with_prefetches(size, django_assert_max_num_queries):
    items = MediaItem.objects.bulk_create(MediaItem(title=f"T{n}", sort_title=f"t{n}") for n in range(7))
    pages = list(chunks(MediaItem.objects.prefetch_related("contributions").order_by("-title"), size))
    assert [len(page) for page in pages[:-1]] == [size] * (len(pages) - 1) and 1 <= len(pages[-1]) <= size
    assert [item.pk for page in pages for item in page] == [item.pk for item in items]
    assert all(isinstance(page, list) for page in pages)
    with django_assert_max_num_queries(0):  # prefetched with the page
        assert [list(item.contributions.all()) for page in pages for item in page] == [[]] * 7


@pytest.mark.django_db
def test_chunks_lets_the_loop_write_and_delete_between_pages():
    MediaItem.objects.bulk_create(MediaItem(title=f"T{n}", sort_title=f"t{n}") for n in range(10))
    seen = []
    for page in chunks(MediaItem.objects.all(), 3):
        seen += [item.title for item in page]
        MediaItem.objects.filter(pk__in=[item.pk for item in page]).delete()  # shifts no later page
        Contribution.objects.filter(item__in=page).delete()
    assert seen == [f"T{n}" for n in range(10)] and not MediaItem.objects.exists()


@pytest.mark.django_db
def test_chunks_of_nothing_and_a_bad_size():
    assert list(chunks(MediaItem.objects.all(), 5)) == []
    with pytest.raises(ValueError):
        list(chunks(MediaItem.objects.all(), 0))
