"""GraphQL errors as clients see them, with honest codes.

- A client's mistake keeps its code: the document did not parse or validate
  (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED or a limit's code), or a resolver
  refused an argument on purpose (`bad_input`: BAD_USER_INPUT, or another code it set).
- Anything else that failed while a field was answered failed on the server: it is
  INTERNAL_ERROR with a generic message, and the log gets the traceback, with the
  request id the client is given to quote.
Suggestions ("Did you mean ...?") are kept where introspection is on (development), to
help with a misspelt field; with it off (production) they are removed, as they would map
the schema for a client that has no introspection.

A document refused before it ran is a GraphQL request error (`RequestError`, or an
`ExecutionResult` without data): a 4xx in application/graphql-response+json (400, or
the RequestError's own), a 200 in application/json (media_types.py).
"""

import logging
import re

from django.conf import settings
from graphql import GraphQLError

from core.errors import Refused
from core.request_context import context_of

logger = logging.getLogger("cms.graphql")

SUGGESTION = re.compile(r" ?Did you mean .*?\?$")
INTERNAL_MESSAGE = "Something went wrong while answering this field."


class RequestError(Refused):
    """A well-formed request whose document is not run: unknown, not trusted here, too
    large, or not a query. In application/json it is answered 200, the errors saying why,
    as the GraphQL-over-HTTP specification asks of a request error."""


def bad_input(message, code="BAD_USER_INPUT"):
    """A client error a front-end developer can act on, with a stable code."""
    return GraphQLError(message, extensions={"code": code})


def format_error(error, request):
    request_id = context_of(request).request_id
    code = (error.extensions or {}).get("code")
    if error.path and code is None:
        logger.error(
            "Unexpected error resolving %s [request %s]",
            ".".join(map(str, error.path)),
            request_id,
            exc_info=error.original_error or error,
        )
        return {
            "message": INTERNAL_MESSAGE,
            "path": error.path,
            "extensions": {"code": "INTERNAL_ERROR", "requestId": request_id},
        }
    formatted = dict(error.formatted)
    if not settings.GRAPHQL_INTROSPECTION_ENABLED:
        formatted["message"] = SUGGESTION.sub("", formatted["message"])
    formatted["extensions"] = {
        "code": code or "GRAPHQL_VALIDATION_FAILED",
        **(formatted.get("extensions") or {}),
        "requestId": request_id,
    }
    return formatted
