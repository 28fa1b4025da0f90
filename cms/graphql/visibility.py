"""One rule for what an anonymous client may see, enforced on every field.

grapple filters some of its entry points (`pages`, `children`) but not others
(`parent`, `search`, `snippets`, reverse relations such as `aliases`), and custom
fields can forget. So the rule lives here, wrapped around the resolver of every field
of the schema that returns objects (`guard_schema`), checking every value it returns:
a page, snippet, image or document that is not visible becomes null, and lists lose
their invisible items. Fields of scalars without arguments, most of any query, run
unwrapped: a scalar cannot carry a page out.

Visible means:
- a page: live, not expired, not the tree's root, inside the requested site, with
  no view restriction on it or an ancestor; or the draft a valid preview token
  opened (marked by the `page(token:)` resolver);
- a snippet with draft state: live;
- an image or document: in a collection with no view restriction on it or an ancestor.

The same wrapper, also around every field that takes arguments, checks the arguments
clients may abuse before anything runs: list sizes, `order` (an allowlist per type),
ids and search text.
"""

import re
import threading
from collections.abc import Iterable
from functools import cached_property
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.urls import reverse
from graphql import GraphQLObjectType, default_field_resolver, get_named_type, is_leaf_type
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents.models import AbstractDocument
from wagtail.images.models import AbstractImage
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    DraftStateMixin,
    Page,
    PageViewRestriction,
    Site,
)
from wagtail.search.backends.base import BaseSearchResults

from . import bad_input

PREVIEW_MARK = "_opened_by_preview_token"
URL_SAFE = "/~:@!$&'()*+,;="  # what Django's reverse() leaves unquoted

PAGE_ORDERS = ("title", "slug", "first_published_at", "last_published_at", "path")
ORDER_ALLOWLIST = {
    "PageInterface": PAGE_ORDERS,
    "ImageObjectType": ("title", "created_at", "id"),
    "DocumentObjectType": ("title", "created_at", "id"),
    "TagObjectType": ("name", "id"),
}
ID_ARGUMENTS = ("id", "parent", "ancestor", "collection")
SIZE_ARGUMENTS = ("limit", "per_page")
MAX_SEARCH_CHARS = 200
WHOLE_NUMBER = re.compile(r"^[0-9]{1,18}$")


def mark_as_preview(page, request):
    """Let the draft a valid preview token opened through (and keep it out of caches)."""
    if page is not None:
        setattr(page, PREVIEW_MARK, True)
        request.served_preview = True
    return page


class ContentVersionMemo:
    """Facts that change only with published content (the site's root, the pages that
    hide their subtrees, the public collections, pages by path), kept by this process
    for one content version: see cache.py, where any change to published content starts
    a new version once it commits, and every GraphQL request reads the current one."""

    def __init__(self, max_facts=10_000):
        self.version = None
        self.facts = {}
        # Keys come from requests (the Host header among them): a bound keeps a flood of
        # new keys from growing the process; past it, facts are worked out each time.
        self.max_facts = max_facts
        self.lock = threading.Lock()  # the development server answers in threads

    def get(self, request, key, compute):
        version = getattr(request, "content_version", None)
        # Within a transaction the database may hold changes no version describes yet.
        if version is None or connection.in_atomic_block:
            return compute()
        with self.lock:
            if self.version != version:
                self.version, self.facts = version, {}
            facts = self.facts
        if key in facts:
            return facts[key]
        value = compute()
        if len(facts) < self.max_facts:
            facts[key] = value
        return value


memo = ContentVersionMemo()


class VisibilityRules:
    """What the current request may see, worked out once per request (or per content
    version, for GraphQL requests: see ContentVersionMemo)."""

    def __init__(self, request):
        self.request = request
        self.pages = {}  # path -> specific page, for lookups repeated within a request

    def remembered(self, key, compute):
        return memo.get(self.request, key, compute)

    @cached_property
    def site_root(self):
        def find():
            site = Site.find_for_request(self.request)
            return site.root_page if site else None

        if self.request is None:
            return None
        key = ("site_root", self.request.get_host(), self.request.get_port())
        return self.remembered(key, find)

    def page_at(self, path):
        """The (specific) page at a tree path, or None."""

        def find():
            page = Page.objects.filter(path=path).first()
            return page.specific if page else None

        if path not in self.pages:
            self.pages[path] = self.remembered(("page", path), find)
        return self.pages[path]

    @cached_property
    def site_root_path(self):
        return self.site_root.path if self.site_root else None

    @cached_property
    def serve_prefix(self):
        return reverse("wagtail_serve", args=("",))

    def url_of(self, page):
        """What page.get_url(request) answers for a page of the requested site, without a
        reverse() and Wagtail's signature checks for each page of a list."""
        root = self.site_root
        if root is None or not page.url_path.startswith(root.url_path):
            return page.get_url(request=self.request)
        return self.serve_prefix + quote(page.url_path[len(root.url_path) :], safe=URL_SAFE)

    @cached_property
    def hidden_page_paths(self):
        """Pages that hide everything below them: those not live or expired (with
        children: a leaf hides only itself), and those behind a view restriction."""

        def find():
            hiding = Q(Q(live=False) | Q(expired=True), numchild__gt=0) | Q(
                Exists(PageViewRestriction.objects.filter(page=OuterRef("pk")))
            )
            return tuple(Page.objects.filter(hiding).values_list("path", flat=True))

        return self.remembered("hidden_page_paths", find)

    @cached_property
    def public_collection_ids(self):
        """Collections with no view restriction on them or on an ancestor."""

        def find():
            restricted = Exists(CollectionViewRestriction.objects.filter(collection=OuterRef("pk")))
            collections = list(
                Collection.objects.annotate(restricted=restricted).values_list(
                    "id", "path", "restricted"
                )
            )
            restricted_paths = tuple(path for _, path, hidden in collections if hidden)
            return frozenset(
                pk
                for pk, path, _ in collections
                if not (restricted_paths and path.startswith(restricted_paths))
            )

        return self.remembered("public_collection_ids", find)

    def page_is_visible(self, page):
        if getattr(page, PREVIEW_MARK, False):
            return True
        return (
            page.live
            and not page.expired
            and page.depth > 1
            and self.site_root_path is not None
            and page.path.startswith(self.site_root_path)
            and not page.path.startswith(self.hidden_page_paths or ("\0",))
        )

    def visible_pages(self, pages):
        """The same rule as a queryset filter, for entry points that count or paginate."""
        if self.site_root_path is None:
            return pages.none()
        # No `expired` filter: unpublishing an expired page clears `live` too, and
        # search can only filter on Page's indexed FilterFields.
        pages = pages.live().filter(depth__gt=1, path__startswith=self.site_root_path)
        for path in self.hidden_page_paths:
            pages = pages.exclude(path__startswith=path)
        return pages

    def in_public_collection(self, item):
        return item.collection_id in self.public_collection_ids

    def is_visible(self, value):
        if isinstance(value, Page):
            return self.page_is_visible(value)
        if isinstance(value, DraftStateMixin):
            return value.live
        if isinstance(value, AbstractImage | AbstractDocument):
            return self.in_public_collection(value)
        if isinstance(value, Redirect):
            return value.redirect_page is None or self.page_is_visible(value.redirect_page)
        return True


