"""Leaf fields completed without graphql-core's per-field machinery.

A list of 100 news items asks some 1,500 fields, most of them leaves (a title, a date, a
rendition's width): graphql-core 3.2 runs each through `execute_field` (the field's
definition looked up, a ResolveInfo built, its arguments read from the document, the
value completed through a chain of type checks), a fifth of the request's CPU with nothing
kept. Here a field that is a scalar or enum (null or not), takes no arguments and carries
no directive is completed directly: its resolver, then its type's `serialize`. What
decides that, with the field's resolver and ResolveInfo, is worked out once per
selection of a type in an execution, not per item.

Correctness stays graphql-core's: anything else (objects, lists, arguments) goes through
its `execute_field`, and so does a leaf whose resolver or serializer raised, that
resolved to an exception, or that completed to null where the type forbids it, run again
there (a leaf's resolver only reads), so that its error, the error's path and locations,
and how the null propagates are exactly graphql-core's.

The ResolveInfo a leaf's resolver gets here is shared by every item, so its `path` is
None: no leaf resolver here, graphene's or grapple's, reads it. There is no
graphql middleware, and every resolver is synchronous (`never_awaitable`); were either
not so, every field would go through graphql-core.
"""

from graphql import (
    ExecutionContext,
    GraphQLResolveInfo,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.execution.execute import get_field_def
from graphql.pyutils import Path

# A leaf this module could not complete: graphql-core completes it.
NOT_COMPLETED = object()


def never_awaitable(value):
    """Every resolver here is synchronous: spare graphql-core asking each value."""
    return False


class LeafFieldsExecutionContext(ExecutionContext):
    """graphql-core's execution, completing leaf fields directly (see above)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.completes_leaves = (
            self.middleware_manager is None and self.is_awaitable is never_awaitable
        )
        # (parent type, id of a selection) -> (the selection, its fields' plan): the
        # selection is held so its id stays its own for the execution.
        self.plans = {}

    def execute_fields(self, parent_type, source_value, path, fields):
        if not self.completes_leaves:
            return super().execute_fields(parent_type, source_value, path, fields)
        results = {}
        for response_name, field_nodes, leaf in self.plan(parent_type, fields):
            if leaf is not None:
                value = complete_leaf(leaf, source_value)
                if value is not NOT_COMPLETED:
                    results[response_name] = value
                    continue
            field_path = Path(path, response_name, parent_type.name)
            result = self.execute_field(parent_type, source_value, field_nodes, field_path)
            if result is not Undefined:
                results[response_name] = result
        return results

    def plan(self, parent_type, fields):
        """Each field of a selection in order: (response name, nodes, its leaf or None)."""
        key = (parent_type, id(fields))
        found = self.plans.get(key)
        if found is None:
            steps = [(name, nodes, self.leaf(parent_type, nodes)) for name, nodes in fields.items()]
            found = self.plans[key] = (fields, steps)
        return found[1]

    def leaf(self, parent_type, field_nodes):
        """(resolver, info, serialize, non-null) for a field completed here, else None."""
        field_def = get_field_def(self.schema, parent_type, field_nodes[0])
        if field_def is None or field_def.args or any(n.directives for n in field_nodes):
            return None
        leaf_type = get_nullable_type(field_def.type)
        if not is_leaf_type(leaf_type):
            return None
        info = GraphQLResolveInfo(
            field_nodes[0].name.value,
            field_nodes,
            field_def.type,
            parent_type,
            None,  # the path: read by no leaf's resolver (see above)
            self.schema,
            self.fragments,
            self.root_value,
            self.operation,
            self.variable_values,
            self.context_value,
            self.is_awaitable,
        )
        resolver = field_def.resolve or self.field_resolver
        return resolver, info, leaf_type.serialize, is_non_null_type(field_def.type)


def complete_leaf(leaf, source):
    """The leaf's serialized value, or NOT_COMPLETED where graphql-core would raise."""
    resolver, info, serialize, non_null = leaf
    try:
        value = resolver(source, info)
        if value is None or value is Undefined:
            return NOT_COMPLETED if non_null else None
        if isinstance(value, Exception):  # graphql-core raises it
            return NOT_COMPLETED
        serialized = serialize(value)
    except Exception:
        return NOT_COMPLETED
    if serialized is None or serialized is Undefined:
        return NOT_COMPLETED
    return serialized
