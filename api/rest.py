"""The read-only REST API (Wagtail's API v2) at /api/v2/: `pages` and `images`.

It shows an anonymous client what the GraphQL API shows (core/visibility.py), and
nothing more. Wagtail's own pages viewset lets a request that satisfies a restriction
(a logged-in editor's session, a page password) through and takes the site from a
`?site=` parameter; here neither applies. Only filters on `path`, `depth` and `live` are
used, so `?search=` works on the result. Images: only those in public collections; a
page's image field pointing at a hidden image reads as null (api/rest_fields.py).

A page type's fields are listed in its `api_fields`, beside its `graphql_fields`.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.utils.decorators import method_decorator
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.images.api.fields import ImageRenditionField
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Page

from core import content_version, surrogate_keys
from core.caching import cdn_cacheable
from core.request_context import context_of
from core.visibility import visibility_for


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


NOT_FILTERS = ("offset", "limit", "fields")  # query parameters that leave the list as it is


class PublicPagination(WagtailPagination):
    """Wagtail's, with the total kept for the content version (`VisibilityRules.count`):
    a COUNT reads every page of the list."""

    def paginate_queryset(self, queryset, request, view=None):
        if not isinstance(queryset, QuerySet):  # search results, which count themselves
            return super().paginate_queryset(queryset, request, view)
        # The list is what the endpoint and its filters make it, whatever part is shown.
        filters = [item for item in request.GET.lists() if item[0] not in NOT_FILTERS]
        pages = CountedVisiblePages(queryset, request, request.path, sorted(filters))
        return super().paginate_queryset(pages, request, view)


class CountedVisiblePages:
    """A list of visible pages as Wagtail's pagination reads it, `count()` then a slice
    (wagtail/api/v2/pagination.py), counted by the visibility rule: Wagtail's offers no
    other hook for the count, and its checks of the offset and limit stay its own."""

    def __init__(self, pages, request, *described_by):
        self.pages = pages
        self.request = request
        self.described_by = described_by

    def count(self):
        return visibility_for(self.request).count(self.pages, *self.described_by)

    def __getitem__(self, part):
        return self.pages[part]


class VersionedAPIViewSet:
    """Reads the content version first, as the GraphQL endpoint does: what the
    visibility rule looks up is then kept for it (core/content_version.py)."""

    def initial(self, request, *args, **kwargs):
        context_of(request).content_version = content_version.read()
        super().initial(request, *args, **kwargs)


@method_decorator(cdn_cacheable, name="dispatch")
class PublicPagesAPIViewSet(VersionedAPIViewSet, PagesAPIViewSet):
    # The site is the one the request is for, as in the GraphQL API.
    known_query_parameters = PagesAPIViewSet.known_query_parameters - {"site"}
    pagination_class = PublicPagination

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.prefetch_related(*related_rows(queryset.model))

    def get_base_queryset(self):
        return visibility_for(self.request).visible_pages(Page.objects.all())


@method_decorator(cdn_cacheable, name="dispatch")
class PublicImagesAPIViewSet(VersionedAPIViewSet, ImagesAPIViewSet):
    def get_queryset(self):
        public = visibility_for(self.request).public_collection_ids
        surrogate_keys.record(self.request, surrogate_keys.list_key(self.model))
        return self.model.objects.filter(collection_id__in=public).order_by("id")


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
