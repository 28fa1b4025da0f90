"""The GraphQL API: field helpers the content apps' `graphql_fields` share.

The endpoint is view.py; README.md's layout table names the module of each step."""

import graphene
from django.apps import apps
from graphql import GraphQLObjectType
from grapple.models import GraphQLField
from grapple.registry import registry
from wagtail.blocks import FieldBlock


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


def help_text_of(field, addition=""):
    """A model field's or field block's help text, as its GraphQL field's description.

    Read in the class body, from the field: grapple calls a field's mixin without its model.
    `addition`, for API readers only (", as HTML", ", or ''"), goes before the full stop.
    """
    # A field block keeps its help text on its form field.
    help_text = field.field.help_text if isinstance(field, FieldBlock) else field.help_text
    return f"{help_text.removesuffix('.')}{addition}." if addition else help_text


def object_types(graphql_schema):
    """The schema's object types, introspection's own aside."""
    return [
        graphql_type
        for graphql_type in graphql_schema.type_map.values()
        if isinstance(graphql_type, GraphQLObjectType) and not graphql_type.name.startswith("__")
    ]
