"""Preparing a query to run: parse it within the token limit, refuse anything but a
query, and validate it with graphql-core's rules, the limits (limits.py) and, where
introspection is off, a rule that still allows `__typename` (Apollo Client and urql add
it to every selection).

Documents that validated are kept by query text: front ends send the same few queries
with other variables, and parsing and validating cost as much as running a small query.
"""

from django.conf import settings
from graphql import (
    GraphQLError,
    GraphQLSyntaxError,
    NoSchemaIntrospectionCustomRule,
    OperationType,
    get_named_type,
    get_operation_ast,
    is_introspection_type,
    parse,
    print_ast,
    specified_rules,
    validate,
)

from core.errors import Refused
from core.memo import Memo

from .errors import RequestError
from .limits import LIMIT_RULES

# A parsed document takes some 75 bytes a character of its query: about 15 MB a process.
_validated = Memo(max_size=200_000, size_of=lambda held: held[2])


class NoIntrospectionRule(NoSchemaIntrospectionCustomRule):
    """graphql-core's rule, which refuses `__schema` and `__type` but not `__typename`
    (graphene's DisableIntrospection refuses that too), in fewer words, once a field."""

    def enter_field(self, node, *_args):
        named = get_named_type(self.context.get_type())
        if named and is_introspection_type(named):
            self.report_error(
                GraphQLError(f"Cannot query '{node.name.value}': introspection is disabled.", node)
            )
            return self.SKIP
        return None


def prepare(schema, query, operation_name, method):
    """(document, printed query, errors) of a query sent by `method`: the errors stop it
    running; the printed form (None if it did not parse) keys the response cache beside
    the query as sent."""
    held = _validated.get(query)
    if held is not None:
        document, printed, _ = held
        refuse_other_than_query(document, operation_name, method)
        return document, printed, []
    try:
        document = parse(query, max_tokens=settings.GRAPHQL_MAX_QUERY_TOKENS)
    except GraphQLSyntaxError as error:
        error.extensions = {"code": "GRAPHQL_PARSE_FAILED"}
        return None, None, [error]
    except GraphQLError as error:  # graphql-core's token limit
        error.extensions = {"code": "QUERY_TOO_LARGE"}
        return None, None, [error]
    refuse_other_than_query(document, operation_name, method)
    rules = [*specified_rules, *LIMIT_RULES]
    if not settings.GRAPHQL_INTROSPECTION_ENABLED:
        rules.append(NoIntrospectionRule)
    errors = validate(schema, document, rules)
    printed = print_ast(document)
    if not errors:
        _validated.set(query, (document, printed, len(query)))
    return document, printed, errors


def printed_if_prepared(query):
    """The query as printed if it has been prepared and validated here before (no
    parsing), else None."""
    held = _validated.get(query)
    return None if held is None else held[1]


def refuse_other_than_query(document, operation_name, method):
    operation = get_operation_ast(document, operation_name)
    if operation is not None and operation.operation != OperationType.QUERY:
        message = "This API is read-only: send a query."
        if method == "GET":
            # What the specification asks of a mutation sent by GET, a safe method.
            raise Refused(405, message, "READ_ONLY", {"Allow": "GET, POST"})
        raise RequestError(400, message, "READ_ONLY")
