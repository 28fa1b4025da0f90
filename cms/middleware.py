"""Request-wide safety nets."""

import logging

from django.conf import settings
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = "The service is temporarily unavailable. Please retry shortly."
API_PREFIXES = ("/graphql/", "/api/")


class ServiceUnavailableMiddleware:
    """Answer a database outage escaping any view with 503 and Retry-After.

    Clients, CDNs and load balancers take a 503 as passing and retry it; a 500 reads
    as a bug and may be cached. The APIs get a GraphQL-shaped JSON error, anything
    else plain text. The exception itself goes to the log, never to the client.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "Database unavailable: %s %s answered 503",
            request.method,
            request.path,
            exc_info=exception,
        )
        if request.path.startswith(API_PREFIXES):
            response = JsonResponse(
                {
                    "errors": [
                        {
                            "message": UNAVAILABLE_MESSAGE,
                            "extensions": {"code": "SERVICE_UNAVAILABLE"},
                        }
                    ]
                },
                status=503,
            )
        else:
            response = HttpResponse(
                UNAVAILABLE_MESSAGE, status=503, content_type="text/plain; charset=utf-8"
            )
        response["Retry-After"] = str(getattr(settings, "SERVICE_UNAVAILABLE_RETRY_AFTER", 5))
        add_never_cache_headers(response)
        return response
