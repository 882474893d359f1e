"""The API object and its OpenAPI document: besides each operation's success responses, the
document lists the errors every operation can answer (all in the error envelope), so that a
client, or a fuzzer, finds every status it receives documented."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.parser import Parser

from core.api.envelope import ErrorEnvelope, error_body
from core.errors import InvalidInput, OmniError

REF = "#/components/schemas/{model}"
ERROR_DESCRIPTIONS = {
    400: "Malformed request (unreadable body or multipart data) or a configuration problem",
    401: "Authentication required: log in or send an X-Api-Key header",
    403: "Your role does not allow this action",
    404: "No such object",
    409: "Conflicts with the current state or another object",
    422: "Invalid input: `details` names each field",
    429: "Rate limited: retry after the Retry-After header",
    502: "An external service answered with something unusable, or refused our credentials for it",
    503: "An external service (broker, indexer, provider, download client) did not answer",
    507: "No space left where the files go",
}


def error_statuses() -> list[int]:
    """Every status the API answers with an error envelope: the error hierarchy's and the handlers'."""

    def subclasses(cls: type) -> list[type]:
        return [cls, *(sub for child in cls.__subclasses__() for sub in subclasses(child))]

    statuses = {cls.status for cls in subclasses(OmniError)} | {400, 401, 404, 409, 422}
    missing = statuses - set(ERROR_DESCRIPTIONS)
    assert not missing, f"describe the error statuses {sorted(missing)} in core.api.openapi"
    return sorted(statuses)


class ObjectBodyParser(Parser):
    """Every request body is a JSON object: ninja would otherwise read the fields of a schema from
    the attributes of whatever arrives (a list, or a string whose `.title` is a method)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the request body must be a JSON object")
        if _holds_nul(data):
            raise InvalidInput(NUL_REFUSED)  # ninja wraps it in a 400; the handler answers with it
        return data

    def parse_querydict(self, data, list_fields, request):
        parsed = super().parse_querydict(data, list_fields, request)
        if _holds_nul(parsed):
            raise InvalidInput(NUL_REFUSED)
        return parsed


NUL_REFUSED = "text must not contain NUL characters (\\u0000)"


def _holds_nul(value: Any) -> bool:
    """Whether a NUL character hides in a parsed body or query, in a key or a value: PostgreSQL
    refuses it in text and JSON columns, so it is turned away before any work."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(v) for v in value)
    return False


class OmniAPI(NinjaAPI):
    """NinjaAPI whose request bodies are JSON objects and whose OpenAPI document also documents the
    error responses."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(parser=ObjectBodyParser(), **kwargs)

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema


def document_errors(schema: dict) -> None:
    definition = ErrorEnvelope.model_json_schema(ref_template=REF)
    schema["components"]["schemas"]["ErrorEnvelope"] = definition
    content = {"application/json": {"schema": {"$ref": REF.format(model="ErrorEnvelope")}}}
    statuses = error_statuses()
    for operations in schema["paths"].values():
        for operation in operations.values():
            responses = operation["responses"]
            for status in statuses:
                if status == 401 and not operation.get("security"):
                    continue
                responses.setdefault(status, {"description": ERROR_DESCRIPTIONS[status], "content": content})


@csrf_exempt
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """Any /api/ address no operation matches (a path parameter of the wrong type included)."""
    return JsonResponse(error_body(f"No API endpoint at {request.path}", "not_found"), status=404)
