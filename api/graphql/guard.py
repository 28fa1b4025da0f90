"""The visibility rule (core/visibility.py) and the argument checks, around the resolver
of every field that returns objects or takes arguments.

grapple filters some of its entry points (`pages`, `children`) but not others
(`parent`, `snippets`, reverse relations such as `aliases`), and custom fields can
forget. So every such field of the schema is wrapped once, when the schema is built
(`guard_schema`): a page, snippet, image, document or redirect that may not be seen
becomes null, and lists lose such items. Fields of scalars without arguments, most of
any query, run unwrapped: a scalar cannot carry a page out.

Before a wrapped field runs, its arguments are made what the resolvers (grapple's and
ours) take for granted, and those clients may abuse are checked, by name whatever the
field, each refusal a BAD_USER_INPUT rather than a failure on the server:
- an explicit null for an argument with a default means the default (graphql-core
  passes the null through: a null `limit` lifted the limit of `search`);
- list sizes, ids, search text length and `order` (an allowlist a type);
- text holds no NUL, which PostgreSQL refuses (search text aside: it is read as words);
- `contentType` names page types as `app.Model` (a comma-separated list where the
  field returns a list); `site` and `hostname` are a hostname with an optional port,
  `site` not with `inSite: true`; `year` is one a date can have.
Checks particular to one field live with its resolver (renditions: media.py).

The same wrapper records the surrogate keys of what the answer holds
(core/surrogate_keys.py): each object that passes, and the lists read (an entry
point's, and any list of pages); an entry point that found nothing records the list it
looked in, or, for `page(urlPath:)`, the path.
"""

import re
from datetime import MAXYEAR, MINYEAR

from django.conf import settings
from django.db.models import QuerySet
from graphene.utils.str_converters import to_camel_case
from graphql import (
    Undefined,
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
from wagtail.models import Collection, Page, Site, get_page_models
from wagtail.search.backends.base import BaseSearchResults

from core import surrogate_keys
from core.visibility import GUARDED_TYPES, visibility_for

from . import object_types
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
SITE_ARGUMENTS = ("site", "hostname")
WHOLE_NUMBER = re.compile(r"^[0-9]{1,18}$")
HOSTNAME_AND_PORT = re.compile(r"^[^:]*(:[0-9]{1,5})?$")
CONTENT_TYPE = re.compile(r"^\w+\.\w+$")


# What an answer's surrogate keys name: the objects a change can retire on their own.
KEYED_TYPES = (*GUARDED_TYPES, Tag, BaseSiteSetting, BaseGenericSetting, Collection, Site)


def guard_schema(graphql_schema):
    """Wrap the resolvers of the fields that return objects or take arguments."""
    models = _models_by_type_name()
    for graphql_type in object_types(graphql_schema):
        is_root = graphql_type is graphql_schema.query_type
        for field in graphql_type.fields.values():
            if field.args or not is_leaf_type(get_named_type(field.type)):
                returns_list = is_list_type(get_nullable_type(field.type))
                field.resolve = guarded(
                    field.resolve or default_field_resolver,
                    _lists_read(graphql_schema, field, models, is_root, returns_list),
                    _defaults(field),
                    returns_list,
                )
    return graphql_schema


def guarded(resolver, lists_read=(), defaults=None, returns_list=False):
    """`lists_read`: the list keys an answer holding this field depends on, beyond the
    objects it returns (see `_lists_read`); `defaults`: the field's arguments' defaults."""

    def resolve_visible(root, info, **arguments):
        if arguments:
            for name, default in (defaults or {}).items():
                if arguments.get(name) is None:
                    arguments[name] = default
            check_arguments(info, arguments, returns_list)
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


def _lists_read(graphql_schema, field, models, is_root, returns_list):
    """The list keys of a field's answers: for an entry point (a field of Query), those
    of every model its items may be, read whether it returns a list or a lookup that
    may find nothing; elsewhere, only for lists of pages (children, descendants, a news
    list's items), which a page published anywhere can join."""
    named = get_named_type(field.type)
    possible = graphql_schema.get_possible_types(named) if is_abstract_type(named) else [named]
    found = [models[each.name] for each in possible if each.name in models]
    if not is_root and not (
        returns_list and found and all(issubclass(model, Page) for model in found)
    ):
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


def _defaults(field):
    return {
        argument.out_name or name: argument.default_value
        for name, argument in field.args.items()
        if argument.default_value is not Undefined
    }


def check_arguments(info, arguments, returns_list=False):
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
    for name, value in arguments.items():
        if isinstance(value, str) and "\x00" in value and name not in SEARCH_ARGUMENTS:
            raise bad_input(f"{info.field_name}: {to_camel_case(name)} cannot hold a NUL.")
    for name in SITE_ARGUMENTS:
        value = arguments.get(name)
        if value is not None and not HOSTNAME_AND_PORT.match(value):
            raise bad_input(
                f"{info.field_name}: {name} is a hostname with an optional port, e.g. "
                "'example.org' or 'example.org:8000'."
            )
    if arguments.get("site") is not None and arguments.get("in_site"):
        raise bad_input(f"{info.field_name}: give site or inSite: true, not both.")
    if arguments.get("content_type"):
        _check_content_types(info, arguments["content_type"], returns_list)
    year = arguments.get("year")
    if year is not None and not MINYEAR <= year <= MAXYEAR:
        raise bad_input(f"{info.field_name}: year must be between {MINYEAR} and {MAXYEAR}.")


def _check_content_types(info, content_type, returns_list):
    """`app.Model` names of page types: a comma-separated list of them for a list."""
    labels = (
        [label.strip() for label in content_type.split(",")] if returns_list else [content_type]
    )
    page_types = {model._meta.label_lower for model in get_page_models()}
    for label in labels:
        if not CONTENT_TYPE.match(label) or label.lower() not in page_types:
            allowed = ", ".join(sorted(model._meta.label for model in get_page_models()))
            raise bad_input(
                f"{info.field_name}: contentType {label!r} is not a page type"
                + (" (give a comma-separated list of them)" if returns_list else "")
                + f". Page types: {allowed}."
            )


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
