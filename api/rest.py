"""The read-only REST API (Wagtail's API v2) at /api/v2/: `pages` and `images`.

It shows an anonymous client what the GraphQL API shows (core/visibility.py), and
nothing more. Wagtail's own pages viewset lets a request that satisfies a restriction
(a logged-in editor's session, a page password) through and takes the site from a
`?site=` parameter; here neither applies. Only filters on `path`, `depth` and `live` are
used, so `?search=` works on the result. Images: only those in public collections; a
page's image field pointing at a hidden image reads as null (api/rest_fields.py).

A page type's fields are listed in its `api_fields`, beside its `graphql_fields`.

A list costs the same queries whatever its length (tests/test_query_counts.py): its pages
are read without the StreamFields it does not show, then each field that shows more than
a page's own row reads it for all of them at once (`fetch_for_list`, here and in
api/rest_fields.py), and the URLs are made with no lookup for each page.
"""

from functools import cached_property
from urllib.parse import quote

from django.db.models import QuerySet, prefetch_related_objects
from django.utils.decorators import method_decorator
from rest_framework.fields import SkipField
from wagtail.api.utils import get_full_url
from wagtail.api.v2 import serializers
from wagtail.api.v2.filters import LocaleFilter
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.blocks import RichTextBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Page, Site

from core import content_version, surrogate_keys
from core.caching import cdn_cacheable
from core.locales import LocaleError, chain_for, in_locale, source_code
from core.request_context import context_of
from core.rich_text import without_editor_attributes
from core.visibility import URL_SAFE, visibility_for

NOT_FILTERS = (
    "offset",
    "limit",
    "fields",
    "locale",
    "fallback_locales",
)  # query parameters that leave the list as it is


class PublicPagination(WagtailPagination):
    """Wagtail's, with the total kept until the list may change (`VisibilityRules.count`):
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


class DetailUrlField(serializers.DetailUrlField):
    """An item's address in the API, its endpoint's followed by `<id>/` (as
    wagtail/api/v2/views.py BaseAPIViewSet.get_urlpatterns routes it), the endpoint's
    worked out once for each model: Wagtail's (wagtail/api/v2/utils.py
    get_object_detail_url) reverse()s and reads the base URL for every item."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.endpoints = {}  # model -> its endpoint's address, or None for no endpoint

    def get_attribute(self, instance):
        model = type(instance)
        if model not in self.endpoints:
            path = self.context["router"].get_model_listing_urlpath(model)
            self.endpoints[model] = path and get_full_url(self.context["request"], path)
        if self.endpoints[model] is None:
            raise SkipField
        return f"{self.endpoints[model]}{instance.pk}/"


class PageHtmlUrlField(serializers.PageHtmlUrlField):
    """A page's `full_url`, from the sites' root paths read once for the list and made as
    the visibility rule's `url_of` makes a path: Wagtail's (wagtail/models/pages.py
    Page.get_url_parts) reads them from the cache and reverse()s for every page. A page
    type with its own `get_url_parts`, and a translation (its language's prefix), goes
    through Wagtail."""

    @cached_property
    def site_root_paths(self):
        return Site.get_site_root_paths()  # most specific first, as get_url_parts takes them

    @cached_property
    def serve_prefix(self):
        return visibility_for(self.context["request"]).serve_prefix

    def to_representation(self, page):
        if type(page).get_url_parts is not Page.get_url_parts:
            return super().to_representation(page)
        for root in self.site_root_paths:
            if page.url_path.startswith(root.root_path):
                if root.language_code != source_code():  # a translation's: its prefix
                    return super().to_representation(page)
                path = quote(page.url_path[len(root.root_path) :], safe=URL_SAFE)
                return root.root_url + self.serve_prefix + path
        return None  # in no site: not routable


class PageLocaleField(serializers.PageLocaleField):
    def fetch_for_list(self, pages):
        prefetch_related_objects(pages, "locale")


class PageAliasOfField(serializers.PageAliasOfField):
    def fetch_for_list(self, pages):
        prefetch_related_objects(pages, "alias_of")  # no query when none is an alias


