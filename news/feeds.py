"""RSS 2.0 and Atom feeds of the requesting site's news, newest first: the news the APIs
serve, by the same visibility rule (core/visibility.py). A feed for each language, under
its prefix (`/es/news/feed/`): the same items, each in that language where it has a
live translation, else in the source language (core/locales.py)."""

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import strip_tags
from django.utils.translation import get_language
from wagtail.models import Site

from core import surrogate_keys
from core.locales import Chain, in_locale, source_code
from core.visibility import visibility_for
from home.models import OrganisationSettings

from .models import NewsIndexPage, NewsPage

FEED_LENGTH = 50
LONDON = ZoneInfo("Europe/London")


@dataclass
class FeedSource:
    """What one request's feed is built from (a Feed instance is shared between requests)."""

    request: HttpRequest
    site: Site
    title: str
    link: str
    description: str
    chain: Chain | None  # the language the feed is in, falling back to the source


class NewsFeed(Feed):
    feed_type = Rss201rev2Feed
    language = None  # the language the path names (core.middleware.PathLanguageMiddleware)

    def get_object(self, request, *args, **kwargs):
        language = get_language()
        site = Site.find_for_request(request)
        if site is None:
            raise Http404("No site is served at this address.")
        organisation = OrganisationSettings.objects.filter(site=site).first()
        if organisation is not None:  # its name titles the feed
            surrogate_keys.record(request, surrogate_keys.key_for(organisation))
        surrogate_keys.record(request, surrogate_keys.list_key(OrganisationSettings))
        name = organisation.organisation_name if organisation else site.site_name
        name = name or settings.WAGTAIL_SITE_NAME
        index = visibility_for(request).visible_pages(NewsIndexPage.objects.all()).first()
        intro = strip_tags(index.intro).strip() if index else ""
        return FeedSource(
            request=request,
            site=site,
            title=f"{name}: news",
            link=(index or site.root_page).get_full_url(request),
            description=intro or f"News from {name}.",
            chain=None if language == source_code() else Chain(language, (language, source_code())),
        )

    def title(self, source):
        return source.title

    def link(self, source):
        return source.link

    def description(self, source):
        return source.description

    def subtitle(self, source):
        return source.description

    def feed_url(self, source):
        return source.request.build_absolute_uri()

    def items(self, source):
        visible = visibility_for(source.request).visible_pages(NewsPage.objects.all())
        pages = visible.order_by("-date", "-pk").prefetch_related("tags")[:FEED_LENGTH]
        pages = in_locale(source.request, pages, source.chain, with_tags)
        for page in pages:
            page.feed_url = page.get_full_url(source.request)
        return pages

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return item.feed_url

    def item_guid(self, item):
        return item.feed_url

    item_guid_is_permalink = True

    def item_description(self, item):
        # A major change's public note goes with the updated date it set (below).
        if notes := item.public_change_history:
            return f"{item.summary} Updated {notes[0]['date']:%-d %B %Y}: {notes[0]['note']}"
        return item.summary

    def item_pubdate(self, item):
        return datetime.combine(item.date, time.min, tzinfo=LONDON)

    def item_updateddate(self, item):
        # The page's lastUpdated: its first publish or last major change, not a typo fix.
        return item.last_updated_at or self.item_pubdate(item)

    def item_categories(self, item):
        return sorted(tag.name for tag in item.tags.all())


def with_tags(model, ids):
    """News pages found in the feed's language, read as the feed reads them."""
    return model.objects.filter(pk__in=ids).prefetch_related("tags")


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed
