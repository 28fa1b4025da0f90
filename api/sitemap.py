"""sitemap.xml: every page an anonymous reader may see (core/visibility.py), as Wagtail's
sitemap lists them. Wagtail's own reads live and public pages of the site, which keeps
the children of an unpublished or expired page.

Each translation is listed too, and a page in more than one language names every one
of them (`xhtml:link rel="alternate" hreflang`, Django's sitemap template), `x-default`
the source language's."""

from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from core.locales import source_code, tag_of, tag_of_locale_id
from core.visibility import visibility_for


class PublicPagesSitemap(Sitemap):
    def items(self):
        pages = visibility_for(self.request).visible_pages_in_every_language(Page.objects.all())
        return pages.order_by("path").defer_streamfields().specific()

    def _urls(self, page, protocol, domain):
        """Wagtail's, each page's versions in other languages named beside it."""
        entries = [
            (item, url_info)
            for item in self.paginator.page(page).object_list.iterator()
            for url_info in item.get_sitemap_urls(self.request)
        ]
        versions = {}
        for item, url_info in entries:
            versions.setdefault(item.translation_key, []).append(
                {"lang_code": tag_of_locale_id(item.locale_id), "location": url_info["location"]}
            )
        source = tag_of(source_code())
        for item, url_info in entries:
            alternates = versions[item.translation_key]
            if len(alternates) > 1:
                default = [each for each in alternates if each["lang_code"] == source]
                url_info["alternates"] = alternates + [
                    {"lang_code": "x-default", "location": each["location"]} for each in default
                ]
        last_mods = {url_info.get("lastmod") for _, url_info in entries}
        # last_mods might be empty if the whole site is private
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return [url_info for _, url_info in entries]
