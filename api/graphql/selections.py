"""What a query selects: one walk over selection sets, fragments expanded, used by the
validation limits (limits.py) and by resolvers that fetch in bulk only what is asked."""

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode


def fields_under(selection_set, get_fragment, visiting=frozenset()):
    """The fields directly under a selection set, through fragments and inline fragments,
    each with the type condition it was selected under (None: the parent type).

    `get_fragment(name)` finds a fragment's definition (None if there is none); a
    fragment already being visited is not entered again (cycles are reported by
    graphql-core's NoFragmentCyclesRule, not looped on here)."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection, None
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            for field, inner in fields_under(selection.selection_set, get_fragment, visiting):
                yield field, inner or (condition.name.value if condition else None)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = get_fragment(name)
            if fragment is None or name in visiting:
                continue
            inner_fields = fields_under(fragment.selection_set, get_fragment, visiting | {name})
            for field, inner in inner_fields:
                yield field, inner or fragment.type_condition.name.value


def selected_nodes(info, *path):
    """The field nodes a query selects at `path` below the field being resolved, e.g.
    `selected_nodes(info, "items", "heroImage")`."""
    nodes = list(info.field_nodes)
    for name in path:
        nodes = [node for node in _children(info, nodes) if node.name.value == name]
    return _children(info, nodes)


def selected_fields(info, *path):
    """The names of the fields selected at `path` below the field being resolved."""
    return {node.name.value for node in selected_nodes(info, *path)}


def _children(info, nodes):
    return [
        field for node in nodes for field, _ in fields_under(node.selection_set, info.fragments.get)
    ]
