"""Schemathesis over /api/v1/openapi.json as admin, reader and anonymous: no server error, every
response as documented (schema, status code, content type), invalid input refused and valid
input accepted. The run works on a throw-away library (a scan folder in tmp_path, scanned for
real) and the test database; it really changes them (deletes, renames, blacklists)."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth import get_user_model

from core.models import ApiKey
from scanning.services import FolderInput, save_folder
from scanning.services.scan import scan_folder
from search.models import SearchProvider
from search.services.providers import ensure_providers
from tests.api.fuzzing import run_fuzz
from tests.scanning import samples

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.timeout(900)]

SEED = 16
MAX_EXAMPLES = int(os.environ.get("OMNI_FUZZ_EXAMPLES", "10"))


@pytest.fixture
def library(tmp_path):
    """Three real books in a scan folder under tmp_path, scanned; providers point at a closed port."""
    root = tmp_path / "library"
    for i in range(3):
        samples.make_epub(root / f"Author {i}" / f"Book {i}.epub",
                          samples.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}"))
    folder = save_folder(FolderInput(path=str(root)))
    scan_folder(folder.pk)
    ensure_providers()
    SearchProvider.objects.update(base_url="http://127.0.0.1:9/", covers_base_url="")
    return root


@pytest.fixture
def keys(library):
    users = get_user_model().objects
    admin = users.create_user("fuzz-admin", password="pw-admin-123", is_staff=True, is_superuser=True)
    reader = users.create_user("fuzz-reader", password="pw-reader-123")
    return {"admin": ApiKey.issue(admin), "reader": ApiKey.issue(reader)}


@pytest.mark.parametrize("role", ["admin", "reader", "anonymous"])
def test_fuzzing_the_api_finds_no_server_error_and_no_undocumented_response(role, keys, no_rate_limits):
    headers = {} if role == "anonymous" else {"X-Api-Key": keys[role]}
    report = run_fuzz(role=role, headers=headers, schema_headers={"X-Api-Key": keys["admin"]},
                      seed=SEED, max_examples=MAX_EXAMPLES)
    if os.environ.get("OMNI_FUZZ_REPORT"):  # e.g. /tmp/fuzz-{role}.txt while fixing what it finds
        with open(os.environ["OMNI_FUZZ_REPORT"].format(role=role), "w") as out:
            out.write(report.summary())
    assert report.operations >= 85
    assert not report.errors and not report.findings, report.summary()
