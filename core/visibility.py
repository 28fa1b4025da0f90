"""What an anonymous reader may see: one rule for GraphQL, REST, the feeds, the sitemap
and search.

Visible means:
- a page: live, not expired, not the tree's root, inside the requested site, with no
  view restriction on it or an ancestor, and no unpublished or expired ancestor; or the
  draft a valid preview token opened (`mark_as_preview`);
- a snippet with draft state: live, or the draft a valid release token opened;
- an image or document: in a collection with no view restriction on it or an ancestor;
- a redirect: to no page, or to a visible one.

`visibility_for(request)` gives the rule for one request, as queryset filters
(`visible_pages`, `public_collection_ids`, with `count` for the lists they make) and
predicates (`is_visible`). What it looks up and counts changes only with published
content, so each process keeps it with the versions of the surrogate keys it depends on
(core/memo.py's KeyedMemo), never inside a transaction: the site's root with its page's
key, what hides pages and the counts of lists with every page's (`list:pages`, which
any change to a page retires) and the tags' (a list may be filtered by tag), a page by
its path with its key, and public collections with `all` alone (which every fact
depends on: a change to sites, collections or view restrictions retires it).
"""

import hashlib
from functools import cached_property
from urllib.parse import quote

from django.db.models import Exists, OuterRef, Q
from django.http.request import split_domain_port
from django.urls import reverse
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents.models import AbstractDocument
from wagtail.images.models import AbstractImage
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    DraftStateMixin,
    Locale,
    Page,
    PageViewRestriction,
    Site,
)

from . import compiled_queries, surrogate_keys
from .content_version import key_versions_for
from .memo import KeyedMemo
from .request_context import context_of

URL_SAFE = "/~:@!$&'()*+,;="  # what Django's reverse() leaves unquoted
GUARDED_TYPES = (Page, DraftStateMixin, AbstractImage, AbstractDocument, Redirect)

# What the rule looks up (site roots, hidden subtrees, public collections, pages by path)
# and the counts of lists, each kept with the versions of the keys it depends on.
facts = KeyedMemo(max_size=10_000)
# What a count depends on besides `all`: every page (a publish anywhere can show or hide
# pages below it) and the tags a list may be filtered by.
COUNT_KEYS = (surrogate_keys.PAGES, "list:taggit.tag")


def visibility_for(request):
    """The rule for this request (None: no request, so no site and no visible page)."""
    if request is None:
        return VisibilityRules(None)
    context = context_of(request)
    if context.visibility is None:
        context.visibility = VisibilityRules(request)
    return context.visibility


def is_public(page, parent):
    """Whether an anonymous reader of its site could see the live `page` as a child of
    `parent`, whatever the request: no view restriction on it or above it, and no page
    above it unpublished or expired (what `hidden_page_paths` holds)."""
    above = Page.objects.ancestor_of(parent, inclusive=True).filter(depth__gt=1)
    if above.filter(Q(live=False) | Q(expired=True)).exists():
        return False
    return not PageViewRestriction.objects.filter(Q(page__in=above) | Q(page=page)).exists()


def site_for(request):
    """The site that answers `request`, with its root page: the one Wagtail's
    `Site.find_for_request` chooses, from a plain query of the candidates (the sites of
    the request's hostname and the default site), chosen here in Wagtail's order.
    Wagtail orders them in the query by a CASE it compiles on every call, which costs
    twice the query itself (wagtail/models/sites.py `get_site_for_hostname`). Kept on the
    request as Wagtail keeps it, for Wagtail's own look-ups."""
    if not hasattr(request, "_wagtail_site"):
        hostname = split_domain_port(request._get_raw_host())[0]
        port = request.get_port()
        port = int(port) if port.isdigit() else None  # as Wagtail's query reads it
        candidates = Site.objects.filter(Q(hostname=hostname) | Q(is_default_site=True))

        def match(site):  # Wagtail's MATCH_HOSTNAME_PORT, _HOSTNAME_DEFAULT, _DEFAULT, _HOSTNAME
            if site.hostname == hostname:
                if site.port == port:
                    return 0
                return 1 if site.is_default_site else 3
            return 2

        sites = sorted(candidates.select_related("root_page").order_by(), key=match)
        site = None
        if len(sites) == 1 or (sites and match(sites[0]) in (0, 1)):
            site = sites[0]
        elif sites and match(sites[0]) == 2:  # the default, unless one site has the hostname
            site = sites[len(sites) == 2]
        request._wagtail_site = site
    return request._wagtail_site


