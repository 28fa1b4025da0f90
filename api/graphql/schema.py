"""The schema served at /graphql/: grapple's, with the changes this project makes to what
grapple generates and offers no hook for, made by one function, `build_schema`, in the
order of `CHANGES` (each change's reason given there):

1. the fields that are not served are taken out first, so no later change wraps them;
2. then the changes to fields of their own (media, preview, raw values, descriptions,
   page choosers, paragraphs), which replace or wrap resolvers;
3. then searching by words, which wraps the resolver of every field taking
   `searchQuery`, whatever a change before made it (media's `images`, `documents`);
4. then the lookups by id, and the languages of `page`, `pages` and `snippets`
   (locales.py), around what the changes before made their resolvers;
5. last the guard (guard.py), which wraps each resolver as all the others left it: its
   argument checks and the visibility rule hold whatever they replaced.

Content types add their own fields and entry points the way grapple provides
(`graphql_fields` on models and blocks, the `register_schema_query` hook).

Importing this module changes nothing. The settings' GRAPHENE["SCHEMA"] names `schema`,
the attribute `build_schema` makes the first time it is asked for, once per process:
graphene-django's view (and so GraphiQL, which queries it), `manage.py graphql_schema`
and the code importing it all get that one object.
"""

import json
import threading

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Manager, Q
from graphene.utils.str_converters import to_camel_case
from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLNonNull,
    GraphQLString,
    default_field_resolver,
)
from grapple.registry import registry
from grapple.schema import schema as grapple_schema  # grapple builds it on import
from grapple.types.rich_text import RichText
from grapple.utils import resolve_queryset
from wagtail.blocks import StructValue
from wagtail.fields import RichTextField
from wagtail.models import Site
from wagtail.rich_text import get_text_for_indexing

from core.preview import (
    RELEASE_PREVIEW_DESCRIPTION,
    resolve_page_or_preview,
    resolve_snippets_or_preview,
)
from core.rich_text import without_editor_attributes
from core.search import search_words

from . import object_types
from .guard import guard_schema
from .locales import with_locale_arguments
from .media import resolve_documents, resolve_images, resolve_rendition, resolve_src_set

# grapple gives every page type all of Wagtail's Page columns. These describe the
# editor's work in progress, not the published page (`draftTitle` is the title of an
# unpublished draft), so they are taken out of the schema rather than filtered.
EDITING_STATE_FIELDS = (
    "draftTitle",
    "hasUnpublishedChanges",
    "latestRevisionCreatedAt",
    "lockedAt",
    "goLiveAt",
    "expireAt",
    "expired",
    "aliasOf",
    "aliases",
    "sitesRootedHere",
    "translationKey",
)


def without_editing_state(graphql_schema):
    for graphql_type in object_types(graphql_schema):
        if "urlPath" in graphql_type.fields:
            for name in EDITING_STATE_FIELDS:
                graphql_type.fields.pop(name, None)


def with_media_resolvers(graphql_schema):
    """See media.py: renditions checked, shared and fetched in bulk; public lists."""
    image_type = graphql_schema.get_type("ImageObjectType")
    image_type.fields["rendition"].resolve = resolve_rendition
    image_type.fields["srcSet"].resolve = resolve_src_set
    graphql_schema.query_type.fields["images"].resolve = resolve_images
    graphql_schema.query_type.fields["documents"].resolve = resolve_documents


def with_preview_marking(graphql_schema):
    """`page(token:)` answers a draft: core/preview.py marks it as the preview it is;
    `snippets(token:)` answers the drafts of snippets a release's token shows."""
    page_field = graphql_schema.query_type.fields["page"]
    page_field.resolve = resolve_page_or_preview(page_field.resolve)
    snippets_field = graphql_schema.query_type.fields["snippets"]
    snippets_field.args["token"] = GraphQLArgument(
        GraphQLString, description=RELEASE_PREVIEW_DESCRIPTION
    )
    snippets_field.resolve = resolve_snippets_or_preview(snippets_field.resolve)


def with_raw_values_as_text(graphql_schema):
    """grapple's `rawValue` (a String) hands graphql-core a StructBlock's dict, which it
    cannot serialize: every block's raw value is its stored form, as JSON where it is
    not text (rich text is its source)."""
    for graphql_type in object_types(graphql_schema):
        if "rawValue" in graphql_type.fields and "blockType" in graphql_type.fields:
            graphql_type.fields["rawValue"].resolve = resolve_raw_value


