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
from django.db.models import Prefetch, Q
from rest_framework.fields import Field
from wagtail.images.api.fields import ImageRenditionField
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction, Site

HIDDEN_COLLECTIONS = "hidden_collection_ids"


def hidden_collection_ids():
    """Ids of the collections with a view restriction on them or on an ancestor."""
    paths = CollectionViewRestriction.objects.values_list("collection__path", flat=True)
    under_a_restriction = Q()
    for path in paths:
        under_a_restriction |= Q(path__startswith=path)
    if not under_a_restriction:
        return set()
    return set(Collection.objects.filter(under_a_restriction).values_list("id", flat=True))


def public_pages(request):
    """The pages an anonymous reader of the request's site may see."""
    site = Site.find_for_request(request)
    if site is None:
        return Page.objects.none()
    hiding = Page.objects.filter(Q(live=False) | Q(expired=True), numchild__gt=0)
    hidden_paths = [
        *hiding.values_list("path", flat=True),
        *PageViewRestriction.objects.values_list("page__path", flat=True),
    ]
    pages = Page.objects.live().filter(depth__gt=1, path__startswith=site.root_page.path)
    for path in hidden_paths:
        pages = pages.exclude(path__startswith=path)
    return pages


class PublicImageRenditionField(ImageRenditionField):
    """A rendition of an image, or null when the image is in a hidden collection."""

    def to_representation(self, image):
        hidden = self.context.get(HIDDEN_COLLECTIONS)
        if hidden is None:
            hidden = hidden_collection_ids()
        if image.collection_id in hidden:
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
            if not hasattr(self, "_public_pages"):
                self._public_pages = public_pages(self.request)
            return self._public_pages

        def get_serializer_context(self):
            context = super().get_serializer_context()
            context[HIDDEN_COLLECTIONS] = hidden_collection_ids()
            return context

    class PublicImagesAPIViewSet(ImagesAPIViewSet):
        def get_queryset(self):
            hidden = hidden_collection_ids()
            return self.model.objects.exclude(collection_id__in=hidden).order_by("id")

    router = WagtailAPIRouter("wagtailapi")
    router.register_endpoint("pages", PublicPagesAPIViewSet)
    router.register_endpoint("images", PublicImagesAPIViewSet)
    return router
