"""The schema served at /graphql/: grapple's, less the fields that reveal editing state,
with grapple's resolvers for renditions and the image and document lists replaced
(see media.py for why), and the visibility rule around every field that returns
objects or takes arguments (see visibility.py).

grapple gives every page type all of Wagtail's Page columns. A few describe the
editor's work in progress, not the published page (`draftTitle` is the title of an
unpublished draft), so they are taken out of the schema rather than filtered.
"""

from graphql import GraphQLObjectType
from grapple.schema import create_schema

from .media import resolve_documents, resolve_images, resolve_rendition
from .visibility import guard_schema

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


def _without_editing_state(schema):
    for graphql_type in schema.graphql_schema.type_map.values():
        if isinstance(graphql_type, GraphQLObjectType) and "urlPath" in graphql_type.fields:
            for name in EDITING_STATE_FIELDS:
                graphql_type.fields.pop(name, None)
    return schema


def _with_media_resolvers(schema):
    graphql_schema = schema.graphql_schema
    graphql_schema.get_type("ImageObjectType").fields["rendition"].resolve = resolve_rendition
    graphql_schema.query_type.fields["images"].resolve = resolve_images
    graphql_schema.query_type.fields["documents"].resolve = resolve_documents
    return schema


schema = _with_media_resolvers(_without_editing_state(create_schema()))
guard_schema(schema.graphql_schema)  # last: every resolver it wraps is final
