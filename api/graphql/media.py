"""Images and documents for GraphQL: grapple's resolvers for `rendition`, `srcSet` and the
`images` and `documents` lists, replaced.

- One place spells a rendition's filter spec from its arguments (`rendition_spec`) and
  checks it against ALLOWED_IMAGE_FILTERS, so the API cannot fill the storage with
  arbitrary renditions.
- Renditions share one parsed filter per spec. Wagtail parses a spec string into a new
  Filter on every call, checking each operation's arguments with inspect.getcallargs:
  on a list of 100 images that was a fifth of the request. A Filter holds only its
  parsed operations, so one per spec can serve every image.
- Lists fetch the renditions a query asks for in one query (`hold_renditions`, then kept
  until a change retires one of their images), which `rendition` looks up before
  asking Wagtail: a prefetch through Django's Prefetch() clones a queryset for every
  image, half the cost of a rendition.
- `srcSet` without `sizes` lists every allowed width (grapple's fails without them).
- Storage that cannot be reached (S3 down) makes an image's renditions null, logged as
  an error, rather than failing the response.
- The `images` and `documents` lists keep to public collections by the visibility rule
  and as a filter on `collection_id`, which Wagtail search accepts (grapple filters on
  `collection__view_restrictions__isnull`, which search refuses, so its `searchQuery`
  on these lists always failed).
"""

import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from graphql import get_argument_values
from grapple.utils import resolve_queryset
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.models import Filter
from wagtail.images.utils import to_svg_safe_spec

from core import compiled_queries, content_version, surrogate_keys
from core.memo import KeyedMemo, cached_function
from core.request_context import context_of
from core.visibility import visibility_for

from .errors import bad_input
from .selections import selected_nodes

logger = logging.getLogger("cms.graphql")

STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)


def rendition_spec(arguments):
    """The filter spec a `rendition` field's arguments ask for, e.g. `width-640|format-webp`."""
    return "|".join(f"{key}-{value}" for key, value in arguments.items() if key != "preserve_svg")


def src_set_specs(sizes, image_format):
    suffix = f"|format-{image_format}" if image_format else ""
    return [f"width-{width}{suffix}" for width in sizes]


def allowed_widths(image_format):
    """Every width ALLOWED_IMAGE_FILTERS offers in this format (None: the original's)."""
    wanted = f"format-{image_format}" if image_format else ""
    widths = []
    for spec in settings.ALLOWED_IMAGE_FILTERS:
        size, _, image_filter = spec.partition("|")
        if size.startswith("width-") and image_filter == wanted:
            widths.append(int(size.removeprefix("width-")))
    return widths


def as_arguments(spec):
    """A filter spec in the `rendition` field's own terms: `width-640|format-webp` is
    `width 640, format "webp"`, what a client writes as `rendition(width: 640, format: "webp")`."""
    operations = (operation.partition("-") for operation in spec.split("|"))
    return ", ".join(
        f'{name} "{value}"' if name == "format" else f"{name} {value}"
        for name, _, value in operations
    )


def allowed_arguments():
    """ALLOWED_IMAGE_FILTERS in the field's terms: the sizes by operation, then the formats
    they are also offered in (`width 320, 640; fill 400x300; each also with format "webp"`)."""
    sizes = {}  # operation: its values, in the settings' order (a dict as an ordered set)
    formats_by_size = {}
    for spec in settings.ALLOWED_IMAGE_FILTERS:
        size, _, image_filter = spec.partition("|")
        name, _, value = size.partition("-")
        sizes.setdefault(name, {})[value] = None
        formats_by_size.setdefault(size, set()).add(image_filter.removeprefix("format-"))
    parts = [f"{name} {', '.join(values)}" for name, values in sizes.items()]
    every_size = set.intersection(*formats_by_size.values())
    for image_format in sorted(set.union(*formats_by_size.values()) - {""}):
        some = "each" if image_format in every_size else "some"
        parts.append(f'{some} also with format "{image_format}"')
    return "; ".join(parts)


def check_allowed(spec):
    if spec not in settings.ALLOWED_IMAGE_FILTERS:
        raise bad_input(
            f"rendition: {as_arguments(spec)} is not allowed. Allowed: {allowed_arguments()}."
        )


