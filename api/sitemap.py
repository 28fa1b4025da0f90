"""sitemap.xml: every page an anonymous reader may see (core/visibility.py), as Wagtail's
sitemap lists them. Wagtail's own reads live and public pages of the site, which keeps
the children of an unpublished or expired page."""

from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from core.visibility import visibility_for


class PublicPagesSitemap(Sitemap):
    def items(self):
        pages = visibility_for(self.request).visible_pages(Page.objects.all())
        return pages.order_by("path").defer_streamfields().specific()
