"""The page interface every page type implements: grapple's, with per-request lookups.

grapple resolves `parent` with two queries a page, and `url` through Page.get_url
without the request (a cache round trip for the site's root paths, a reverse() and
signature checks, for each page). Here a page's parent is looked up once per request
whatever the number of pages sharing it (and kept for the content version: see
ContentVersionMemo), and a URL is the site's serving prefix and
the page's path below the site root.
"""

from grapple.types.interfaces import PageInterface as GrapplePageInterface
from wagtail.models import Page

from .visibility import rules_for


class PageInterface(GrapplePageInterface):
    def resolve_url(self, info, **kwargs):
        return rules_for(info.context).url_of(self)

    def resolve_parent(self, info, **kwargs):
        if self.depth <= 1:
            return None
        return rules_for(info.context).page_at(self.path[: -Page.steplen])
