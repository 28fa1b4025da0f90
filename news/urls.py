from django.urls import path

from .feeds import NewsAtomFeed, NewsFeed

urlpatterns = [
    path("feed/", NewsFeed(), name="news_feed"),
    path("feed/atom/", NewsAtomFeed(), name="news_feed_atom"),
]
