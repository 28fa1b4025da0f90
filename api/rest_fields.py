"""REST API fields that page models name in their `api_fields` (so no API views are
imported while models load)."""

from rest_framework.fields import Field
from wagtail.images.api.fields import ImageRenditionField

from core import surrogate_keys
from core.visibility import visibility_for


class PublicImageRenditionField(ImageRenditionField):
    """A rendition of an image, or null when the image is in a hidden collection."""

    def to_representation(self, image):
        request = self.context.get("request")
        if not visibility_for(request).in_public_collection(image):
            return None
        if request is not None:
            surrogate_keys.record(request, surrogate_keys.key_for(image))
        return super().to_representation(image)


class TagNamesField(Field):
    """Tag names in alphabetical order, as Wagtail's TagsField gives them, but read from
    tags prefetched with the list rather than with a query for each page."""

    def to_representation(self, tags):
        return sorted((tag.name for tag in tags.all()), key=str.casefold)
