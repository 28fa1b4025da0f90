"""Validation rules that bound what one query may ask for.

They are added to graphql-core's standard rules (the view passes both), run before
anything executes, and answer with a GraphQL error whose `extensions.code` says
which limit was hit. Fragments are followed (selections.py).
"""

from django.conf import settings
from graphql import (
    FieldNode,
    GraphQLError,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    ValidationRule,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

from .selections import fields_under

# Arguments that set how many items a list field returns.
LIST_SIZE_ARGUMENTS = ("limit", "perPage", "first", "sizes")


def _limit_error(message, code, node):
    return GraphQLError(message, node, extensions={"code": code})


class QueryDepthRule(ValidationRule):
    """No operation nests fields deeper than GRAPHQL_MAX_DEPTH (introspection aside)."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
        limit = settings.GRAPHQL_MAX_DEPTH
        depth = self._depth(node.selection_set, frozenset())
        if depth > limit:
            self.report_error(
                _limit_error(
                    f"The query is nested {depth} levels deep; the limit is {limit}.",
                    "QUERY_TOO_DEEP",
                    node,
                )
            )
        return self.SKIP

    def _depth(self, selection_set, visiting):
        deepest = 0
        for field, _ in fields_under(selection_set, self.context.get_fragment, visiting):
            if field.name.value.startswith("__"):
                continue
            deepest = max(deepest, 1 + self._depth(field.selection_set, visiting))
        return deepest


class AliasLimitRule(ValidationRule):
    """No document uses more than GRAPHQL_MAX_ALIASES aliases."""

    def __init__(self, context):
        super().__init__(context)
        self.aliases = 0

    def enter_field(self, node: FieldNode, *_args):
        if node.alias is not None:
            self.aliases += 1

    def leave_document(self, node, *_args):
        limit = settings.GRAPHQL_MAX_ALIASES
        if self.aliases > limit:
            self.report_error(
                _limit_error(
                    f"The query uses {self.aliases} aliases; the limit is {limit}.",
                    "TOO_MANY_ALIASES",
                    node,
                )
            )


class QueryCostRule(ValidationRule):
    """The estimated work of an operation stays within GRAPHQL_MAX_COST.

    Each field costs 1 plus what it selects; a list field multiplies what it selects
    by the items it may return: its `limit`/`perPage`/`first`/`sizes` argument, the
    most a variable there may ask for, or GRAPHQL_DEFAULT_LIST_COST.
    """

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
        schema = self.context.schema
        root = schema.get_root_type(node.operation)
        cost = self._cost(node.selection_set, root, frozenset())
        limit = settings.GRAPHQL_MAX_COST
        if cost > limit:
            self.report_error(
                _limit_error(
                    f"The query could cost {cost} units of work; the limit is {limit}. "
                    "Ask for fewer items or fields.",
                    "QUERY_TOO_COSTLY",
                    node,
                )
            )
        return self.SKIP

    def _cost(self, selection_set, parent_type, visiting):
        schema = self.context.schema
        total = 0
        for field, condition in fields_under(selection_set, self.context.get_fragment, visiting):
            if field.name.value.startswith("__"):
                continue
            owner = schema.get_type(condition) if condition else parent_type
            field_def = getattr(owner, "fields", {}).get(field.name.value)
            if field_def is None:
                continue  # an unknown field: the standard rules report it
            inner = self._cost(field.selection_set, get_named_type(field_def.type), visiting)
            if is_list_type(get_nullable_type(field_def.type)):
                total += 1 + _list_size(field) * max(inner, 1)
            else:
                total += 1 + inner
        return total


def _list_size(field):
    for argument in field.arguments or ():
        if argument.name.value not in LIST_SIZE_ARGUMENTS:
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(int(value.value), 1)
        if isinstance(value, ListValueNode):
            return max(len(value.values), 1)
        return settings.GRAPHQL_MAX_PER_PAGE  # a variable: assume the most it may be
    return settings.GRAPHQL_DEFAULT_LIST_COST


LIMIT_RULES = (QueryDepthRule, AliasLimitRule, QueryCostRule)
