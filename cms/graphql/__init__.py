"""Small GraphQL field helpers shared by the content apps' `graphql_fields`."""

import graphene
from django.apps import apps
from graphql import FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode
from graphql.execution.values import get_argument_values
from grapple.models import GraphQLField
from grapple.registry import registry


def GraphQLList(field_name, model, *, source=None, description=None):  # noqa: N802
    """A non-null list of non-null items of a registered model's type.

    grapple's GraphQLCollection wraps model lists in QuerySetList, which adds
    limit/offset/order/search arguments that make no sense on a page's own
    inline items; a plain list keeps the contract small.
    """

    def mixin():
        model_class = apps.get_model(model) if isinstance(model, str) else model
        item_type = graphene.NonNull(lambda: registry.models[model_class])
        return GraphQLField(
            field_name,
            graphene.List(item_type),
            required=True,
            source=source or field_name,
            description=description,
        )

    return mixin


def bad_input(message):
    """A client error a front-end developer can act on, with a stable code."""
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


def selected_fields(info, *path):
    """The names of the fields a query selects at `path` below the field being resolved
    (e.g. `selected_fields(info, "items")`), through fragments and inline fragments:
    so a resolver fetches in bulk only what the client asked for."""
    return {node.name.value for node in _fields_at(info, path)}


def _fields_at(info, path):
    selection_sets = [node.selection_set for node in info.field_nodes]
    for name in (*path, None):
        fields = []
        stack = [s for s in selection_sets if s is not None]
        while stack:
            for selection in stack.pop().selections:
                if isinstance(selection, FieldNode):
                    fields.append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    stack.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    fragment = info.fragments.get(selection.name.value)
                    if fragment is not None:
                        stack.append(fragment.selection_set)
        if name is None:
            return fields
        selection_sets = [field.selection_set for field in fields if field.name.value == name]
    return []


def requested_rendition_specs(info, *path):
    """The rendition filter specs a query asks of the image at `path` below the field
    being resolved (its `rendition` and `srcSet` fields), spelt as grapple spells them,
    so that only those renditions are fetched with the images."""
    image_type = info.schema.get_type("ImageObjectType")
    specs = set()
    for node in _fields_at(info, path):
        name = node.name.value
        if name not in ("rendition", "srcSet"):
            continue
        arguments = get_argument_values(image_type.fields[name], node, info.variable_values)
        if name == "rendition":
            specs.add("|".join(f"{k}-{v}" for k, v in arguments.items() if k != "preserve_svg"))
        else:
            suffix = f"|format-{arguments['format']}" if arguments.get("format") else ""
            specs.update(f"width-{width}{suffix}" for width in arguments.get("sizes", ()))
    return specs
