"""The page interface every page type implements: grapple's, with per-request lookups.

grapple resolves `parent` with two queries a page, and `url` through Page.get_url
without the request (a cache round trip for the site's root paths, a reverse() and
signature checks, for each page). Here a page's parent is looked up once per request
whatever the number of pages sharing it (and kept for the content version), and a URL
comes from the visibility rule's `url_of`, which answers what get_url would.
"""

from grapple.types.interfaces import PageInterface as GrapplePageInterface
from wagtail.models import Page

from cms.visibility import visibility_for


class PageInterface(GrapplePageInterface):
    def resolve_url(self, info, **kwargs):
        return visibility_for(info.context).url_of(self)

    def resolve_parent(self, info, **kwargs):
        if self.depth <= 1:
            return None
        return visibility_for(info.context).page_at(self.path[: -Page.steplen])
