"""Every error leaves the API in the envelope with a stable `error_code`."""

from __future__ import annotations

import logging

from django.core.exceptions import BadRequest, ObjectDoesNotExist, RequestDataTooBig, SuspiciousOperation
from django.db import IntegrityError
from django.http import Http404, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, HttpError, ValidationError

from core.api.envelope import error_body
from core.errors import OmniError, RateLimited
from core.logging import current_correlation_id

logger = logging.getLogger(__name__)

# Raised by Django while it reads a request (body, multipart data, form fields): the client's fault.
REQUEST_PARSING_ERRORS = (MultiPartParserError, RequestDataTooBig, UnreadablePostError, BadRequest,
                          SuspiciousOperation, UnicodeDecodeError)


def _field_errors(errors) -> list[dict[str, str]]:
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path"):  # where it came from, not a field named so
            loc.pop(0)
        if loc and loc[0] == "payload":
            loc.pop(0)
        result.append({"field": ".".join(loc) or "(input)", "message": error.get("msg", "invalid")})
    return result


def install(api) -> None:
    @api.exception_handler(OmniError)
    def omni_error(request, exc: OmniError):
        response = api.create_response(
            request, error_body(exc.message, exc.code, hint=exc.hint, details=exc.details), status=exc.status
        )
        if isinstance(exc, RateLimited) and exc.retry_after:
            response["Retry-After"] = str(int(exc.retry_after))
        return response

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request,
            error_body("Authentication required: log in or send an X-Api-Key header.", "authentication_required"),
            status=401,
        )

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        details = _field_errors(exc.errors)
        summary = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        return api.create_response(request, error_body(f"Invalid input: {summary}", "invalid_input",
                                                       details=details), status=422)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if isinstance(exc.__cause__, OmniError):  # a body the parser refused with a reason of ours
            return omni_error(request, exc.__cause__)
        return api.create_response(request, error_body(str(exc), f"http_{exc.status_code}"),
                                   status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, error_body(str(exc) or "Not found", "not_found"), status=404)

    @api.exception_handler(ObjectDoesNotExist)
    def missing_object(request, exc):
        return api.create_response(request, error_body(str(exc) or "Not found", "not_found"), status=404)

    def malformed(request, exc):
        logger.info("Malformed API request to %s: %s", request.path, exc)
        return api.create_response(
            request, error_body(f"Malformed request: {exc}", "malformed_request",
                                hint="Check the body's encoding and, for uploads, the multipart boundary"),
            status=400)

    for error_class in REQUEST_PARSING_ERRORS:
        api.add_exception_handler(error_class, malformed)

    @api.exception_handler(IntegrityError)
    def integrity(request, exc):
        # Writes are validated before they reach the database; this is the last resort, logged as a bug.
        logger.error("API write refused by the database on %s: %s", request.path, exc)
        return api.create_response(
            request, error_body("The change conflicts with existing data (refused by the database).", "conflict",
                                details={"correlation_id": current_correlation_id()}),
            status=409)

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        logger.exception("Unhandled API error")
        return api.create_response(
            request,
            error_body("Internal error; see the server log.", "internal_error",
                       details={"correlation_id": current_correlation_id()}),
            status=500,
        )
