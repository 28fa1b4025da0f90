"""The API's error bodies, GraphQL-shaped for /graphql/ and /api/ alike:
`{"errors": [{"message": ..., "extensions": {"code": ..., "requestId": ...}}]}`."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

from .request_context import context_of

API_PREFIXES = ("/graphql/", "/api/")
UNAVAILABLE_MESSAGE = "The service is temporarily unavailable. Please retry shortly."


def error_body(message, code, request):
    extensions = {"code": code, "requestId": context_of(request).request_id}
    return {"errors": [{"message": message, "extensions": extensions}]}


def error_response(request, status, message, code, headers=None, content_type="application/json"):
    """An error answered without running anything: never cached. `content_type` is the
    body's under the APIs (GraphQL's answers come in another too)."""
    if request.path.startswith(API_PREFIXES):
        body = error_body(message, code, request)
        response = JsonResponse(body, status=status, content_type=content_type)
    else:
        response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    for name, value in (headers or {}).items():
        response[name] = value
    add_never_cache_headers(response)
    return response


def service_unavailable(request, content_type="application/json"):
    """A database outage: 503 with Retry-After, which clients, CDNs and load balancers
    take as passing (a 500 reads as a bug and may be cached)."""
    return error_response(
        request,
        503,
        UNAVAILABLE_MESSAGE,
        "SERVICE_UNAVAILABLE",
        {"Retry-After": str(settings.SERVICE_UNAVAILABLE_RETRY_AFTER)},
        content_type,
    )


class Refused(Exception):
    """A request answered without running it: its status, message, code and headers."""

    def __init__(self, status, message, code, headers=None):
        super().__init__(message)
        self.status, self.code, self.headers = status, code, headers or {}

    def response(self, request):
        return error_response(request, self.status, str(self), self.code, self.headers)
