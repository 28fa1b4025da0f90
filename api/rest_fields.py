"""REST API fields that page models name in their `api_fields` (so no API views are
imported while models load).

Each reads what it shows beyond a page's own row for a whole list at once: the pages
viewset hands it the list's pages (`fetch_for_list`, api/rest.py) before any is shown. A
page shown on its own is read as Wagtail reads it.
"""

from django.db.models import Prefetch, prefetch_related_objects
from rest_framework.fields import Field
from wagtail.images.api.fields import ImageRenditionField

from core import surrogate_keys
from core.visibility import visibility_for


class PublicImageRenditionField(ImageRenditionField):
    """A rendition of an image, or null when the image is in a hidden collection."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each image's answer, made once however many pages of the list show it: a
        # serializer's fields are its own copies, so this lasts one request.
        self.answers = {}

    def fetch_for_list(self, pages):
        """The pages' images, with their renditions for this filter: two queries."""
        images = pages[0]._meta.get_field(self.source).related_model.objects
        prefetch_related_objects(
            pages, Prefetch(self.source, queryset=images.prefetch_renditions(self.filter_spec))
        )

    def to_representation(self, image):
        request = self.context.get("request")
        if not visibility_for(request).in_public_collection(image):
            return None
        if request is not None:
            surrogate_keys.record(request, surrogate_keys.key_for(image))
        if image.pk not in self.answers:
            self.answers[image.pk] = super().to_representation(image)
        return self.answers[image.pk]


class TagNamesField(Field):
    """Tag names in alphabetical order, as Wagtail's TagsField gives them; a list's read as
    plain values in one query (a prefetch builds a queryset and objects for each page)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.names = None  # page id -> its tag names, once fetched for a list

    def fetch_for_list(self, pages):
        # The tags' through model is a TaggedItemBase: its `content_object` is the page.
        through = pages[0]._meta.get_field(self.source).through
        self.names = {page.pk: [] for page in pages}
        # In the order they were given, as a page's own tags are read (taggit's manager).
        taggings = through.objects.filter(content_object__in=self.names).order_by("pk")
        for page_id, name in taggings.values_list("content_object_id", "tag__name"):
            self.names[page_id].append(name)

    def get_attribute(self, page):
        if self.names is None:
            return [tag.name for tag in super().get_attribute(page).all()]
        return self.names[page.pk]

    def to_representation(self, names):
        return sorted(names, key=str.casefold)
