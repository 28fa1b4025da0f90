from wagtail import hooks

from .schema import NewsQuery


@hooks.register("register_schema_query")
def register_news_queries(query_mixins):
    query_mixins.append(NewsQuery)
