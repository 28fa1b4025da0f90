"""The /graphql/ endpoint, as a pipeline read top to bottom in `CMSGraphQLView.answer`:

1. check the envelope: GET, or a JSON POST within the size limit (before its body is
   read), accepting one of the answer's media types (media_types.py);
2. recall: an anonymous request sent exactly as one admitted and answered from the
   response cache before (the same method, host, content type, query string and body)
   is answered from this process's memory, at the request's content version: it would
   be admitted alike and ask for the same entry (response_cache.py), which is served in
   the media type this request accepts;
3. admit: no form posts, no batches, a query within the limit, sent in full or by its
   hash (persisted.py), a trusted one where only those run;
4. serve from the response cache (anonymous reads, at the request's content version);
5. prepare: parse and validate, with the limits, keeping validated documents;
6. charge the client's budget (only work is charged: cache hits are free);
7. execute against the schema (schema.py), whose fields enforce the visibility rule,
   completing each page from its part of an earlier answer where one is kept
   (fragments.py);
8. respond: errors with honest codes, ETag, Cache-Control, the surrogate keys of what
   the answer holds (recorded as it ran: guard.py), and into the cache.

Every answer, a refusal's too, is in the media type the request's Accept header chose,
with the status the specification gives in it, and says `Vary: Accept`.

Before it, middleware has given the request its id (X-Request-ID) and identified the
client; after it, Django's ConditionalGetMiddleware answers a matching If-None-Match
with 304. graphene-django's GraphQLView supplies the query parameters; its
`execute_graphql_request` is not used, as it parses and validates every request afresh
(documents.py keeps what validated).
"""

import hashlib
import json

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView
from graphql import ExecutionResult, execute

from core import content_version, rate_limit, surrogate_keys
from core.caching import is_anonymous
from core.errors import Refused, error_response, service_unavailable
from core.request_context import context_of

from . import persisted
from .documents import prepare, printed_if_prepared
from .errors import RequestError, format_error
from .fragments import PageFragmentsExecutionContext
from .leaves import never_awaitable
from .media_types import GRAPHQL_RESPONSE, JSON, content_type, etag_for, negotiated
from .response_cache import ResponseCache, recall

DATABASE_DOWN = (OperationalError, InterfaceError)