@cached_function(maxsize=256)
def filter_for(spec):
    return Filter(spec=spec)


def requested_rendition_specs(info, *path):
    """The filter specs a query asks of the image at `path` below the field being
    resolved (its `rendition` and `srcSet` fields), so that only those are fetched."""
    image_type = info.schema.get_type("ImageObjectType")
    specs = set()
    for node in selected_nodes(info, *path):
        name = node.name.value
        if name not in ("rendition", "srcSet"):
            continue
        arguments = get_argument_values(image_type.fields[name], node, info.variable_values)
        if name == "rendition":
            specs.add(rendition_spec(arguments))
        else:
            image_format = arguments.get("format")
            sizes = arguments.get("sizes") or allowed_widths(image_format)
            specs.update(src_set_specs(sizes, image_format))
    return specs


# The renditions of a list's images, by the images and filters asked for, each kept with
# the versions of its images' keys.
list_renditions = KeyedMemo(max_size=500)


def hold_renditions(request, images, specs):
    """Fetch the renditions of `images` for `specs` in one query, for `resolve_rendition`
    to find during this request.

    Once every image has them all, they are kept (`list_renditions`) until a change
    retires one of the images: a rendition changes only with its image. Until then each
    list asks again, for those made since."""
    images = {image.pk: image for image in images if image is not None}
    if not images or not specs:
        return
    key_versions = content_version.key_versions_for(request)
    key = ("renditions", frozenset(images), frozenset(specs))
    renditions = list_renditions.find(key_versions, key)
    if renditions is None:
        rendition_model = get_image_model().get_rendition_model()
        renditions = compiled_queries.instances(
            rendition_model,
            ("of images",),
            lambda ids, specs: rendition_model.objects.filter(
                image_id__in=ids, filter_spec__in=specs
            ),
            [sorted(images), sorted(specs)],
        )
        if len(renditions) >= len(images) * len(specs):
            image_keys = {surrogate_keys.key_for(image) for image in images.values()}
            list_renditions.keep(key_versions, [(key, renditions, image_keys)])
    held = context_of(request).held_renditions
    for rendition in renditions:
        rendition.image = images[rendition.image_id]
        held[rendition.image_id, rendition.filter_spec, rendition.focal_point_key] = rendition


def rendition_of(image, request, spec, preserve_svg=True):
    """The image's rendition for an allowed spec: held, stored, or made now; None if the
    storage cannot be reached."""
    if preserve_svg and image.is_svg():
        spec = to_svg_safe_spec(spec) or "original"
    image_filter = filter_for(spec)
    held = context_of(request).held_renditions.get(
        (image.pk, spec, image_filter.get_cache_key(image))
    )
    if held is not None:
        return held
    try:
        return image.get_rendition(image_filter)
    except STORAGE_ERRORS:
        logger.error("Rendition %s of image %s unavailable", spec, image.pk, exc_info=True)
        return None


def resolve_rendition(image, info, preserve_svg=True, **arguments):
    spec = rendition_spec(arguments)
    check_allowed(spec)
    return rendition_of(image, info.context, spec, preserve_svg)


def resolve_src_set(image, info, sizes=None, format=None, preserve_svg=True):  # noqa: A002
    # As grapple does, sizes not allowed are left out of the set.
    allowed = settings.ALLOWED_IMAGE_FILTERS
    specs = [
        spec for spec in src_set_specs(sizes or allowed_widths(format), format) if spec in allowed
    ]
    renditions = [rendition_of(image, info.context, spec, preserve_svg) for spec in specs]
    return ", ".join(
        f"{rendition.full_url} {rendition.width}w" for rendition in renditions if rendition
    )


def resolve_images(root, info, **arguments):
    """Images in public collections, with the renditions the query asks for."""
    public = visibility_for(info.context).public_collection_ids
    images = get_image_model().objects.filter(collection_id__in=public)
    return resolve_queryset(
        images.prefetch_renditions(*requested_rendition_specs(info)), info, **arguments
    )


def resolve_documents(root, info, **arguments):
    """Documents in public collections."""
    public = visibility_for(info.context).public_collection_ids
    documents = get_document_model().objects.filter(collection_id__in=public)
    return resolve_queryset(documents, info, **arguments)
