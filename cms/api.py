"""The read-only REST API (Wagtail's API v2) at /api/v2/: `pages` and `images`.

It shows an anonymous client what the GraphQL API shows (the rule in
cms/graphql/visibility.py), and nothing more:

- pages: live, inside the requested site's tree, not the tree's root, and not below a
  page that is unpublished, expired or view-restricted (nor restricted itself).
  Wagtail's own viewset lets a request that satisfies a restriction (a logged-in
  editor's session, a page password) through and takes the site from a `?site=`
  parameter; here neither applies. Only filters on `path`, `depth` and `live` are
  used, so `?search=` works on the result.
- images: only those in a collection with no view restriction on it or an ancestor,
  whoever asks. A page's image field pointing at a hidden image reads as null.

A page type's fields are listed in its `api_fields`, beside its `graphql_fields`.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch
from rest_framework.fields import Field
from wagtail.images.api.fields import ImageRenditionField
from wagtail.models import Page


def visibility(request):
    """The GraphQL API's visibility rule for this request (imported here, not above:
    news.models imports this module while models load)."""
    from cms.graphql.visibility import VisibilityRules, rules_for

    return rules_for(request) if request is not None else VisibilityRules(None)


class PublicImageRenditionField(ImageRenditionField):
    """A rendition of an image, or null when the image is in a hidden collection."""

    def to_representation(self, image):
        public = visibility(self.context.get("request")).public_collection_ids
        if image.collection_id not in public:
            return None
        return super().to_representation(image)


class TagNamesField(Field):
    """Tag names in alphabetical order, as Wagtail's TagsField gives them, but read from
    tags prefetched with the list rather than with a query for each page."""

    def to_representation(self, tags):
        return sorted((tag.name for tag in tags.all()), key=str.casefold)


def related_rows(model):
    """Prefetches for the rows a page type's `api_fields` read beyond the page's own."""
    lookups = []
    for api_field in getattr(model, "api_fields", ()):
        try:
            field = model._meta.get_field(api_field.name)
        except FieldDoesNotExist:
            continue
        if isinstance(api_field.serializer, ImageRenditionField):
            images = field.related_model.objects.prefetch_renditions(
                api_field.serializer.filter_spec
            )
            lookups.append(Prefetch(api_field.name, queryset=images))
        elif field.is_relation and not field.auto_created:
            lookups.append(api_field.name)
    return lookups


def build_api_router():
    """The router urls.py mounts at /api/v2/.

    Wagtail's API views need every model loaded before they are imported, and
    news.models imports the field above while models load: hence the imports here.
    """
    from wagtail.api.v2.router import WagtailAPIRouter
    from wagtail.api.v2.views import PagesAPIViewSet
    from wagtail.images.api.v2.views import ImagesAPIViewSet

    class PublicPagesAPIViewSet(PagesAPIViewSet):
        # The site is the one the request is for, as in the GraphQL API.
        known_query_parameters = PagesAPIViewSet.known_query_parameters - {"site"}

        def get_queryset(self):
            queryset = super().get_queryset()
            return queryset.prefetch_related(*related_rows(queryset.model))

        def get_base_queryset(self):
            return visibility(self.request).visible_pages(Page.objects.all())

    class PublicImagesAPIViewSet(ImagesAPIViewSet):
        def get_queryset(self):
            public = visibility(self.request).public_collection_ids
            return self.model.objects.filter(collection_id__in=public).order_by("id")

    router = WagtailAPIRouter("wagtailapi")
    router.register_endpoint("pages", PublicPagesAPIViewSet)
    router.register_endpoint("images", PublicImagesAPIViewSet)
    return router
