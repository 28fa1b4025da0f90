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

The same wrapper records the surrogate keys of what the answer holds
(cms/surrogate_keys.py): each object that passes, and the lists read (an entry
point's, and any list of pages); an entry point that found nothing records the list it
looked in, or, for `page(urlPath:)`, the path.
"""

import re

from django.conf import settings
from django.db.models import QuerySet
from graphene.utils.str_converters import to_camel_case
from graphql import (
    GraphQLObjectType,
    default_field_resolver,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
)
from grapple.registry import registry
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Site
from wagtail.search.backends.base import BaseSearchResults

from cms import surrogate_keys
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


# What an answer's surrogate keys name: the objects a change can retire on their own.
KEYED_TYPES = (*GUARDED_TYPES, Tag, BaseSiteSetting, BaseGenericSetting, Collection, Site)


def guard_schema(graphql_schema):
    """Wrap the resolvers of the fields that return objects or take arguments."""
    models = _models_by_type_name()
    for graphql_type in graphql_schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        is_root = graphql_type is graphql_schema.query_type
        for field in graphql_type.fields.values():
            if field.args or not is_leaf_type(get_named_type(field.type)):
                field.resolve = guarded(
                    field.resolve or default_field_resolver,
                    _lists_read(graphql_schema, field, models, is_root),
                )
    return graphql_schema


def guarded(resolver, lists_read=()):
    """`lists_read`: the list keys an answer holding this field depends on, beyond the
    objects it returns (see `_lists_read`)."""

    def resolve_visible(root, info, **arguments):
        if arguments:
            check_arguments(info, arguments)
        result = _visible(resolver(root, info, **arguments), info)
        if lists_read:
            if result is None and arguments.get("url_path"):
                surrogate_keys.record(info.context, _path_key(info, arguments["url_path"]))
            elif result is None or isinstance(result, list):
                surrogate_keys.record(info.context, *lists_read)
        return result

    resolve_visible.guards = resolver
    return resolve_visible


def _visible(result, info):
    if result is None or isinstance(result, str | int | float | bool):
        return result
    if isinstance(result, KEYED_TYPES):
        surrogate_keys.record(info.context, surrogate_keys.key_for(result))
        if isinstance(result, GUARDED_TYPES):
            return result if visibility_for(info.context).is_visible(result) else None
        return result
    if isinstance(result, QuerySet | BaseSearchResults | list | tuple):
        items = list(result)
        keyed = [item for item in items if isinstance(item, KEYED_TYPES)]
        if not keyed:
            return items
        surrogate_keys.record(info.context, *map(surrogate_keys.key_for, keyed))
        return visibility_for(info.context).visible_items(items)
    return result


def _lists_read(graphql_schema, field, models, is_root):
    """The list keys of a field's answers: for an entry point (a field of Query), those
    of every model its items may be, read whether it returns a list or a lookup that
    may find nothing; elsewhere, only for lists of pages (children, descendants, a news
    list's items), which a page published anywhere can join."""
    named = get_named_type(field.type)
    possible = graphql_schema.get_possible_types(named) if is_abstract_type(named) else [named]
    found = [models[each.name] for each in possible if each.name in models]
    if not is_root:
        is_list = is_list_type(get_nullable_type(field.type))
        if not (is_list and found and all(issubclass(model, Page) for model in found)):
            return ()
    return tuple(sorted({surrogate_keys.list_key(model) for model in found}))


def _models_by_type_name():
    models = {
        "ImageObjectType": get_image_model(),
        "DocumentObjectType": get_document_model(),
        "TagObjectType": Tag,
        "Redirect": Redirect,
        "CollectionObjectType": Collection,
        "SiteObjectType": Site,
        "Page": Page,
    }
    for model, graphene_type in registry.class_models.items():
        name = graphene_type._meta.name
        models.setdefault(name, model)
    return models


def _path_key(info, url_path):
    """The key of a page path looked up and not found, as the tree spells it."""
    root = visibility_for(info.context).site_root
    prefix = root.url_path if root is not None else "/"
    path = url_path.strip("/")
    return surrogate_keys.path_key(prefix + path + "/" if path else prefix)


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