def resolve_raw_value(block, info, **kwargs):
    if isinstance(block, StructValue):  # a StructBlock nested in another block
        stored = block.block.get_prep_value(block)
    else:
        stored = block.block.get_prep_value(block.value)
    return stored if isinstance(stored, str) else json.dumps(stored)


def registered_models():
    """(model, graphene type) for each model grapple registered: pages, snippets,
    settings and the rest."""
    registries = (registry.pages, registry.snippets, registry.settings, registry.models)
    return [item for registered in registries for item in registered.items()]


def with_model_descriptions(graphql_schema):
    """grapple gives a model's type no description and no way to set one: a model's
    `graphql_description`, beside its `graphql_fields`, is its type's."""
    for model, node in registered_models():
        description = getattr(model, "graphql_description", None)
        if description:
            graphql_schema.get_type(node._meta.name).description = description


def with_attributes_read_directly(graphql_schema):
    """grapple resolves each of a model's `graphql_fields` by asking of every value
    whether it is a manager, a method or rich text to render, looking its source up
    among the model's fields each time (grapple/actions.py `model_resolver`): a tenth of
    completing a list of news items. Here a field whose source is a column is read as
    its attribute (a column's value is never a manager or a method), unless it is rich
    text grapple renders; one whose source is no field of the model (a property, such
    as a news page's `tag_list`) likewise, grapple's resolver answering a manager or a
    method. Others (relations to many) keep grapple's."""
    for model, node in registered_models():
        graphql_type = graphql_schema.get_type(node._meta.name)
        for field in map(declared_field, getattr(model, "graphql_fields", ())):
            graphql_field = graphql_type.fields.get(to_camel_case(field.field_name))
            if graphql_field is None or not is_grapple_model_resolver(graphql_field.resolve):
                continue
            grapples = graphql_field.resolve
            try:
                column = model._meta.get_field(field.field_source)
            except FieldDoesNotExist:
                graphql_field.resolve = attribute_reader(field.field_source, grapples)
                continue
            if column.concrete and (
                field.field_type is RichText or not isinstance(column, RichTextField)
            ):
                graphql_field.resolve = column_reader(field.field_source, grapples)


def declared_field(field):
    """A `graphql_fields` entry as grapple reads it: a GraphQLField, a function making
    one, or a (field, wrapper) pair (grapple/actions.py `build_node_type`)."""
    if callable(field):
        field = field()
    if isinstance(field, tuple):
        field = field[0]() if callable(field[0]) else field[0]
    return field


def is_grapple_model_resolver(resolver):
    function = getattr(resolver, "__func__", None)
    return getattr(function, "__qualname__", None) == "model_resolver.<locals>.mixin"


def column_reader(name, grapples):
    def resolve(instance, info, **kwargs):
        return getattr(instance, name)

    resolve.replaces = grapples  # which answers alike (tests/test_schema_builder.py)
    return resolve


def attribute_reader(name, grapples):
    def resolve(instance, info, **kwargs):
        value = getattr(instance, name)
        if isinstance(value, Manager) or callable(value):
            return grapples(instance, info, **kwargs)
        return value

    resolve.replaces = grapples
    return resolve


def with_empty_page_choosers_as_null(graphql_schema):
    """grapple's PageChooserBlock answers `page` with the chosen page's specific page,
    failing where none was chosen (an optional chooser, as a call to action's)."""
    graphql_schema.get_type("PageChooserBlock").fields["page"].resolve = resolve_chosen_page


def resolve_chosen_page(block, info, **kwargs):
    return None if block.value is None else block.value.specific


def with_rich_text_as_served(graphql_schema):
    """Rich text without the editor's internals (core/rich_text.py): every RichText field
    and the paragraph's `value` (grapple's String)."""
    graphql_schema.get_type("RichText").serialize = rich_text_html
    paragraph = graphql_schema.get_type("RichTextBlock")
    paragraph.fields["value"].resolve = lambda block, info: rich_text_html(block.value.source)


def rich_text_html(value):
    return without_editor_attributes(RichText.serialize(value))


