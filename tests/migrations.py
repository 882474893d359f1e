"""Migration tests: move the test database to given migrations and back to the latest."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets=None):
    """Migrate to `targets` (by default the latest of every app); returns the historical apps
    at that state, for `apps.get_model(...)`."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    """Whatever happens, leave the database fully migrated for the tests that follow."""
    yield
    migrate()
