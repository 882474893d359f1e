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
