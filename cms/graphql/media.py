"""Images and documents for GraphQL: grapple's resolvers, with three changes.

- Renditions share one parsed filter per spec. grapple's `rendition` resolver hands
  Wagtail the filter spec as a string, and Wagtail parses a string into a new Filter
  on every call, checking each operation's arguments with inspect.getcallargs: on a
  list of 100 images that was a fifth of the request. A Filter holds only its parsed
  operations (rendering state lives elsewhere), so one per spec can serve every image;
  the specs are few, as clients may only ask for those in ALLOWED_IMAGE_FILTERS.
- Lists fetch the renditions a query asks for with one query (`hold_renditions`),
  which `rendition` looks up by image before asking Wagtail: a prefetch through
  Django's Prefetch() clones a queryset for every image, half the cost of a rendition.
- The `images` and `documents` lists keep to public collections by the visibility
  rule (a restriction on an ancestor collection hides too) and as a filter on
  `collection_id`, which Wagtail search accepts. grapple filters on
  `collection__view_restrictions__isnull`, which search refuses (FilterFieldError), so
  grapple's `searchQuery` on these lists always failed.
"""

from functools import lru_cache

from graphql import GraphQLError
from grapple.types.images import rendition_allowed
from grapple.utils import resolve_queryset
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.models import Filter
from wagtail.images.utils import to_svg_safe_spec

from . import requested_rendition_specs
from .visibility import rules_for


@lru_cache(maxsize=256)
def filter_for(spec):
    return Filter(spec=spec)


def hold_renditions(request, images, specs):
    """Fetch the renditions of `images` for `specs` in one query, for `resolve_rendition`
    to find during this request."""
    images = {image.pk: image for image in images if image is not None}
    if not images or not specs:
        return
    held = _held(request)
    renditions = (
        get_image_model()
        .get_rendition_model()
        .objects.filter(image_id__in=images, filter_spec__in=specs)
    )
    for rendition in renditions:
        rendition.image = images[rendition.image_id]
        held[rendition.image_id, rendition.filter_spec, rendition.focal_point_key] = rendition


def _held(request):
    return request.__dict__.setdefault("held_renditions", {})


def resolve_rendition(image, info, preserve_svg=True, **arguments):
    """grapple's ImageObjectType.resolve_rendition, with a parsed filter from `filter_for`
    and the renditions `hold_renditions` fetched."""
    spec = "|".join(f"{key}-{value}" for key, value in arguments.items())
    if not rendition_allowed(spec):
        raise GraphQLError("Invalid filter specs. Check the `ALLOWED_IMAGE_FILTERS` setting.")
    if preserve_svg and image.is_svg():
        spec = to_svg_safe_spec(spec) or "original"
    image_filter = filter_for(spec)
    held = _held(info.context).get((image.pk, spec, image_filter.get_cache_key(image)))
    return held or image.get_rendition(image_filter)


def resolve_images(root, info, **arguments):
    """Images in public collections, with the renditions the query asks for."""
    public = rules_for(info.context).public_collection_ids
    images = get_image_model().objects.filter(collection_id__in=public)
    return resolve_queryset(
        images.prefetch_renditions(*requested_rendition_specs(info)), info, **arguments
    )


def resolve_documents(root, info, **arguments):
    """Documents in public collections."""
    public = rules_for(info.context).public_collection_ids
    documents = get_document_model().objects.filter(collection_id__in=public)
    return resolve_queryset(documents, info, **arguments)
