"""The schema served at /graphql/: grapple's, built once, with every change this project
makes to it here, each for the reason given.

Content types add their own fields and entry points the way grapple provides
(`graphql_fields` on models and blocks, the `register_schema_query` hook); what grapple
generates and offers no hook for is changed below, on the built schema.
"""

import json

from graphql import GraphQLObjectType
from grapple.schema import schema  # grapple builds it on import: this is the one built
from wagtail.blocks import StructValue

from cms.preview import resolve_page_or_preview

from .guard import guard_schema
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
    for graphql_type in _object_types(graphql_schema):
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
    """`page(token:)` answers a draft: cms/preview.py marks it as the preview it is."""
    page_field = graphql_schema.query_type.fields["page"]
    page_field.resolve = resolve_page_or_preview(page_field.resolve)


def with_raw_values_as_text(graphql_schema):
    """grapple's `rawValue` (a String) hands graphql-core a StructBlock's dict, which it
    cannot serialize: every block's raw value is its stored form, as JSON where it is
    not text (rich text is its source)."""
    for graphql_type in _object_types(graphql_schema):
        if "rawValue" in graphql_type.fields and "blockType" in graphql_type.fields:
            graphql_type.fields["rawValue"].resolve = resolve_raw_value


def resolve_raw_value(block, info, **kwargs):
    if isinstance(block, StructValue):  # a StructBlock nested in another block
        stored = block.block.get_prep_value(block)
    else:
        stored = block.block.get_prep_value(block.value)
    return stored if isinstance(stored, str) else json.dumps(stored)


def _object_types(graphql_schema):
    return [
        graphql_type
        for graphql_type in graphql_schema.type_map.values()
        if isinstance(graphql_type, GraphQLObjectType) and not graphql_type.name.startswith("__")
    ]


without_editing_state(schema.graphql_schema)
with_media_resolvers(schema.graphql_schema)
with_preview_marking(schema.graphql_schema)
with_raw_values_as_text(schema.graphql_schema)
guard_schema(schema.graphql_schema)  # last: every resolver it wraps is final
