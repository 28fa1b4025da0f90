"""GraphQL entry points for the site-wide snippets (testimonials and inspections) and for
search, with the rule every search argument follows: the text is words."""

import graphene
from grapple.registry import registry
from grapple.types.interfaces import get_page_interface
from grapple.types.structures import PositiveInt
from wagtail.models import Page
from wagtail.search.query import PlainText

from api.graphql.locales import chain_of, locale_arguments, source_locale_id
from core.locales import in_locale, source_code
from core.search import search_in_language, search_words
from core.visibility import visibility_for

from .models import Inspection, Testimonial


def testimonial_type():
    return registry.snippets[Testimonial]


def inspection_type():
    return registry.snippets[Inspection]


class SnippetsQuery:
    testimonials = graphene.List(
        graphene.NonNull(testimonial_type),
        required=True,
        description="Published testimonials, oldest entry first.",
        **locale_arguments(),
    )
    inspections = graphene.List(
        graphene.NonNull(inspection_type),
        required=True,
        description="Published inspections, newest first.",
        **locale_arguments(),
    )
    latest_inspection = graphene.Field(
        inspection_type,
        description="The most recently published inspection, or null.",
        **locale_arguments(),
    )

    def resolve_testimonials(self, info, locale=None, fallback_locales=None):
        chain = chain_of(locale, fallback_locales)
        testimonials = source_snippets(info, Testimonial).order_by("pk")
        return in_locale(info.context, testimonials, chain)

    def resolve_inspections(self, info, locale=None, fallback_locales=None):
        chain = chain_of(locale, fallback_locales)
        inspections = source_snippets(info, Inspection).prefetch_related("highlights")
        inspections = inspections.order_by("-published_on", "-pk")
        return in_locale(info.context, inspections, chain, fetch_inspections)

    def resolve_latest_inspection(self, info, locale=None, fallback_locales=None):
        chain = chain_of(locale, fallback_locales)
        latest = source_snippets(info, Inspection).order_by("-published_on", "-pk").first()
        return None if latest is None else in_locale(info.context, [latest], chain)[0]


def source_snippets(info, model):
    """A snippet's published items in the source language: a list's items in every
    language (api/graphql/locales.py answers each in the one asked for)."""
    return model.objects.filter(live=True, locale_id=source_locale_id(info.context))


def fetch_inspections(model, ids):
    return model.objects.filter(pk__in=ids).prefetch_related("highlights")


class SearchQuery:
    """Replaces grapple's `search`, which searches every model unranked and unfiltered."""

    search = graphene.List(
        graphene.NonNull(get_page_interface),
        query=graphene.String(
            required=True,
            description="Words to find, at most 200 characters; all must match. Anything "
            "between words (quotes, operators, brackets) is not syntax: it is ignored.",
        ),
        limit=PositiveInt(default_value=20, description="At most 100."),
        required=True,
        description="Live pages of this site matching the words, most relevant first. In "
        "a `locale`, the pages of each language of the chain are searched, the locale's "
        "matches first, each page answered as the chain answers it.",
        **locale_arguments(),
    )

    def resolve_search(self, info, query, limit, locale=None, fallback_locales=None):
        chain = chain_of(locale, fallback_locales)
        words = search_words(query)
        if not words:
            return []
        search = PlainText(" ".join(words), operator="and")
        rules = visibility_for(info.context)
        if chain is None:
            pages = rules.visible_pages(Page.objects.all()).specific()
            return list(search_in_language(pages, search, source_code())[:limit])
        found = {}  # translation key -> the first match, in the chain's order
        for code in chain.codes:
            tree = rules.site_trees.get(rules.locale_ids.get(code))
            if tree is not None and len(found) < limit:
                pages = rules.visible_pages(Page.objects.all(), tree).specific()
                for page in search_in_language(pages, search, code)[:limit]:
                    found.setdefault(page.translation_key, page)
        return in_locale(info.context, list(found.values())[:limit], chain)