def rules_for(request):
    rules = getattr(request, "_visibility_rules", None)
    if rules is None:
        rules = request._visibility_rules = VisibilityRules(request)
    return rules


def _is_guarded(value):
    return isinstance(value, Page | DraftStateMixin | AbstractImage | AbstractDocument | Redirect)


def guard_schema(graphql_schema):
    """Wrap the resolvers of the fields that return objects or take arguments."""
    for graphql_type in graphql_schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field in graphql_type.fields.values():
            if field.args or not is_leaf_type(get_named_type(field.type)):
                field.resolve = guarded(field.resolve or default_field_resolver)
    return graphql_schema


def guarded(resolver):
    def resolve_visible(root, info, **arguments):
        check_arguments(info, arguments)
        return _visible(resolver(root, info, **arguments), root, info, arguments)

    resolve_visible.guards = resolver
    return resolve_visible


def _visible(result, root, info, arguments):
    if result is None or isinstance(result, str | int | float | bool):
        return result
    if info.field_name == "page" and root is None and arguments.get("token"):
        # grapple's page(token:) returns the draft the (signed, unexpired) token opens.
        return mark_as_preview(result, info.context)
    if isinstance(result, Model):
        if _is_guarded(result) and not rules_for(info.context).is_visible(result):
            return None
        return result
    if isinstance(result, QuerySet | BaseSearchResults | list | tuple):
        return _visible_items(result, info)
    return result


def _visible_items(items: Iterable, info):
    items = list(items)
    if not any(_is_guarded(item) for item in items):
        return items
    rules = rules_for(info.context)
    return [item for item in items if not _is_guarded(item) or rules.is_visible(item)]


def check_arguments(info, arguments):
    """Refuse arguments that would leak, overload or confuse, with a clear message."""
    if not arguments:
        return
    for name in SIZE_ARGUMENTS:
        size = arguments.get(name)
        if size is not None and not 1 <= size <= settings.GRAPHQL_MAX_PER_PAGE:
            raise bad_input(
                f"{info.field_name}: {_camel(name)} must be between 1 and "
                f"{settings.GRAPHQL_MAX_PER_PAGE}."
            )
    for name in ID_ARGUMENTS:
        value = arguments.get(name)
        if value is not None and not WHOLE_NUMBER.match(str(value)):
            raise bad_input(f"{info.field_name}: {name} must be a whole number.")
    search = arguments.get("search_query") or (
        arguments.get("query") if info.field_name == "search" else None
    )
    if search is not None and len(search) > MAX_SEARCH_CHARS:
        raise bad_input(f"Search text is limited to {MAX_SEARCH_CHARS} characters.")
    if arguments.get("order") is not None:
        _check_order(info, arguments["order"])
    if info.field_name == "rendition":
        spec = "|".join(
            f"{key}-{value}" for key, value in arguments.items() if key != "preserve_svg"
        )
        if spec not in settings.ALLOWED_IMAGE_FILTERS:
            raise bad_input(
                f"rendition: {spec!r} is not an allowed filter. Allowed: "
                + ", ".join(settings.ALLOWED_IMAGE_FILTERS)
                + "."
            )


def _check_order(info, order):
    return_type = get_named_type(info.return_type)
    type_name = return_type.name
    if "PageInterface" in {i.name for i in getattr(return_type, "interfaces", ())}:
        type_name = "PageInterface"
    allowed = ORDER_ALLOWLIST.get(type_name, ())
    for part in order.split(","):
        if part.strip().lstrip("-") not in allowed:
            choices = ", ".join(allowed) or "none"
            raise bad_input(
                f"{info.field_name}: cannot order by {part.strip()!r}. "
                f"Allowed (prefix with - to reverse): {choices}."
            )


def _camel(name):
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)