def one_at(model, path):
    """The page of `model` at a tree path, or None, its query compiled once
    (compiled_queries.py): unordered, as a path is unique, for ordering a query
    (Wagtail's page managers order by path, `first()` by id) makes Django hash each of
    its selected columns to compile it."""
    found = compiled_queries.instances(
        model, ("at a path",), lambda path: model.objects.filter(path=path).order_by()[:1], [path]
    )
    return found[0] if found else None


def site_relative_path(url_path):
    """A tree path (`/home/news/x/`) as the path on its site (`/news/x/`), or None."""
    for root in Site.get_site_root_paths():
        if url_path.startswith(root.root_path):
            return url_path[len(root.root_path) - 1 :]
    return None


def mark_as_preview(page, request):
    """Let the draft a valid preview token opened through, and keep the answer out of
    every cache: it is for the editor who asked."""
    if page is not None:
        page._opened_by_preview_token = True
        context_of(request).served_preview = True
    return page


class VisibilityRules:
    def __init__(self, request):
        self.request = request
        self.pages = {}  # path -> specific page, for lookups repeated within a request

    @cached_property
    def key_versions(self):
        return key_versions_for(self.request)

    def remembered(self, key, compute, keys_of):
        """A fact kept with the versions of the surrogate keys `keys_of(fact)` names;
        worked out afresh inside a transaction, where the database may hold changes no
        version describes yet."""
        return facts.get(self.key_versions, key, compute, keys_of)

    @cached_property
    def site_root(self):
        def find():
            site = site_for(self.request)
            return site.root_page if site else None

        if self.request is None:
            return None
        key = ("site_root", self.request.get_host(), self.request.get_port())
        return self.remembered(key, find, lambda root: [surrogate_keys.key_for(root)])

    @cached_property
    def site_root_path(self):
        return self.site_root.path if self.site_root else None

    @cached_property
    def site_tree_paths(self):
        """The paths of the site's root page and of its translations: the site's tree
        in each language (lists are read from the source's, `visible_pages`; a page of
        any of them may be seen)."""

        return tuple(self.site_trees.values())

    @cached_property
    def site_trees(self):
        """The site's tree in each language: its root's path by locale id."""

        def find():
            trees = Page.objects.filter(translation_key=self.site_root.translation_key)
            return dict(trees.order_by("path").values_list("locale_id", "path"))

        if self.site_root is None:
            return {}
        return self.remembered(
            ("site_trees", self.site_root.pk),
            find,
            lambda _: [surrogate_keys.translation_key_of(self.site_root)],
        )

    @cached_property
    def locale_ids(self):
        """The Locale rows' ids by language code (core/locales.py): each language's
        items are its locale's."""
        # A locale added or removed retires everything (core/changes.py EVERYTHING_MODELS).
        return self.remembered(
            "locale_ids",
            lambda: dict(Locale.objects.values_list("language_code", "pk")),
            lambda _: (),
        )

    @cached_property
    def hidden_page_paths(self):
        """Pages that hide everything below them: those not live or expired (with
        children: a leaf hides only itself), and those behind a view restriction."""

        def find():
            def hiding():
                restricted = Exists(PageViewRestriction.objects.filter(page=OuterRef("pk")))
                hides = Q(Q(live=False) | Q(expired=True), numchild__gt=0) | Q(restricted)
                return Page.objects.filter(hides).values_list("path")

            return tuple(path for (path,) in compiled_queries.rows("hidden_page_paths", hiding))

        return self.remembered("hidden_page_paths", find, lambda _: [surrogate_keys.PAGES])

    @cached_property
    def public_collection_ids(self):
        """Collections with no view restriction on them or on an ancestor."""

        def find():
            def collections_marked():
                restricted = CollectionViewRestriction.objects.filter(collection=OuterRef("pk"))
                return Collection.objects.annotate(restricted=Exists(restricted)).values_list(
                    "id", "path", "restricted"
                )

            collections = compiled_queries.rows("collections_marked", collections_marked)
            restricted_paths = tuple(path for _, path, hidden in collections if hidden)
            return frozenset(
                pk
                for pk, path, _ in collections
                if not (restricted_paths and path.startswith(restricted_paths))
            )

        return self.remembered("public_collection_ids", find, lambda _: ())

    def visible_pages(self, pages, tree=None):
        """The rule as a queryset filter, for lists that count, paginate or search. Only
        `live`, `depth` and `path` are filtered on: Wagtail search accepts those. The
        site's tree in the source language, or `tree` (one of `site_tree_paths`)."""
        return self._visible(pages, lambda: Q(path__startswith=tree or self.site_root_path))

    def visible_pages_in_every_language(self, pages):
        """`visible_pages` over the site's tree in every language (`site_trees`), its
        paths OR'd (not for search: its backends filter on no OR)."""

        def in_trees():
            trees = Q()
            for tree in self.site_tree_paths:
                trees |= Q(path__startswith=tree)
            return trees

        return self._visible(pages, in_trees)

    def _visible(self, pages, in_site):
        if self.request is not None:  # the answer holds this list (core/surrogate_keys.py)
            surrogate_keys.record(self.request, surrogate_keys.list_key(pages.model))
        if self.site_root_path is None:
            return pages.none()
        # No `expired` filter: unpublishing an expired page clears `live` too.
        pages = pages.live().filter(in_site(), depth__gt=1)
        for path in self.hidden_page_paths:
            pages = pages.exclude(path__startswith=path)
        return pages

    def count(self, pages, *described_by):
        """How many items a list of `visible_pages` holds, kept until its membership may
        have changed: a COUNT reads every row it counts.
        `described_by`: what, with the site, makes the list what it is (its model, its
        filters), all of it: lists described alike share their count."""
        return self.remembered(
            self._count_key(described_by),
            lambda: pages.query.get_count(using=pages.db),
            lambda _: COUNT_KEYS,
        )

    def kept_count(self, *described_by):
        """The count `count` keeps for the list, or None where it is not kept."""
        return facts.find(self.key_versions, self._count_key(described_by))

    def keep_count(self, total, *described_by):
        """Keep a list's count read with its items (a window count), as `count` would."""
        facts.keep(self.key_versions, [(self._count_key(described_by), total, COUNT_KEYS)])

    def _count_key(self, described_by):
        # A digest: the memo holds up to 10,000 facts, and a description can be long.
        description = repr((self.site_root_path, described_by)).encode()
        return ("count", hashlib.blake2b(description, digest_size=16).digest())

    def page_is_visible(self, page):
        if getattr(page, "_opened_by_preview_token", False):
            return True
        return (
            page.live
            and not page.expired
            and page.depth > 1
            and self.site_root_path is not None
            and (  # the source language's tree first: its pages need no other tree read
                page.path.startswith(self.site_root_path)
                or page.path.startswith(self.site_tree_paths)
            )
            and not page.path.startswith(self.hidden_page_paths or ("\0",))
        )

    def in_public_collection(self, item):
        return item.collection_id in self.public_collection_ids

    def is_visible(self, value):
        if isinstance(value, Page):
            return self.page_is_visible(value)
        if isinstance(value, DraftStateMixin):
            return value.live or getattr(value, "_opened_by_preview_token", False)
        if isinstance(value, AbstractImage | AbstractDocument):
            return self.in_public_collection(value)
        if isinstance(value, Redirect):
            return value.redirect_page is None or self.page_is_visible(value.redirect_page)
        return True

    def visible_items(self, items):
        """The items of a list that may be seen (values of other types pass)."""
        return [
            item for item in items if not isinstance(item, GUARDED_TYPES) or self.is_visible(item)
        ]

    def page_at(self, path, likely_type=None):
        """The (specific) page at a tree path, or None. `likely_type`: the page type it
        is likely to be (a parent, where its child's type allows only one), read in one
        query (its table joined to the page's), not two, when it is."""

        def find():
            if likely_type is not None:
                page = one_at(likely_type, path)
                if page is not None and page.specific_class is likely_type:
                    return page
            page = one_at(Page, path)
            return page.specific if page else None

        if path not in self.pages:
            self.pages[path] = self.remembered(
                ("page", path), find, lambda page: [surrogate_keys.key_for(page)]
            )
        return self.pages[path]

    @cached_property
    def serve_prefix(self):
        return reverse("wagtail_serve", args=("",))

    def url_of(self, page):
        """What `page.get_url(request)` answers, for a page of the requested site
        without Wagtail's reverse() and site lookups for each page of a list
        (tests/test_page_urls.py holds it equal to get_url for every page type). Any
        page type that overrides `get_url_parts`, and a translation (in a tree of its
        own, its URL with its language's prefix: `/es/...`), goes through Wagtail."""
        root = self.site_root
        if (
            root is None
            or type(page).get_url_parts is not Page.get_url_parts
            or not page.url_path.startswith(root.url_path)
            or page.locale_id != root.locale_id
        ):
            return page.get_url(request=self.request)
        return self.serve_prefix + quote(page.url_path[len(root.url_path) :], safe=URL_SAFE)
