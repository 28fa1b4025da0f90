"""The cross-cutting steps every request passes, in the order settings.MIDDLEWARE runs
them: its id, who is asking, their budget, and a database outage answered as one."""

import logging

from django.db.utils import InterfaceError, OperationalError
from django.middleware.locale import LocaleMiddleware

from . import clients, rate_limit
from .errors import error_response, service_unavailable
from .request_context import context_of, current_request_id

logger = logging.getLogger("cms")

RATE_LIMITED_PREFIXES = ("/api/",)  # /graphql/ charges after its response cache


class RequestIdMiddleware:
    """Every response says which request it answers (X-Request-ID: the client's own if
    well formed, else a new one), and so does every log line written meanwhile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = context_of(request)
        token = current_request_id.set(context.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = context.request_id
        return response


class ClientMiddleware:
    """Who is asking (core/clients.py); a front-end key this CMS does not know is a 401."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = context_of(request)
        context.client = clients.client_address(request)
        try:
            context.front_end = clients.front_end_named(request)
        except clients.UnknownFrontendKey:
            return error_response(
                request,
                401,
                f"The {clients.KEY_HEADER} header holds no key this CMS knows. Check the "
                "key, or send no such header to be served as a browser.",
                "UNAUTHENTICATED",
            )
        return self.get_response(request)


class RateLimitMiddleware:
    """Charges requests to the REST API against the client's budget (core/rate_limit.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(RATE_LIMITED_PREFIXES):
            try:
                rate_limit.charge(request)
            except rate_limit.RateLimited as limited:
                return limited.response(request)
        return self.get_response(request)


class ServiceUnavailableMiddleware:
    """A database outage escaping any view is a 503 with Retry-After, not a 500 page; the
    exception goes to the log, never to the client."""

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
        return service_unavailable(request)


class PathLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, for Wagtail's pages under i18n_patterns (cms/urls.py):
    the language a path names (`/es/...`), else the source language. Never the request's
    headers or cookies (prefix_default_language=False makes it so), which is why its
    response half, `Vary: Accept-Language` and `Content-Language`, is left out: no
    answer, the APIs' included, differs by those headers."""

    def process_response(self, request, response):
        return response
