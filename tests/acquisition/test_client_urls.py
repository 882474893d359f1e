"""The client addresses people type (defect 5): url, URL base and a pasted API key."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from downloaders.client_urls import ClientAddress, mask_secret, parse_client_url


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("192.168.1.10:8080", ClientAddress("http://192.168.1.10:8080")),
        ("  nas.local  ", ClientAddress("http://nas.local:8080")),
        ("http://nas.local", ClientAddress("http://nas.local")),
        ("https://sab.example.org/", ClientAddress("https://sab.example.org")),
        ("http://host:8080/sabnzbd", ClientAddress("http://host:8080", "/sabnzbd")),
        ("http://host:8080/sabnzbd/", ClientAddress("http://host:8080", "/sabnzbd")),
        ("HTTP://Host:8080/sabnzbd/api", ClientAddress("http://host:8080", "/sabnzbd")),
        (
            "http://host:8080/sabnzbd/api?mode=queue&output=json&apikey=0123456789abcdef",
            ClientAddress("http://host:8080", "/sabnzbd", "0123456789abcdef"),
        ),
        ("http://10.0.0.2:8080/api?mode=version&apikey=k", ClientAddress("http://10.0.0.2:8080", "", "k")),
        ("[::1]:8080", ClientAddress("http://[::1]:8080")),
    ],
)
def test_the_address_forms_people_type_are_understood(typed, expected):
    assert parse_client_url(typed, default_port=8080) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the client's address"),
        ("ftp://host:21", "must start with http"),
        ("http://user:pw@host:8080", "in their own fields"),
        ("host:99999", "port must be a number"),
        ("http://host:8080/a b", "not a usable URL base"),
        ("http://host:8080/../etc", "not a usable URL base"),
        ("http://" + "a" * 64 + ".example:8080", "not a valid host name"),
        ("http://a..b:8080", "not a valid host name"),
    ],
)
def test_unusable_addresses_get_a_clear_error(typed, message):
    with pytest.raises(InvalidInput, match=message):
        parse_client_url(typed, default_port=8080)


def test_secrets_are_masked():
    assert mask_secret("") == ""
    assert mask_secret("short") == "••••"
    assert mask_secret("0123456789abcdef1234") == "••••1234"
