"""The /graphql/ endpoint: graphene-django's view, hardened and cached.

On top of graphene-django's GraphQLView it:
- takes JSON POSTs and GETs only (no form posts, no batches), within a body limit;
- rate-limits each client;
- parses with token and length limits, and validates with graphql-core's standard
  rules plus the limits in `limits.py` (and no introspection where it is off);
- runs queries against the schema whose fields enforce the visibility rule
  (visibility.py), without graphene middleware;
- answers unexpected errors with a generic message and a request id (the details
  go to the log), and a database outage with a 503;
- serves anonymous reads from the shared response cache, with ETag and
  Cache-Control for CDNs.
"""

import hashlib
import json
import logging
import math
import re
import threading
import time
import uuid

from cachetools import LRUCache
from django.conf import settings
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene.validation import DisableIntrospection
from graphene_django.views import GraphQLView
from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLSyntaxError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    print_ast,
    specified_rules,
    validate,
)

from .cache import ResponseCache, shared_state
from .limits import LIMIT_RULES

logger = logging.getLogger("cms.graphql")

SUGGESTION = re.compile(r" ?Did you mean .*?\?$")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
DATABASE_DOWN = (OperationalError, InterfaceError)


class RequestRefused(Exception):
    """A request we answer without running it: status, message, code, headers."""

    def __init__(self, status, message, code, headers=None):
        super().__init__(message)
        self.status, self.code, self.headers = status, code, headers or {}


def error_body(message, code, request_id):
    return {"errors": [{"message": message, "extensions": {"code": code, "requestId": request_id}}]}


