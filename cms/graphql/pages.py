"""The page interface every page type implements: grapple's, with per-request lookups.

grapple resolves `parent` with two queries a page and `url` without the request (so
each page's URL costs a cache round trip for the site's root paths). Here a page's
parent is looked up once per request whatever the number of pages sharing it, and
URLs use the request's cached site root paths.
"""

from grapple.types.interfaces import PageInterface as GrapplePageInterface
from wagtail.models import Page

from .visibility import rules_for


class PageInterface(GrapplePageInterface):
    def resolve_url(self, info, **kwargs):
        return self.get_url(request=info.context)

    def resolve_parent(self, info, **kwargs):
        if self.depth <= 1:
            return None
        parents = rules_for(info.context).page_cache
        parent_path = self.path[: -Page.steplen]
        if parent_path not in parents:
            parent = Page.objects.filter(path=parent_path).first()
            parents[parent_path] = parent.specific if parent else None
        return parents[parent_path]
