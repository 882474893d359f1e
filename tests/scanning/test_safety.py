"""The safe readers under every extractor: member names, the XML parser, archive members."""

from __future__ import annotations

import threading

import pytest

from scanning.extractors import ExtractionError
from scanning.extractors.safety import is_safe_member_name, parse_xml


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("OEBPS/content.opf", True),
        ("mimetype", True),
        ("Text/chapter 1.xhtml", True),
        ("a..b/c...d", True),  # dots inside a name are not a '..' part
        ("a/../b", True),  # stays inside the archive
        ("./a", True),
        ("a\\b", True),  # a backslash is read as a separator, still inside
        ("", False),
        ("/etc/passwd", False),
        ("\\windows\\system32", False),
        ("..", False),
        ("../evil.jpg", False),
        ("a/../../evil.jpg", False),
        ("a\\..\\..\\evil.jpg", False),
        ("..\\evil.jpg", False),
        ("C:/evil.jpg", False),
        ("C:evil.jpg", False),
        ("a\x00.jpg", False),
    ],
)
def test_member_names_that_leave_the_archive_are_unsafe(name, safe):
    assert is_safe_member_name(name) is safe


def test_xml_parser_is_reused_per_thread_and_forgets_the_last_error():
    with pytest.raises(ExtractionError, match="not well-formed"):
        parse_xml(b"<a><b></a>", what="first")
    assert parse_xml(b"<a>ok</a>", what="second").text == "ok"
    assert parse_xml(b"<x:a>recovered</x:a>", what="undeclared prefix").text == "recovered"
    found: list[str] = []
    threads = [
        threading.Thread(target=lambda i=i: found.append(parse_xml(f"<a>{i}</a>".encode(), what="t").text))
        for i in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(found) == ["0", "1", "2", "3"]


def test_entities_stay_unexpanded_when_the_parser_is_reused():
    doc = b'<!DOCTYPE a [<!ENTITY e "EXPANDED">]><a>x&e;y</a>'
    for _ in range(2):
        assert parse_xml(doc, what="entities").text == "xy"

