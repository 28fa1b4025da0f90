"""A documented schema: every type and field this project defines (page types, snippets,
settings, blocks, entry points and their arguments) has a description, which GraphiQL's
documentation pane and generated types show. The test lists any that lack one.

Fields grapple defines itself are exempt, each group for the reason given beside it.
"""

from graphene_django.settings import graphene_settings
from graphql import get_named_type, is_abstract_type, is_enum_type
from grapple.registry import registry

PROJECT_APPS = ("core", "api", "home", "news", "principles", "webhooks")

# grapple's own interfaces (its PageInterface is subclassed in api/graphql/pages.py for
# speed, not changed); the fields a type has from them are grapple's too.
GRAPPLE_INTERFACES = ("PageInterface", "StreamFieldInterface", "SnippetInterface")

# grapple's own entry points: they and their arguments are described by grapple where
# at all; this project only narrows what they return (api/graphql/guard.py, media.py).
GRAPPLE_ROOT_FIELDS = {
    "redirects",
    "collections",
    "tag",
    "tags",
    "setting",
    "settings",
    "snippets",
    "document",
    "documents",
    "documentType",
    "image",
    "images",
    "imageType",
    "site",
    "sites",
    "pages",
    "page",
}


def schema():
    return graphene_settings.SCHEMA.graphql_schema


def reachable_types(graphql_schema):
    """The types a client can reach from the root: what GraphiQL's pane documents."""
    found, queue = {}, [graphql_schema.query_type]
    while queue:
        graphql_type = get_named_type(queue.pop())
        if graphql_type.name in found or graphql_type.name.startswith("__"):
            continue
        found[graphql_type.name] = graphql_type
        if is_abstract_type(graphql_type):
            queue.extend(graphql_schema.get_possible_types(graphql_type))
        for field in getattr(graphql_type, "fields", {}).values():
            queue.append(field.type)
            queue.extend(argument.type for argument in getattr(field, "args", {}).values())
    return found


def defined_here(graphql_type):
    """Whether the type stands for a model, block or class of this project's apps."""
    graphene_type = getattr(graphql_type, "graphene_type", None)
    if graphene_type is None or graphql_type.name in GRAPPLE_INTERFACES:
        return False
    blocks = {
        node: block
        for block, node in registry.streamfield_blocks.items()
        if isinstance(block, type)  # not grapple's "generic-block"
    }
    model = getattr(graphene_type._meta, "model", None)
    source = model or blocks.get(graphene_type) or graphene_type
    return source.__module__.split(".")[0] in PROJECT_APPS


def grapple_fields_of(graphql_schema, graphql_type):
    """The fields grapple gives a type: a model's `id`; those of the interfaces it
    implements; on a page type, Wagtail's Page columns (grapple's base `Page` type has
    them all); on a block, a struct block's `blocks`."""
    names = {"id"}
    for interface in getattr(graphql_type, "interfaces", ()):
        names |= set(interface.fields)
        if interface.name == "PageInterface":
            names |= set(graphql_schema.get_type("Page").fields)
        if interface.name == "StreamFieldInterface":
            names.add("blocks")
    return names


def undescribed(graphql_schema):
    """Every type, field, argument and enum value of this project that lacks a description."""
    missing = []
    for name, graphql_type in reachable_types(graphql_schema).items():
        if graphql_type is graphql_schema.query_type:
            fields = {
                field_name: field
                for field_name, field in graphql_type.fields.items()
                if field_name not in GRAPPLE_ROOT_FIELDS
            }
        elif defined_here(graphql_type):
            if not graphql_type.description:
                missing.append(name)
            fields = {
                field_name: field
                for field_name, field in getattr(graphql_type, "fields", {}).items()
                if field_name not in grapple_fields_of(graphql_schema, graphql_type)
            }
        else:
            continue
        for field_name, field in fields.items():
            if not field.description:
                missing.append(f"{name}.{field_name}")
            for argument_name, argument in getattr(field, "args", {}).items():
                if not argument.description:
                    missing.append(f"{name}.{field_name}({argument_name}:)")
        if is_enum_type(graphql_type):
            missing += [
                f"{name}.{value_name}"
                for value_name, value in graphql_type.values.items()
                if not value.description
            ]
    return missing


def test_every_type_and_field_of_this_project_is_described():
    missing = undescribed(schema())
    assert not missing, "Describe these (a description= or a docstring):\n" + "\n".join(missing)


def test_the_check_sees_this_projects_types():
    graphql_schema = schema()
    types = reachable_types(graphql_schema)
    ours = {name for name, graphql_type in types.items() if defined_here(graphql_type)}
    assert {
        "HomePage",
        "NewsPage",
        "Testimonial",
        "OrganisationSettings",
        "HeadingBlock",
        "HeadingLevel",
        "NewsItems",
        "Stat",
    } <= ours
    assert not ours & {"PageInterface", "ImageObjectType", "RichTextBlock", "Query"}