def with_typed_paragraphs(graphql_schema):
    """Typed fields for the paragraph block, Wagtail's own RichTextBlock, beside grapple's
    `value`: grapple's type for it has no hook, and a registered subclass would rename
    the type and its `blockType`, which front ends select on."""
    paragraph = graphql_schema.get_type("RichTextBlock")
    paragraph.fields["html"] = GraphQLField(
        GraphQLNonNull(GraphQLString),
        resolve=lambda block, info: rich_text_html(block.value.source),
        description="The paragraph as HTML, links made addresses (as `value`).",
    )
    paragraph.fields["text"] = GraphQLField(
        GraphQLNonNull(GraphQLString),
        resolve=lambda block, info: get_text_for_indexing(block.value.source),
        description="The paragraph as plain text: no tags, a space between paragraphs.",
    )


def with_search_text_as_words(graphql_schema):
    """grapple hands `searchQuery` to Wagtail's query parser, which reads quotes as
    phrases and `name:value` as filters (then dropped), and lets through characters the
    database refuses (a NUL fails the query). Here every `searchQuery` searches the
    text's plain words, as `search` does (home/schema.py): an empty text is no search,
    as in grapple, and a text without words matches nothing."""
    graphql_schema.query_type.fields["sites"].resolve = resolve_sites
    for graphql_type in object_types(graphql_schema):
        for field in graphql_type.fields.values():
            if "searchQuery" in field.args:
                field.resolve = searching_words(field.resolve or default_field_resolver)


def searching_words(resolver):
    def resolve(root, info, search_query=None, **arguments):
        if search_query:
            words = search_words(search_query)
            if not words:
                return []
            search_query = " ".join(words)
        return resolver(root, info, search_query=search_query, **arguments)

    return resolve


def resolve_sites(root, info, search_query=None, is_default_site=None, **arguments):
    """grapple offers `sites(searchQuery:)`, but a Site is not in Wagtail's search index
    (grapple's resolver raises TypeError): each word must be in its name or hostname."""
    sites = Site.objects.all()
    if is_default_site is not None:
        sites = sites.filter(is_default_site=is_default_site)
    for word in search_words(search_query or ""):
        sites = sites.filter(Q(site_name__icontains=word) | Q(hostname__icontains=word))
    return resolve_queryset(sites, info, **arguments)


def with_lookups_by_id_optional(graphql_schema):
    """grapple's `tag`, `image` and `document` take an optional `id` that their resolvers
    require (a TypeError without one): without an id there is nothing to find, null."""
    for name in ("tag", "image", "document"):
        field = graphql_schema.query_type.fields[name]
        field.resolve = looking_up_by_id(field.resolve)


def looking_up_by_id(resolver):
    def resolve(root, info, id=None, **arguments):  # noqa: A002 (grapple's name)
        return None if id is None else resolver(root, info, id=id, **arguments)

    return resolve


# The changes in the order `build_schema` makes them (see the module's docstring).
CHANGES = (
    without_editing_state,  # the editor's work in progress is not the published page
    with_media_resolvers,  # renditions checked and fetched in bulk; public lists
    with_preview_marking,  # a draft answered for a token is marked a preview
    with_raw_values_as_text,  # a StructBlock's raw value, a dict, is no String
    with_model_descriptions,  # grapple has no way to describe a model's type
    with_attributes_read_directly,  # grapple asks each value what it is, every time
    with_empty_page_choosers_as_null,  # grapple fails on an optional chooser left empty
    with_rich_text_as_served,  # without the editor's paragraph keys, as REST serves it
    with_typed_paragraphs,  # the paragraph as HTML and as text, grapple's type kept
    with_search_text_as_words,  # Wagtail's parser reads quotes and filters, passes a NUL
    with_lookups_by_id_optional,  # grapple's lookups fail without the id they make optional
    with_locale_arguments,  # grapple has no locale support (its issue 141)
    guard_schema,  # the visibility rule and the argument checks, around every final resolver
)


def build_schema():
    """grapple's schema, changed in place by each of `CHANGES` in turn."""
    for change in CHANGES:
        change(grapple_schema.graphql_schema)
    return grapple_schema


_building = threading.Lock()


def __getattr__(name):
    """`schema`: built by the first thread to ask, which the others wait for; from then
    on a plain attribute of the module (the changes wrap resolvers: twice would nest)."""
    if name != "schema":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _building:
        if "schema" not in globals():
            globals()["schema"] = build_schema()
    return globals()["schema"]