class CMSGraphQLView(GraphQLView):
    @classmethod
    def as_view(cls, **initkwargs):
        # Exempt once here: decorating `dispatch` would wrap it anew for every request.
        return csrf_exempt(super().as_view(**initkwargs))

    def dispatch(self, request, *args, **kwargs):
        try:
            response = self.answer(request)
        except Refused as refused:  # rate_limit.RateLimited among them
            response = self.refusal(request, refused)
        response["Vary"] = "Accept"
        return response

    def answer(self, request):
        self.check_envelope(request)
        context = context_of(request)
        context.content_version = content_version.read()
        anonymous = is_anonymous(request)
        if anonymous:
            found = recall(request, context.content_version)
            if found is not None:
                return found.response(self.media_type)

        query, variables, operation_name, registering = self.admit(request)
        cache = None
        if anonymous:
            cache = ResponseCache(request, operation_name, variables, context.content_version)
            # As sent (no parsing on the fast path), and as printed if known, in one look-up.
            found = cache.get(query, then=printed_if_prepared(query))
            if found is not None:
                return found.response(self.media_type)

        document, printed, errors = prepare(
            self.schema.graphql_schema, query, operation_name, request.method
        )
        if registering and not errors:
            persisted.remember(registering, query)
        if cache is not None and not errors:
            found = cache.get(printed)  # as printed: layout and comments aside
            if found is not None:
                cache.set([query], found.etag, found.body, found.keys)
                return found.response(self.media_type)

        rate_limit.charge(request)
        if errors:
            result = ExecutionResult(errors=errors)
        else:
            context.printed_query = printed
            result = self.execute(request, document, variables, operation_name)
        return self.respond(request, result, cache, [query, printed])

    def check_envelope(self, request):
        """Refused unless a GET, or a POST of JSON within the size limit, accepting an
        answer in one of the media types: what can be told before the body is read."""
        accepted = negotiated(request.META.get("HTTP_ACCEPT", ""))
        # A 405 or 406 for a request accepting neither media type is application/json.
        self.media_type = accepted or JSON
        if request.method not in ("GET", "POST"):
            raise Refused(405, "Use GET or POST.", "METHOD_NOT_ALLOWED", {"Allow": "GET, POST"})
        if accepted is None:
            raise Refused(
                406,
                f"Accept {GRAPHQL_RESPONSE} or {JSON}: the answer comes in either.",
                "NOT_ACCEPTABLE",
            )
        if request.method == "GET":
            return
        if self.get_content_type(request) != "application/json":
            raise Refused(
                415, "POST a JSON body with Content-Type: application/json.", "UNSUPPORTED_MEDIA"
            )
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit():
            raise Refused(400, "Content-Length must be a number of bytes.", "BAD_REQUEST")
        if int(length) > settings.GRAPHQL_MAX_BODY_BYTES:
            raise Refused(
                413,
                f"The request body is limited to {settings.GRAPHQL_MAX_BODY_BYTES} bytes.",
                "BODY_TOO_LARGE",
            )

    def admit(self, request):
        """(query, variables, operation name, the hash to register the query under if it
        validates) of a request whose envelope passed, if it is fit to run; or Refused."""
        data = self.parse_body(request)
        try:
            query, variables, operation_name, _ = self.get_graphql_params(request, data)
            extensions = _json_parameter(request, data, "extensions")
        except Exception as error:  # graphene-django's HttpError for bad JSON parameters
            raise Refused(
                400, "variables and extensions must be valid JSON.", "BAD_REQUEST"
            ) from error
        if extensions is not None and not isinstance(extensions, dict):
            raise Refused(400, "extensions must be a JSON object.", "BAD_REQUEST")
        sha = persisted.requested_hash(extensions)
        if not isinstance(query, str | None) or not (query and query.strip() or sha):
            raise Refused(400, "Send a GraphQL query.", "BAD_REQUEST")
        if variables is not None and not isinstance(variables, dict):
            raise Refused(400, "variables must be a JSON object.", "BAD_REQUEST")
        if operation_name is not None and not isinstance(operation_name, str):
            raise Refused(400, "operationName must be a string.", "BAD_REQUEST")
        if query and len(query) > settings.GRAPHQL_MAX_QUERY_CHARS:
            raise RequestError(
                400,
                f"The query is {len(query)} characters long; the limit is "
                f"{settings.GRAPHQL_MAX_QUERY_CHARS}.",
                "QUERY_TOO_LARGE",
            )
        registering = sha if query else None
        return persisted.query_to_run(query, sha), variables, operation_name, registering

    def parse_body(self, request):
        if request.method == "GET":
            return {}
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as error:
            raise Refused(400, "The body is not valid JSON.", "BAD_REQUEST") from error
        if isinstance(data, list):
            raise Refused(400, "Batched queries are not accepted.", "BATCH_NOT_ALLOWED")
        if not isinstance(data, dict):
            raise Refused(400, "The body must be a JSON object.", "BAD_REQUEST")
        return data

    def execute(self, request, document, variables, operation_name):
        return execute(
            self.schema.graphql_schema,
            document,
            context_value=request,
            variable_values=variables,
            operation_name=operation_name,
            # Pages' answers are kept per selection, by their keys' versions (fragments.py).
            execution_context_class=PageFragmentsExecutionContext,
            # Every resolver here is synchronous: spare graphql-core asking each value
            # (and fields are completed without graphql-core's execute_field: leaves.py).
            is_awaitable=never_awaitable,
        )

    def respond(self, request, result, cache, queries):
        errors = result.errors or []
        if any(isinstance(error.original_error, DATABASE_DOWN) for error in errors):
            return service_unavailable(request, content_type(self.media_type))
        payload = {}
        if errors:
            payload["errors"] = [format_error(error, request) for error in errors]
        # Errors with no path (syntax, validation, variables) mean nothing ran: a request
        # error, the client's mistake, answered without data.
        request_error = any(not error.path for error in errors)
        if not request_error:
            payload["data"] = result.data
        body = json.dumps(payload, separators=(",", ":")).encode()
        if errors:
            status = 400 if request_error and self.media_type == GRAPHQL_RESPONSE else 200
            response = HttpResponse(body, status=status, content_type=content_type(self.media_type))
            # Not even a client's mistake is kept: a CDN would otherwise keep it for its
            # default time (Varnish: 2 minutes), past the fix of a server fault.
            response["Cache-Control"] = "private, no-store"
            return response
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        # A preview's draft is for the editor who asked, never for a cache; nor is an
        # answer made while a change committed (`set` says so), which a CDN would keep.
        if cache is not None and not context_of(request).served_preview:
            cached = cache.set(queries, etag, body, surrogate_keys.recorded(request))
            if cached is not None:
                return cached.response(self.media_type)
        response = HttpResponse(body, content_type=content_type(self.media_type))
        response["ETag"] = etag_for(etag, self.media_type)
        response["Cache-Control"] = "private, no-store"
        return response

    def refusal(self, request, refused):
        """The answer to a request refused unrun, in its media type: a request error is a
        200 in application/json."""
        legacy = isinstance(refused, RequestError) and self.media_type == JSON
        return error_response(
            request,
            200 if legacy else refused.status,
            str(refused),
            refused.code,
            refused.headers,
            content_type(self.media_type),
        )


def _json_parameter(request, data, name):
    """A JSON object sent in the query string (GET) or the body (POST); None if empty,
    which the specification takes for not sent."""
    value = request.GET.get(name) if request.method == "GET" else data.get(name)
    if value == "":
        return None
    return json.loads(value) if isinstance(value, str) else value
