from wagtail import hooks

from .schema import PrinciplesQuery


@hooks.register("register_schema_query")
def register_principles_queries(query_mixins):
    query_mixins.append(PrinciplesQuery)