@method_decorator(csrf_exempt, name="dispatch")
class CMSGraphQLView(GraphQLView):
    def dispatch(self, request, *args, **kwargs):
        request.request_id = _request_id(request)
        try:
            response = self.answer(request)
        except RequestRefused as refusal:
            response = JsonResponse(
                error_body(str(refusal), refusal.code, request.request_id), status=refusal.status
            )
            for name, value in refusal.headers.items():
                response[name] = value
        response["X-Request-ID"] = request.request_id
        return response

    def answer(self, request):
        if request.method not in ("GET", "POST"):
            raise RequestRefused(
                405, "Use GET or POST.", "METHOD_NOT_ALLOWED", {"Allow": "GET, POST"}
            )
        counter_key, counter_ttl = _rate_counter(request)
        count, version = shared_state(counter_key, counter_ttl)
        request.content_version = version  # what this request's lookups may be kept for
        if counter_key and count is not None and count > settings.GRAPHQL_RATE_LIMIT_REQUESTS:
            raise _rate_limited()
        data = self.parse_body(request)
        query, variables, operation_name, _ = self.get_graphql_params(request, data)
        if not isinstance(query, str) or not query.strip():
            raise RequestRefused(400, "Send a GraphQL query.", "BAD_REQUEST")
        if variables is not None and not isinstance(variables, dict):
            raise RequestRefused(400, "variables must be a JSON object.", "BAD_REQUEST")
        if len(query) > settings.GRAPHQL_MAX_QUERY_CHARS:
            raise RequestRefused(
                400,
                f"The query is {len(query)} characters long; the limit is "
                f"{settings.GRAPHQL_MAX_QUERY_CHARS}.",
                "QUERY_TOO_LARGE",
            )

        cacheable = _is_anonymous(request)
        response_cache = ResponseCache(request, operation_name, variables, version)
        # The query as sent, then (after parsing) as printed: layout and comments aside.
        found = response_cache.get(query) if cacheable else None
        if found is not None:
            return _response(request, *found, cacheable)
        document, printed, errors = self.prepare(query, operation_name)
        if cacheable and not errors:
            found = response_cache.get(printed)
            if found is not None:
                response_cache.set([query], *found)
                return _response(request, *found, cacheable)

        result = (
            ExecutionResult(errors=errors)
            if errors
            else self.run(request, document, variables, operation_name)
        )
        status, payload = self.respond(request, result)
        body = json.dumps(payload, separators=(",", ":")).encode()
        if status != 200 or result.errors:
            return HttpResponse(body, status=status, content_type="application/json")
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        # A preview's draft is for the editor who asked, never for the cache.
        cacheable = cacheable and not getattr(request, "served_preview", False)
        if cacheable:
            response_cache.set([query, printed], etag, body)
        return _response(request, etag, body, cacheable)

    def parse_body(self, request):
        if request.method == "GET":
            return {}
        content_type = self.get_content_type(request)
        if content_type != "application/json":
            raise RequestRefused(
                415, "POST a JSON body with Content-Type: application/json.", "UNSUPPORTED_MEDIA"
            )
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.GRAPHQL_MAX_BODY_BYTES:
            raise RequestRefused(
                413,
                f"The request body is limited to {settings.GRAPHQL_MAX_BODY_BYTES} bytes.",
                "BODY_TOO_LARGE",
            )
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as error:
            raise RequestRefused(400, "The body is not valid JSON.", "BAD_REQUEST") from error
        if isinstance(data, list):
            raise RequestRefused(400, "Batched queries are not accepted.", "BATCH_NOT_ALLOWED")
        if not isinstance(data, dict):
            raise RequestRefused(400, "The body must be a JSON object.", "BAD_REQUEST")
        return data

    def get_graphql_params(self, request, data):
        try:
            return super().get_graphql_params(request, data)
        except Exception as error:  # graphene-django's HttpError for bad variables JSON
            raise RequestRefused(400, "variables must be valid JSON.", "BAD_REQUEST") from error

    def prepare(self, query, operation_name):
        """Parse and validate: the document, its printed form (None if it did not parse)
        and the errors that stop it running. Documents that validated are kept."""
        with _validated_lock:
            held = _validated.get(query)
        if held is not None:
            document, printed, _ = held
            _refuse_other_than_query(document, operation_name)
            return document, printed, []
        document, errors = self.parse_and_validate(query, operation_name)
        printed = print_ast(document) if document is not None else None
        if not errors:
            with _validated_lock:
                _validated[query] = (document, printed, len(query))
        return document, printed, errors

    def parse_and_validate(self, query, operation_name):
        try:
            document = parse(query, max_tokens=settings.GRAPHQL_MAX_QUERY_TOKENS)
        except GraphQLSyntaxError as error:
            error.extensions = {"code": "GRAPHQL_PARSE_FAILED"}
            return None, [error]
        except GraphQLError as error:  # graphql-core's token limit
            error.extensions = {"code": "QUERY_TOO_LARGE"}
            return None, [error]
        _refuse_other_than_query(document, operation_name)
        rules = [*specified_rules, *LIMIT_RULES]
        if not settings.GRAPHQL_INTROSPECTION_ENABLED:
            rules.append(DisableIntrospection)
        return document, validate(self.schema.graphql_schema, document, rules)

    def run(self, request, document, variables, operation_name):
        return execute(
            self.schema.graphql_schema,
            document,
            context_value=request,
            variable_values=variables,
            operation_name=operation_name,
            # Every resolver here is synchronous: spare graphql-core asking each value.
            is_awaitable=_never,
        )

    def respond(self, request, result):
        """The status and JSON payload for an execution result."""
        errors = result.errors or []
        originals = [getattr(error, "original_error", None) for error in errors]
        if any(isinstance(original, DATABASE_DOWN) for original in originals):
            logger.error("Database unavailable [request %s]", request.request_id)
            raise RequestRefused(
                503,
                "The service is temporarily unavailable. Please retry shortly.",
                "SERVICE_UNAVAILABLE",
                {"Retry-After": str(settings.SERVICE_UNAVAILABLE_RETRY_AFTER)},
            )
        payload = {}
        if errors:
            payload["errors"] = [self.format_error(error, request) for error in errors]
        # Errors with no path (syntax, validation) mean nothing ran: a client error.
        if errors and any(not error.path for error in errors):
            return 400, payload
        payload["data"] = result.data
        return 200, payload

    def format_error(self, error, request=None):
        request_id = getattr(request, "request_id", None)
        original = getattr(error, "original_error", None)
        if original is not None and not isinstance(original, GraphQLError):
            logger.error(
                "Unexpected error resolving %s [request %s]",
                ".".join(map(str, error.path or [])),
                request_id,
                exc_info=original,
            )
            formatted = {
                "message": "Something went wrong while answering this field.",
                "extensions": {"code": "INTERNAL_ERROR"},
            }
            if error.path:
                formatted["path"] = error.path
        else:
            formatted = dict(error.formatted)
            # Suggestions would map the schema for a client that has no introspection.
            formatted["message"] = SUGGESTION.sub("", formatted["message"])
            formatted["extensions"] = {
                "code": "BAD_USER_INPUT" if error.path else "GRAPHQL_VALIDATION_FAILED",
                **(formatted.get("extensions") or {}),
            }
        formatted["extensions"]["requestId"] = request_id
        return formatted


