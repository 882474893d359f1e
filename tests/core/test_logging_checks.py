from __future__ import annotations

import json
import logging
import os

import pytest

from core import checks
from core.logging import CorrelationIdFilter, JsonFormatter, correlation


def test_json_log_lines_carry_correlation_id_and_extras():
    record = logging.LogRecord("omni.test", logging.WARNING, __file__, 1, "scan of %s", ("/books",), None)
    record.job_id = 7
    with correlation("job-abc"):
        CorrelationIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "scan of /books"
    assert line["correlation_id"] == "job-abc"
    assert line["level"] == "WARNING" and line["job_id"] == 7


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere; permission check cannot fail")
def test_unwritable_data_dir_is_reported(settings, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    settings.DATA_DIR = locked
    ids = [m.id for m in checks.check_paths()]
    assert "omni.E001" in ids


def test_data_dir_that_is_a_file_is_an_error(settings, tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    settings.DATA_DIR = not_a_dir
    assert [m.id for m in checks.check_paths()] == ["omni.E001"]


def test_missing_converter_is_a_warning_with_a_hint(settings):
    settings.EBOOK_CONVERT_PATH = "/nonexistent/ebook-convert"
    messages = {m.id: m for m in checks.check_tools()}
    assert "omni.W020" in messages
    assert "apt-get install calibre" in messages["omni.W020"].hint


def test_unreachable_rabbitmq_is_reported(settings):
    settings.BROKER_URL = "amqp://guest:guest@127.0.0.1:1/%2F"
    assert [m.id for m in checks.check_broker()] == ["omni.W010"]


def test_collect_checks_returns_plain_data_for_the_wizard(settings):
    settings.EBOOK_CONVERT_PATH = "/nonexistent/ebook-convert"
    found = {c["id"]: c for c in checks.collect_checks()}
    assert found["omni.W020"]["level"] == "warning"
