"""Image renditions for GraphQL, with each filter spec parsed once per process.

grapple's `rendition` resolver hands Wagtail the filter spec as a string, and Wagtail
parses a string into a new Filter on every call, checking each operation's arguments
with inspect.getcallargs: on a list of 100 images that was a fifth of the request.
A Filter holds only its parsed operations (rendering state lives elsewhere), so one
per spec can serve every image; the specs are few, as clients may only ask for those
in ALLOWED_IMAGE_FILTERS (checked before this runs, by grapple's rule, here too).
"""

from functools import lru_cache

from graphql import GraphQLError
from grapple.types.images import rendition_allowed
from wagtail.images.models import Filter
from wagtail.images.utils import to_svg_safe_spec


@lru_cache(maxsize=256)
def filter_for(spec):
    return Filter(spec=spec)


def resolve_rendition(image, info, preserve_svg=True, **arguments):
    """grapple's ImageObjectType.resolve_rendition, with a parsed filter from `filter_for`."""
    spec = "|".join(f"{key}-{value}" for key, value in arguments.items())
    if not rendition_allowed(spec):
        raise GraphQLError("Invalid filter specs. Check the `ALLOWED_IMAGE_FILTERS` setting.")
    if preserve_svg and image.is_svg():
        spec = to_svg_safe_spec(spec) or "original"
    return image.get_rendition(filter_for(spec))