def _never(value):
    return False


# Documents that parsed and validated, with their printed form, by query text: front
# ends send the same few queries with other variables, and parsing and validating cost
# as much as running a small query. Bounded by the length of the queries held: a
# parsed document takes some 75 bytes a character, so at most about 15 MB a process.
_validated = LRUCache(maxsize=200_000, getsizeof=lambda held: held[2])
_validated_lock = threading.Lock()  # the development server answers in threads


@receiver(setting_changed)
def _forget_validated(**kwargs):
    """Validation reads settings (limits, introspection), which tests change."""
    with _validated_lock:
        _validated.clear()


def _refuse_other_than_query(document, operation_name):
    operation = get_operation_ast(document, operation_name)
    if operation is not None and operation.operation != OperationType.QUERY:
        raise RequestRefused(400, "This API is read-only: send a query.", "READ_ONLY")


def _request_id(request):
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


def _is_anonymous(request):
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    # Only a session cookie can make a user: don't load a session that isn't there.
    return not (request.COOKIES.get(settings.SESSION_COOKIE_NAME) and request.user.is_authenticated)


def _response(request, etag, body, cacheable):
    if cacheable:
        cache_control = (
            f"public, max-age=0, s-maxage={settings.GRAPHQL_CDN_MAX_AGE}, "
            f"stale-while-revalidate={settings.GRAPHQL_CDN_STALE_WHILE_REVALIDATE}"
        )
    else:
        cache_control = "private, no-store"
    if request.method == "GET" and cacheable and etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


def _rate_counter(request):
    """The shared counter of this client's requests in the current window, and how long
    to keep it; (None, None) when there is no limit."""
    if not settings.GRAPHQL_RATE_LIMIT_REQUESTS:
        return None, None
    window = settings.GRAPHQL_RATE_LIMIT_WINDOW_SECONDS
    client = request.META.get(settings.GRAPHQL_RATE_LIMIT_CLIENT_HEADER, "") or request.META.get(
        "REMOTE_ADDR", ""
    )
    # X-Forwarded-For grows to the right: the last entry is the one our proxy added,
    # the others are whatever the client sent.
    client = client.split(",")[-1].strip()
    return f"graphql:rate:{client}:{int(time.time() // window)}", window + 1


def _rate_limited():
    limit = settings.GRAPHQL_RATE_LIMIT_REQUESTS
    window = settings.GRAPHQL_RATE_LIMIT_WINDOW_SECONDS
    retry_after = max(1, math.ceil(window - time.time() % window))
    return RequestRefused(
        429,
        f"Too many requests: the limit is {limit} every {window} seconds.",
        "RATE_LIMITED",
        {"Retry-After": str(retry_after)},
    )
