"""Where other apps plug into the setup wizard, explicitly (no signals).

- `register_apply(step, fn)`: `fn(answers: dict) -> list[Message]` runs when the step is saved
  (e.g. scanning creates ScanFolders from the "folders" answers; indexers saves Prowlarr).
  It must be idempotent: the wizard can be re-run. Raise core.errors.OmniError to refuse.
- `register_tester(service, fn)`: `fn(answers: dict) -> Message` for a "Test connection"
  button (services: prowlarr, client, openlibrary, googlebooks, comicvine).
- `register_finisher(name, label, fn)`: `fn(user) -> Message` offered on the review step, e.g.
  "start the first scan" (name `start_scan`: the review step's checkbox only shows once
  something is registered under that name).
- `register_form_mixin(step, cls)`: a Form class whose fields (and clean) join the step's form,
  e.g. downloaders adds the download client's fields to "downloads".
- `register_initial(step, fn)`: `fn() -> dict` the step's current values from the app's own
  settings (e.g. the saved Prowlarr URL), shown when the step is opened again. They win over
  the answers stored in the wizard state, so a re-run never reverts a later change.
Without a registered tester, a plain TCP connection test is used.

Apps register from their AppConfig.ready() through a `<app>/wizard_hooks.py` module
(search: metadata; indexers + downloaders: downloads; processing: naming). This module
imports only core.errors, so any app may import it. Still to plug in (scanning):
`register_apply("folders", ...)` turning `library_folders` (one path per line) into scan
folders idempotently, `register_initial("folders", ...)` and
`register_finisher("start_scan", "Start the first scan", ...)`."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.errors import user_message


@dataclass(frozen=True)
class Message:
    level: str  # ok | warning | error
    text: str
    hint: str = ""


ApplyFn = Callable[[dict], list[Message]]
TestFn = Callable[[dict], Message]
FinishFn = Callable[[object], Message]
InitialFn = Callable[[], dict]

_APPLY: dict[str, list[ApplyFn]] = {}
_TESTERS: dict[str, TestFn] = {}
_SETTINGS_PAGES: dict[str, str] = {}
_FINISHERS: dict[str, tuple[str, FinishFn]] = {}
_INITIAL: dict[str, list[InitialFn]] = {}
_FORM_MIXINS: dict[str, list[type]] = {}


def register_apply(step: str, fn: ApplyFn) -> None:
    # copy on write: a shallow copy of the registry (tests) stays a true snapshot
    if fn not in _APPLY.get(step, []):
        _APPLY[step] = [*_APPLY.get(step, []), fn]


def register_form_mixin(step: str, cls: type) -> None:
    if cls not in _FORM_MIXINS.get(step, []):
        _FORM_MIXINS[step] = [*_FORM_MIXINS.get(step, []), cls]


def form_mixins(step: str) -> list[type]:
    return list(_FORM_MIXINS.get(step, []))


def register_tester(service: str, fn: TestFn, *, settings_page: str = "") -> None:
    """`settings_page`: where the service is set up after the wizard, e.g. "Settings > Indexers
    (/settings/indexers/)"; a test that fails for now then names that page in its hint."""
    _TESTERS[service] = fn
    if settings_page:
        _SETTINGS_PAGES[service] = settings_page


def register_finisher(name: str, label: str, fn: FinishFn) -> None:
    _FINISHERS[name] = (label, fn)


_LIBRARY_PROBES: list[Callable[[], bool]] = []


def register_library_probe(fn: Callable[[], bool]) -> None:
    """The catalogue tells whether a library already exists (an install older than the wizard)."""
    if fn not in _LIBRARY_PROBES:
        _LIBRARY_PROBES.append(fn)


def has_library() -> bool:
    return any(probe() for probe in _LIBRARY_PROBES)


def register_initial(step: str, fn: InitialFn) -> None:
    if fn not in _INITIAL.get(step, []):
        _INITIAL[step] = [*_INITIAL.get(step, []), fn]


def initial_for(step: str) -> dict:
    values: dict = {}
    for fn in _INITIAL.get(step, []):
        values.update(fn())
    return values


def apply_step(step: str, answers: dict) -> list[Message]:
    messages: list[Message] = []
    for fn in _APPLY.get(step, []):
        messages += fn(answers)
    return messages


def finishers() -> dict[str, tuple[str, FinishFn]]:
    return dict(_FINISHERS)


LATER = "You can continue and fix it later in Settings; check the address, port and firewall."


def failure_message(label: str, exc: Exception) -> Message:
    """A failed connection test as a message: a service that cannot be reached now is a
    warning (setup continues); a wrong key or a server that is not what was expected is an
    error, with the service's hint."""
    text = user_message(exc, label, with_hint=False)
    hint = getattr(exc, "hint", "")
    if getattr(exc, "transient", False):
        return Message("warning", text, hint or LATER)
    return Message("error", text, hint)



def tcp_probe(url: str, *, timeout: float = 2.0) -> Message:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Message("error", f"{url!r} is not an http(s) URL", "Write it like http://192.168.1.10:9696")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return Message("ok", f"{parts.hostname}:{port} answers.")
    except OSError as exc:
        return Message(
            "warning",
            f"Cannot reach {parts.hostname}:{port} ({exc.strerror or exc}).",
            LATER,
        )


def test_service(service: str, answers: dict) -> Message:
    tester = _TESTERS.get(service)
    if tester is not None:
        try:
            message = tester(answers)
        except Exception as exc:  # a tester's failure is shown, never a 500
            return Message("warning", f"Test failed: {exc}")
        page = _SETTINGS_PAGES.get(service)
        if page and message.hint == LATER:
            return Message(message.level, message.text, LATER.replace("in Settings", f"in {page}"))
        return message
    url = answers.get("url", "")
    return tcp_probe(url) if url else Message("error", "Enter the URL first.")
