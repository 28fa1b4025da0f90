"""The visibility rule (cms/visibility.py) and the argument checks, around the resolver
of every field that returns objects or takes arguments.

grapple filters some of its entry points (`pages`, `children`) but not others
(`parent`, `snippets`, reverse relations such as `aliases`), and custom fields can
forget. So every such field of the schema is wrapped once, when the schema is built
(`guard_schema`): a page, snippet, image, document or redirect that may not be seen
becomes null, and lists lose such items. Fields of scalars without arguments, most of
any query, run unwrapped: a scalar cannot carry a page out.

Before a wrapped field runs, the arguments clients may abuse are checked, by name
whatever the field: list sizes, ids, search text and `order` (an allowlist a type).
Checks particular to one field live with its resolver (renditions: media.py).
"""

import re

from django.conf import settings
from django.db.models import QuerySet
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLObjectType, default_field_resolver, get_named_type, is_leaf_type
from wagtail.search.backends.base import BaseSearchResults

from cms.visibility import GUARDED_TYPES, visibility_for

from .errors import bad_input

PAGE_ORDERS = ("title", "slug", "first_published_at", "last_published_at", "path")
ORDER_ALLOWLIST = {
    "PageInterface": PAGE_ORDERS,
    "ImageObjectType": ("title", "created_at", "id"),
    "DocumentObjectType": ("title", "created_at", "id"),
    "TagObjectType": ("name", "id"),
}
ID_ARGUMENTS = ("id", "parent", "ancestor", "collection")
SIZE_ARGUMENTS = ("limit", "per_page")
SEARCH_ARGUMENTS = ("search_query", "query")
WHOLE_NUMBER = re.compile(r"^[0-9]{1,18}$")


def guard_schema(graphql_schema):
    """Wrap the resolvers of the fields that return objects or take arguments."""
    for graphql_type in graphql_schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field in graphql_type.fields.values():
            if field.args or not is_leaf_type(get_named_type(field.type)):
                field.resolve = guarded(field.resolve or default_field_resolver)
    return graphql_schema


def guarded(resolver):
    def resolve_visible(root, info, **arguments):
        if arguments:
            check_arguments(info, arguments)
        return _visible(resolver(root, info, **arguments), info)

    resolve_visible.guards = resolver
    return resolve_visible


def _visible(result, info):
    if result is None or isinstance(result, str | int | float | bool):
        return result
    if isinstance(result, GUARDED_TYPES):
        return result if visibility_for(info.context).is_visible(result) else None
    if isinstance(result, QuerySet | BaseSearchResults | list | tuple):
        items = list(result)
        if any(isinstance(item, GUARDED_TYPES) for item in items):
            return visibility_for(info.context).visible_items(items)
        return items
    return result


def check_arguments(info, arguments):
    """Refuse arguments that would leak, overload or confuse, with a clear message."""
    for name in SIZE_ARGUMENTS:
        size = arguments.get(name)
        if size is not None and not 1 <= size <= settings.GRAPHQL_MAX_PER_PAGE:
            raise bad_input(
                f"{info.field_name}: {to_camel_case(name)} must be between 1 and "
                f"{settings.GRAPHQL_MAX_PER_PAGE}."
            )
    for name in ID_ARGUMENTS:
        value = arguments.get(name)
        if value is not None and not WHOLE_NUMBER.match(str(value)):
            raise bad_input(f"{info.field_name}: {name} must be a whole number.")
    for name in SEARCH_ARGUMENTS:
        text = arguments.get(name)
        if isinstance(text, str) and len(text) > settings.GRAPHQL_MAX_SEARCH_CHARS:
            raise bad_input(
                f"Search text is limited to {settings.GRAPHQL_MAX_SEARCH_CHARS} characters."
            )
    if arguments.get("order") is not None:
        _check_order(info, arguments["order"])


def _check_order(info, order):
    return_type = get_named_type(info.return_type)
    type_name = return_type.name
    if "PageInterface" in {i.name for i in getattr(return_type, "interfaces", ())}:
        type_name = "PageInterface"
    allowed = ORDER_ALLOWLIST.get(type_name, ())
    for part in order.split(","):
        if part.strip().lstrip("-") not in allowed:
            choices = ", ".join(allowed) or "none"
            raise bad_input(
                f"{info.field_name}: cannot order by {part.strip()!r}. "
                f"Allowed (prefix with - to reverse): {choices}."
            )
