from __future__ import annotations

import httpx
import pytest

from core import isbn, text
from core.errors import AuthenticationFailed, BadResponse, NotFound, RateLimited, ServiceUnavailable
from core.http import HttpClient, HttpConfig, RateLimiter


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # calibre's defaults: particles stay with the given names, a suffix follows them (no comma)
        ("Ursula K. Le Guin", "Guin, Ursula K. Le"),
        ("Le Guin, Ursula K.", "Le Guin, Ursula K."),
        ("J.R.R. Tolkien", "Tolkien, J. R. R."),
        ("Martin Luther King Jr.", "King, Martin Luther Jr."),
        ("Ludwig van Beethoven", "Beethoven, Ludwig van"),
        ("Plato", "Plato"),
        ("Oxford University Press", "Oxford University Press"),
        ("Gabriel García Márquez", "Márquez, Gabriel García"),
    ],
)
def test_author_sort_name(raw, expected):
    assert text.author_sort_name(raw) == expected


def test_fold_is_accent_and_case_insensitive():
    assert text.fold("Émile ZOLA") == text.fold("emile zola")
    assert text.comparison_key("The Lord of the Rings: The Two Towers!") == "the lord of the rings the two towers"


@pytest.mark.parametrize(
    ("raw", "isbn13"),
    [
        ("0-316-03057-3", None),  # bad checksum
        ("0316030570", "9780316030571"),
        ("ISBN 978-0-316-03057-1", "9780316030571"),
        ("urn:isbn:9782070427796", "9782070427796"),
        ("080442957X", "9780804429573"),
        ("9780316030572", None),
        ("hello", None),
    ],
)
def test_isbn_normalisation(raw, isbn13):
    assert isbn.to_isbn13(raw) == isbn13


def test_isbn10_roundtrip():
    assert isbn.to_isbn10("9780804429573") == "080442957X"
    assert isbn.to_isbn10("9791234567896") is None


def test_isbn13_has_exactly_one_check_digit_per_prefix():
    for n in range(0, 10**9, 7_654_321):
        prefix = f"978{n:09d}"
        valid = [d for d in "0123456789" if isbn.is_valid_isbn13(prefix + d)]
        weighted = sum(int(ch) * (1 if i % 2 == 0 else 3) for i, ch in enumerate(prefix))
        assert valid == [str((10 - weighted % 10) % 10)]


def _client(handler, **config):
    return HttpClient(HttpConfig(base_url="http://svc.test", service="Svc", backoff=0.01, **config),
                      transport=httpx.MockTransport(handler), sleep=lambda s: None)


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, AuthenticationFailed), (403, AuthenticationFailed), (404, NotFound), (400, BadResponse)],
)
def test_status_codes_map_to_permanent_errors_without_retry(status, error):
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(status, text="nope")

    with pytest.raises(error, match=f"Svc.*HTTP {status}"):
        _client(handler).get_json("/x")
    assert len(calls) == 1


def test_transient_errors_are_retried_then_succeed():
    replies = iter([httpx.Response(503), httpx.Response(429, headers={"Retry-After": "1"}),
                    httpx.Response(200, json={"ok": 1})])
    assert _client(lambda r: next(replies)).get_json("/x") == {"ok": 1}


def test_retries_give_up_with_service_unavailable():
    def handler(request):
        raise httpx.ConnectError("refused")

    with pytest.raises(ServiceUnavailable, match="is not answering at"):
        _client(handler, retries=1).get_json("/x")


def test_rate_limited_error_carries_retry_after():
    with pytest.raises(RateLimited) as info:
        _client(lambda r: httpx.Response(429, headers={"Retry-After": "40"}), retries=0).get_json("/x")
    assert info.value.retry_after == 40


def test_non_json_reply_is_a_bad_response():
    with pytest.raises(BadResponse, match="expected JSON"):
        _client(lambda r: httpx.Response(200, text="API Key Incorrect")).get_json("/x")


def test_rate_limiter_spaces_requests():
    now = [0.0]
    slept = []
    limiter = RateLimiter(2.0, clock=lambda: now[0], sleep=slept.append)
    for _ in range(3):
        limiter.wait()
    assert slept == [0.5, 1.0]


def test_fold_fast_ascii_path_matches_the_unicode_path():
    import random
    import string
    import unicodedata

    from core import text

    def by_unicode(value: str) -> str:  # the general path, applied to every input
        decomposed = unicodedata.normalize("NFKD", value.casefold())
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        return text._SPACES.sub(" ", stripped).strip()

    rng = random.Random(7)
    samples = ["", "  Dune  ", "The\tLeft  Hand\x0bOf\x1cDarkness", "ISBN 978-0-441-17271-9"]
    samples += ["".join(rng.choice(string.printable) for _ in range(rng.randint(0, 40))) for _ in range(5000)]
    for value in samples:
        assert text.fold(value) == by_unicode(value), repr(value)
    assert text.fold("Émile ZOLA") == "emile zola" and text.fold("Straße") == "strasse"