class StreamFieldSerializer(serializers.StreamField):
    """A StreamField's blocks; a list's converted together (StreamBlock.bulk_to_python),
    so that those choosing an image or a page are read in one query for each kind of
    block, not one for each page."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.streams = None  # page id -> its stream, once fetched for a list

    def fetch_for_list(self, pages):
        stored = [getattr(page, self.source) for page in pages]
        streams = stored[0].stream_block.bulk_to_python([list(s.raw_data) for s in stored])
        self.streams = {page.pk: stream for page, stream in zip(pages, streams, strict=True)}

    def get_attribute(self, page):
        if self.streams is None:
            return super().get_attribute(page)
        return self.streams[page.pk]

    def to_representation(self, stream):
        blocks = super().to_representation(stream)
        for child, block in zip(stream, blocks, strict=True):
            if isinstance(child.block, RichTextBlock):
                block["value"] = without_editor_attributes(block["value"])
        return blocks


class RichTextSerializer(serializers.RichTextFieldSerializer):
    def to_representation(self, value):
        return without_editor_attributes(super().to_representation(value))


class PublicPageSerializer(serializers.PageSerializer):
    """Wagtail's, with the fields that read more than a page's own row reading it for a
    whole list at once (`fetch_for_list`, also in api/rest_fields.py), and the URLs made
    without a lookup for each page."""

    serializer_field_mapping = {
        **serializers.PageSerializer.serializer_field_mapping,
        StreamField: StreamFieldSerializer,
        RichTextField: RichTextSerializer,
    }
    detail_url = DetailUrlField(read_only=True)
    html_url = PageHtmlUrlField(read_only=True)
    locale = PageLocaleField(read_only=True)
    alias_of = PageAliasOfField(read_only=True)


def fetched(pages, shown):
    """A list's pages, without the StreamFields it does not show (the largest columns by
    far, and JSON to decode). Search results are read as the search backend reads them."""
    if isinstance(pages, QuerySet):
        streams = [
            field.name
            for field in pages.model._meta.concrete_fields
            if isinstance(field, StreamField) and field.name not in shown
        ]
        pages = pages.defer(*streams)
    return list(pages)


class VersionedAPIViewSet:
    """Reads the content version first, as the GraphQL endpoint does: what the
    visibility rule looks up is then kept by the key versions current for it
    (core/content_version.py)."""

    def initial(self, request, *args, **kwargs):
        context_of(request).content_version = content_version.read()
        super().initial(request, *args, **kwargs)


@method_decorator(cdn_cacheable, name="dispatch")
class PublicPagesAPIViewSet(VersionedAPIViewSet, PagesAPIViewSet):
    """`?locale=es&fallback_locales=pt`: the source language's pages (the same list and
    total in every locale), each in the first language of the chain it is live and public
    in (core/locales.py), as in the GraphQL API; Wagtail's own `locale` filter, which
    would leave out every page not translated, is not used."""

    # The site is the one the request is for, as in the GraphQL API.
    known_query_parameters = (PagesAPIViewSet.known_query_parameters - {"site"}) | {
        "fallback_locales"
    }
    filter_backends = [each for each in PagesAPIViewSet.filter_backends if each is not LocaleFilter]
    pagination_class = PublicPagination
    base_serializer_class = PublicPageSerializer

    def get_base_queryset(self):
        return visibility_for(self.request).visible_pages(Page.objects.all())

    @cached_property
    def locale_chain(self):
        fallbacks = self.request.GET.get("fallback_locales", "").split(",")
        try:
            return chain_for(
                self.request.GET.get("locale"), [tag for tag in fallbacks if tag.strip()]
            )
        except LocaleError as error:
            raise BadRequestError(str(error)) from error

    def get_object(self):
        return in_locale(self.request, [super().get_object()], self.locale_chain)[0]

    def get_serializer(self, instance, many=False):
        """For a list, its pages read with what its fields show of them: each field that
        reads beyond a page's row reads for all the pages at once, before any is shown."""
        serializer_class = self.get_serializer_class()
        if many:
            shown = fetched(instance, serializer_class.Meta.fields)
            instance = in_locale(self.request, shown, self.locale_chain)
        serializer = serializer_class(instance, many=many, context=self.get_serializer_context())
        if many and instance:
            for field in serializer.child.fields.values():
                if hasattr(field, "fetch_for_list"):
                    field.fetch_for_list(instance)
        return serializer


@method_decorator(cdn_cacheable, name="dispatch")
class PublicImagesAPIViewSet(VersionedAPIViewSet, ImagesAPIViewSet):
    def get_queryset(self):
        public = visibility_for(self.request).public_collection_ids
        surrogate_keys.record(self.request, surrogate_keys.list_key(self.model))
        return self.model.objects.filter(collection_id__in=public).order_by("id")


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
