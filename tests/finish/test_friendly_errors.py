"""Issue 20, defect 6: errors read like logs ("Prowlarr: Prowlarr (Prowlarr): cannot connect ...
[Errno 111]"). Now: the service named once, the cause in words, the fix. Against real sockets:
a closed port on 127.0.0.1, a name that cannot resolve, a server that answers 401."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from core.errors import AuthenticationFailed, ServiceUnavailable, service_label, user_message
from core.http import HttpClient, HttpConfig
from core.wizard.registry import failure_message
from indexers.clients.base import IndexerSettings
from indexers.clients.prowlarr import ProwlarrClient


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_connection_names_the_service_once_with_the_cause_and_the_fix():
    url = f"http://127.0.0.1:{_closed_port()}"
    client = ProwlarrClient(IndexerSettings(name="Prowlarr", url=url, api_key="k", timeout=2))
    with pytest.raises(ServiceUnavailable) as caught:
        client.test_connection()
    message = failure_message("Prowlarr", caught.value)
    assert message.text == f"Prowlarr is not answering at {url}: connection refused."
    assert message.hint == "Is it running? Check the address."
    assert "Errno" not in message.text and message.text.count("Prowlarr") == 1


def test_an_unknown_host_name_says_so():
    client = HttpClient(HttpConfig(base_url="http://no-such-host.invalid:9696", service="SABnzbd", retries=0))
    with pytest.raises(ServiceUnavailable) as caught:
        client.request("GET", "/api")
    assert caught.value.message == "SABnzbd is not answering at http://no-such-host.invalid:9696: " + (
        "the host name cannot be resolved"
    )
    assert caught.value.hint == "Check the host name in the address."


class _Refuses(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"Unauthorized"
        self.send_response(401)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_refused_key_names_the_service_once_and_keeps_the_key_out_of_the_text():
    server = HTTPServer(("127.0.0.1", 0), _Refuses)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        client = HttpClient(HttpConfig(base_url=url, service="Prowlarr", params={"apikey": "secret"}, retries=0))
        with pytest.raises(AuthenticationFailed) as caught:
            client.request("GET", "/api/v1/system/status")
    finally:
        server.shutdown()
    text = user_message(caught.value, "Prowlarr")
    assert text == f"Prowlarr refused our credentials (HTTP 401 for {url}/api/v1/system/status). " + (
        "Check the Prowlarr API key."
    )
    assert "secret" not in text


@pytest.mark.parametrize(
    ("kind", "name", "label"),
    [
        ("Prowlarr", "Prowlarr", "Prowlarr"),
        ("Prowlarr", "prowlarr-2", "prowlarr-2"),
        ("SABnzbd", "nas", "SABnzbd (nas)"),
        ("qBittorrent", "", "qBittorrent"),
    ],
)
def test_a_service_is_named_by_its_kind_once(kind, name, label):
    assert service_label(kind, name) == label
