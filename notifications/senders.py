"""The two ways out: a signed JSON webhook and Apprise. Each takes a frozen target and the
message and returns a frozen result saying whether it arrived and whether to try again; they
know nothing of the ORM. Apprise is imported only when a message goes through it (it costs
~0.2 s and ~35 MB), so an install without an Apprise connection never loads it."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

import httpx

SIGNATURE_HEADER = "X-Omni-Signature"
USER_AGENT = "OmniReadarr-Webhook/1"
TIMEOUT_SECONDS = 10.0
EXCERPT = 500
# Statuses worth another try: the receiver is down, overloaded or asks us to slow down.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Target:
    kind: str  # apprise | webhook
    url: str
    secret: str = ""


@dataclass(frozen=True)
class Message:
    event: str
    title: str
    body: str
    level: str
    payload: dict[str, Any]  # the webhook's JSON body


@dataclass(frozen=True)
class SendResult:
    ok: bool
    retry: bool = False
    status: int | None = None
    response: str = ""
    error: str = ""


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the raw request body with the connection's secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def send(target: Target, message: Message) -> SendResult:
    if target.kind == "webhook":
        return send_webhook(target, message)
    return send_apprise(target, message)


def send_webhook(target: Target, message: Message) -> SendResult:
    body = json.dumps(message.payload, separators=(",", ":"), default=str).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "X-Omni-Event": message.event}
    if target.secret:
        headers[SIGNATURE_HEADER] = signature(target.secret, body)
    try:
        with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False) as client:
            response = client.post(target.url, content=body, headers=headers)
    except httpx.HTTPError as exc:  # refused, timed out, bad address: the receiver may come back
        return SendResult(False, retry=True, error=f"{type(exc).__name__}: {exc}"[:1000])
    excerpt = response.text[:EXCERPT]
    if response.is_success:
        return SendResult(True, status=response.status_code, response=excerpt)
    return SendResult(False, retry=response.status_code in RETRY_STATUSES, status=response.status_code,
                      response=excerpt, error=f"HTTP {response.status_code}")


_APPRISE_TYPES = {"success": "success", "warning": "warning", "error": "failure"}


def send_apprise(target: Target, message: Message) -> SendResult:
    import apprise  # lazily: see the module's docstring

    notifier = apprise.Apprise()
    if not notifier.add(target.url):
        return SendResult(False, error="Apprise does not understand this URL (check its schema and parts)")
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as log:
        sent = notifier.notify(title=message.title, body=message.body or message.title,
                               notify_type=_APPRISE_TYPES.get(message.level, "info"))
        captured = log.getvalue().strip()
    if sent:
        return SendResult(True, response=captured[:EXCERPT])
    return SendResult(False, retry=True, response=captured[:EXCERPT], error=(captured or "Apprise: not sent")[:1000])
