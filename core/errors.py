"""One error hierarchy for the whole app. Each error says whether retrying can help:
transient ones are retried with backoff, permanent ones are shown to the user with a hint."""

from __future__ import annotations


class OmniError(Exception):
    """Base of every error we raise on purpose. `code` is stable and machine-readable."""

    code = "error"
    status = 400
    transient = False

    def __init__(self, message: str, *, hint: str = "", details: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ServiceUnavailable(OmniError):
    """An external service (broker, indexer, provider, download client) did not answer."""

    code = "service_unavailable"
    status = 503
    transient = True


class DiskFull(ServiceUnavailable):
    """No space left on a filesystem we write to: transient (retried once space is freed;
    a scan pauses and resumes where it stopped)."""

    code = "disk_full"
    status = 507


class RateLimited(ServiceUnavailable):
    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class AuthenticationFailed(OmniError):
    """An external service (indexer, provider, download client) refused OUR credentials for it.
    Answered with 502, never 401: a 401 would tell the API's caller that THEIR key is wrong."""

    code = "authentication_failed"
    status = 502


class DownloadClientAuthFailed(AuthenticationFailed):
    """The download client refused the API key or password we have for it."""

    code = "download_client_auth"


class PermissionDenied(OmniError):
    code = "permission_denied"
    status = 403


class NotFound(OmniError):
    code = "not_found"
    status = 404


class Conflict(OmniError):
    code = "conflict"
    status = 409


class BadResponse(OmniError):
    """An external service answered with something we cannot use."""

    code = "bad_response"
    status = 502


class ConfigurationError(OmniError):
    code = "configuration_error"
    status = 400


class InvalidInput(OmniError):
    code = "invalid_input"
    status = 422


class JobCancelled(Exception):
    """Raised inside a job when the user asked to cancel it."""


class JobAbandoned(JobCancelled):
    """Raised in a job's thread by the watchdog when the thread wakes up after it was
    abandoned (it did not stop within the grace period of a cancel)."""


PERMANENT_ERRORS: tuple[type[OmniError], ...] = (
    AuthenticationFailed,
    PermissionDenied,
    NotFound,
    Conflict,
    BadResponse,
    ConfigurationError,
    InvalidInput,
)


# --- wording for people ----------------------------------------------------------------------


def service_label(kind: str, name: str = "") -> str:
    """How a configured service is named in messages: its kind once. 'Prowlarr' named
    'Prowlarr' is "Prowlarr", not "Prowlarr (Prowlarr)"; 'SABnzbd' named 'nas' is "SABnzbd (nas)"."""
    name = name.strip()
    if not name or kind.casefold() in name.casefold():
        return name or kind
    return f"{kind} ({name})"


def connection_cause(exc: BaseException) -> tuple[str, str]:
    """Why a connection failed, in words, and what to check: from the OS error under an
    HTTP library's exception (errno first, then the text), never the raw '[Errno 111]'."""
    import socket
    import ssl

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return "the host name cannot be resolved", "Check the host name in the address."
        if isinstance(current, ssl.SSLError):
            return "the HTTPS handshake failed", "Check http:// or https:// in the address, and the certificate."
        code = getattr(current, "errno", None)
        if code in _ERRNO_CAUSES:
            return _ERRNO_CAUSES[code]
        current = current.__cause__ or current.__context__
    text = str(exc).casefold()
    for needle, cause in _TEXT_CAUSES:
        if needle in text:
            return cause
    return "the connection failed", "Is it running? Check the address."


def _errno_causes() -> dict[int, tuple[str, str]]:
    import errno

    running = "Is it running? Check the address."
    network = "Check the address, and that this server can reach that host (firewall, VPN, Docker network)."
    return {
        errno.ECONNREFUSED: ("connection refused", running),
        errno.ECONNRESET: ("the connection was reset", running),
        errno.EHOSTUNREACH: ("no route to the host", network),
        errno.ENETUNREACH: ("the network is unreachable", network),
        errno.ETIMEDOUT: ("the connection timed out", network),
    }


_ERRNO_CAUSES = _errno_causes()
_TEXT_CAUSES = (
    ("connection refused", ("connection refused", "Is it running? Check the address.")),
    ("name or service not known", ("the host name cannot be resolved", "Check the host name in the address.")),
    ("nodename nor servname", ("the host name cannot be resolved", "Check the host name in the address.")),
    ("temporary failure in name resolution", ("the host name cannot be resolved", "Check the host name.")),
    ("certificate", ("the HTTPS certificate was refused", "Check the certificate, or use http:// if it has none.")),
    ("ssl", ("the HTTPS handshake failed", "Check http:// or https:// in the address.")),
    ("timed out", ("no answer in time", "Is it running and reachable from this server? Check the address.")),
)


def user_message(exc: BaseException, service: str = "", *, with_hint: bool = True) -> str:
    """One sentence or two for a person: what failed (the service named once), why, and the
    fix. `service` is only added when the error's own message does not start with it."""
    text = getattr(exc, "message", "") or str(exc) or type(exc).__name__
    if not isinstance(exc, OmniError):
        cause, hint = connection_cause(exc)
        text, exc_hint = f"cannot connect: {cause}", hint
    else:
        exc_hint = exc.hint
    if service and not text.casefold().startswith(service.casefold()):
        text = f"{service}: {text}"
    text = text.rstrip(".") + "."
    return f"{text} {exc_hint}" if with_hint and exc_hint and exc_hint not in text else text
