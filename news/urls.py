from django.urls import path

from core.caching import cdn_cacheable

from .feeds import NewsAtomFeed, NewsFeed

urlpatterns = [
    path("feed/", cdn_cacheable(NewsFeed()), name="news_feed"),
    path("feed/atom/", cdn_cacheable(NewsAtomFeed()), name="news_feed_atom"),
]
