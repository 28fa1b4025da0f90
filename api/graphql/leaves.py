"""Fields completed without graphql-core's per-field machinery.

A list of 100 news items asks some 1,500 fields: graphql-core 3.2 runs each through
`execute_field`, which looks up the field's definition, builds a ResolveInfo and reads
the field's arguments from the document (`get_argument_values`, the costliest part) for
every item, though within one execution they are the same for every item: a fifth of
the request's CPU for leaves alone, with nothing kept. Here what each field of a
selection of a type needs is worked out once per execution (`plan`), not per item:
- a leaf, a scalar or enum (null or not) without arguments, is completed directly: its
  resolver, then its type's `serialize`;
- any other field (an object, a list, a field with arguments) runs its resolver with
  the arguments read once, then graphql-core's `complete_value` with the field's real
  path, so what completes its value (fragments.py's pages and lists among it) is
  graphql-core's and sees where it is. The arguments are read from this execution's
  variables and kept only for it; each call gets its own copy of them.
A field carrying a directive, or whose arguments cannot be read, goes through
`execute_field`.

Correctness stays graphql-core's: a field whose resolver raised or resolved to an
exception, whose completion raised (an error below it that reached it, a null where its
type forbids one), or a leaf whose serializer raised, is run again through
`execute_field` (resolvers only read), so that its error, the error's path and
locations, and how the null propagates are exactly graphql-core's. The errors recorded
during the failed attempt (a nullable field's below it: graphql-core records those
without raising) are dropped first, with the positions graphql-core keeps for them, so
that the errors are the second run's alone: none reported twice, none withheld as below
a position already nulled, none left for a field the second run answered. An attempt
that completed keeps the errors it recorded, as `execute_field` would.

The ResolveInfo a resolver gets here is shared by every item of a selection, so its
`path` is None: no resolver here, graphene's, graphene-django's or grapple's, reads it
(graphql-core's own list completion shares one ResolveInfo among a list's items too).
There is no graphql middleware, and every resolver is synchronous (`never_awaitable`);
were either not so, every field would go through graphql-core.
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
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path

# A field this module could not complete: graphql-core completes it.
NOT_COMPLETED = object()


def never_awaitable(value):
    """Every resolver here is synchronous: spare graphql-core asking each value."""
    return False


class PlannedFieldsExecutionContext(ExecutionContext):
    """graphql-core's execution, completing fields as planned once per selection (see
    above) rather than through `execute_field`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.completes_directly = (
            self.middleware_manager is None and self.is_awaitable is never_awaitable
        )
        # (parent type, id of a selection) -> (the selection, its fields' plan): the
        # selection is held so its id stays its own for the execution.
        self.plans = {}

    def execute_fields(self, parent_type, source_value, path, fields):
        if not self.completes_directly:
            return super().execute_fields(parent_type, source_value, path, fields)
        results = {}
        for response_name, field_nodes, leaf, field in self.plan(parent_type, fields):
            if leaf is not None:
                value = complete_leaf(leaf, source_value)
                if value is not NOT_COMPLETED:
                    results[response_name] = value
                    continue
            field_path = Path(path, response_name, parent_type.name)
            if field is not None:
                value = self.complete_field(field, field_nodes, field_path, source_value)
                if value is not NOT_COMPLETED:
                    results[response_name] = value
                    continue
            result = self.execute_field_by_graphql_core(
                parent_type, source_value, field_nodes, field_path
            )
            if result is not Undefined:
                results[response_name] = result
        return results

    def execute_field_by_graphql_core(self, parent_type, source, field_nodes, path):
        """`execute_field`, the fields below it included: a field run again after an
        error below it runs that error's fields once more, not once more for each field
        on the way down to it."""
        completes_directly, self.completes_directly = self.completes_directly, False
        try:
            return self.execute_field(parent_type, source, field_nodes, path)
        finally:
            self.completes_directly = completes_directly

    def plan(self, parent_type, fields):
        """Each field of a selection in order: (response name, nodes, its leaf or None,
        its field or None); neither: graphql-core executes it."""
        key = (parent_type, id(fields))
        found = self.plans.get(key)
        if found is None:
            steps = [
                (name, nodes, *self.steps(parent_type, nodes)) for name, nodes in fields.items()
            ]
            found = self.plans[key] = (fields, steps)
        return found[1]

    def steps(self, parent_type, field_nodes):
        """(leaf, field) for a field completed here: a leaf's (resolver, info, serialize,
        non-null), any other field's (resolver, info, arguments, type); else (None, None)."""
        field_def = get_field_def(self.schema, parent_type, field_nodes[0])
        if field_def is None or any(node.directives for node in field_nodes):
            return None, None
        info = GraphQLResolveInfo(
            field_nodes[0].name.value,
            field_nodes,
            field_def.type,
            parent_type,
            None,  # the path: read by no resolver (see above)
            self.schema,
            self.fragments,
            self.root_value,
            self.operation,
            self.variable_values,
            self.context_value,
            self.is_awaitable,
        )
        resolver = field_def.resolve or self.field_resolver
        leaf_type = get_nullable_type(field_def.type)
        if is_leaf_type(leaf_type) and not field_def.args:
            return (resolver, info, leaf_type.serialize, is_non_null_type(field_def.type)), None
        try:
            arguments = get_argument_values(field_def, field_nodes[0], self.variable_values)
        except Exception:  # reported by execute_field, as graphql-core reports it
            return None, None
        return None, (resolver, info, arguments, field_def.type)

    def complete_field(self, field, field_nodes, path, source):
        """The field's completed value, or NOT_COMPLETED where graphql-core would report
        an error (the errors recorded meanwhile dropped: see above)."""
        resolver, info, arguments, return_type = field
        errors_before = len(self.collected_errors.errors)
        try:
            # An exception it resolved to, complete_value raises.
            return self.complete_value(
                return_type, field_nodes, info, path, resolver(source, info, **arguments)
            )
        except Exception:
            self.forget_errors_since(errors_before, path)
            return NOT_COMPLETED

    def forget_errors_since(self, count, path):
        """Drop the errors recorded since there were `count`, all at or below `path`,
        and the positions graphql-core keeps for them (it reports no error at or below a
        position it has nulled)."""
        collected = self.collected_errors
        if len(collected.errors) == count:  # a position is kept only with its error
            return
        del collected.errors[count:]
        # Their positions are paths built on `path` itself, where nothing was completed
        # before this attempt.
        collected._error_positions -= {
            position for position in collected._error_positions if is_at_or_below(position, path)
        }


def is_at_or_below(position, path):
    while position is not None:
        if position is path:
            return True
        position = position.prev
    return False


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
