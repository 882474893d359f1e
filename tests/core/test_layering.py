"""Imports flow one way: core <- media <- {search, scanning, indexers, downloaders} <- processing
(downloaders may use indexers: grabbing needs the search results) <- operations (backups and the
integrity check sit on top of every app; none imports it) and notifications (events, connections
and health checks; apps emit through core.events instead of importing it); monitoring (followed
authors and series) sits on core, media, search and indexers, and no app imports it. Tests enforce it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "media", "search", "scanning", "indexers", "downloaders", "processing", "reading", "operations",
        "notifications", "monitoring", "readinglists")
ALLOWED = {
    "core": set(),
    "media": {"core"},
    "search": {"core", "media"},
    "scanning": {"core", "media"},
    "indexers": {"core", "media"},
    "downloaders": {"core", "media", "indexers"},
    "processing": {"core", "media", "search", "scanning", "indexers", "downloaders"},
    "reading": {"core", "media", "search", "scanning", "processing"},
    "operations": {"core", "media", "search", "scanning", "indexers", "downloaders", "processing", "reading"},
    "notifications": {"core", "media", "search", "scanning", "indexers", "downloaders", "processing", "reading",
                      "operations"},
    "monitoring": {"core", "media", "search", "indexers"},  # only the project's urls, API and schedules import it
    "readinglists": {"core", "media", "search", "indexers"},
}


def _imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in APPS)
    return found


@pytest.mark.parametrize("app", APPS)
def test_app_imports_only_the_layers_below_it(app):
    offenders = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        bad = _imported_apps(path) - ALLOWED[app] - {app}
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not offenders, "\n".join(offenders)
