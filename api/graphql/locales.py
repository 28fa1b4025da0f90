"""Languages over GraphQL (core/locales.py holds the rules): the `locale` and
`fallbackLocales` arguments of every entry point that returns pages or snippets, and
items answered in the chain's locales (core/locales.py: `in_locale`).

Entry points of this project declare the arguments (`locale_arguments`); grapple's own
(`page`, `pages`, `snippets`) are given them by `with_locale_arguments`, a change
`build_schema` makes: grapple has no locale support (its issue 141).
"""

import graphene
from graphql import GraphQLArgument, GraphQLList, GraphQLNonNull, GraphQLString

from core.locales import LocaleError, chain_for, in_locale, locale_ids, source_code
from core.preview import previewed_page_in_locale

from .errors import bad_input

LOCALE_DESCRIPTION = (
    "The language to answer in, a BCP 47 tag (e.g. 'es'); default the source language, "
    "en-GB. An item with no live translation in it is answered in the first of "
    "`fallbackLocales` that has one, else in the source language."
)
FALLBACKS_DESCRIPTION = (
    "Where to look, in order, for an item not translated into `locale`, before the "
    "source language (always the last resort); at most one for each enabled locale."
)


def locale_arguments():
    """The two arguments, for a graphene field's declaration."""
    return {
        "locale": graphene.String(description=LOCALE_DESCRIPTION),
        "fallback_locales": graphene.List(
            graphene.NonNull(graphene.String), description=FALLBACKS_DESCRIPTION
        ),
    }


def chain_of(locale=None, fallback_locales=None):
    """The chain the arguments ask for, or None; a refused tag is the client's error."""
    try:
        return chain_for(locale, fallback_locales)
    except LocaleError as error:
        raise bad_input(str(error), error.code) from error


def source_locale_id(request):
    return locale_ids(request, [source_code()])[0]


def in_source_locale(request, items):
    """The items of a list grapple reads in every language, only the source language's:
    grapple has no locale filter (its issue 141)."""
    source = source_locale_id(request)
    return [item for item in items if getattr(item, "locale_id", source) == source]


def with_locale_arguments(graphql_schema):
    """grapple's `page`, `pages` and `snippets` take `locale` and `fallbackLocales`."""
    fields = graphql_schema.query_type.fields
    for name, resolver in (
        ("page", resolve_page_in_locale),
        ("pages", resolve_list_in_locale),
        ("snippets", resolve_list_in_locale),
    ):
        field = fields[name]
        field.args["locale"] = GraphQLArgument(GraphQLString, description=LOCALE_DESCRIPTION)
        field.args["fallbackLocales"] = GraphQLArgument(
            GraphQLList(GraphQLNonNull(GraphQLString)),
            description=FALLBACKS_DESCRIPTION,
            out_name="fallback_locales",
        )
        field.resolve = resolver(field.resolve)


def resolve_page_in_locale(resolver):
    def resolve(root, info, locale=None, fallback_locales=None, **arguments):
        chain = chain_of(locale, fallback_locales)
        page = resolver(root, info, **arguments)
        if chain is None or page is None:
            return page
        if getattr(page, "_opened_by_preview_token", False):
            return previewed_page_in_locale(info.context, page, chain, arguments.get("token"))
        return in_locale(info.context, [page], chain)[0]

    return resolve


def resolve_list_in_locale(resolver):
    def resolve(root, info, locale=None, fallback_locales=None, **arguments):
        chain = chain_of(locale, fallback_locales)
        items = in_source_locale(info.context, resolver(root, info, **arguments))
        return in_locale(info.context, items, chain)

    return resolve
