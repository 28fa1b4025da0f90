"""GraphQL entry points for the site-wide snippets (testimonials and inspections) and for
search, with the rule every search argument follows: the text is words."""

import graphene
from grapple.registry import registry
from grapple.types.interfaces import get_page_interface
from grapple.types.structures import PositiveInt
from wagtail.models import Page
from wagtail.search.query import PlainText

from api.graphql.locales import chain_of, locale_arguments, source_locale_id
from core.locales import fetch_versions, in_locale, source_code
from core.preview import RELEASE_PREVIEW_DESCRIPTION, snippet_drafts, with_drafts
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
        token=graphene.String(description=RELEASE_PREVIEW_DESCRIPTION),
        **locale_arguments(),
    )
    inspections = graphene.List(
        graphene.NonNull(inspection_type),
        required=True,
        description="Published inspections, newest first.",
        token=graphene.String(description=RELEASE_PREVIEW_DESCRIPTION),
        **locale_arguments(),
    )
    latest_inspection = graphene.Field(
        inspection_type,
        description="The most recently published inspection, or null.",
        token=graphene.String(description=RELEASE_PREVIEW_DESCRIPTION),
        **locale_arguments(),
    )

    def resolve_testimonials(self, info, locale=None, fallback_locales=None, token=None):
        chain = chain_of(locale, fallback_locales)
        drafts = drafts_of(info, Testimonial, token)
        testimonials = source_snippets(info, Testimonial, ("pk",), drafts)
        return in_locale(info.context, testimonials, chain, with_drafts(fetch_versions, drafts))

    def resolve_inspections(self, info, locale=None, fallback_locales=None, token=None):
        chain = chain_of(locale, fallback_locales)
        drafts = drafts_of(info, Inspection, token)
        inspections = source_snippets(info, Inspection, INSPECTIONS_ORDER, drafts)
        return in_locale(info.context, inspections, chain, with_drafts(fetch_inspections, drafts))

    def resolve_latest_inspection(self, info, locale=None, fallback_locales=None, token=None):
        chain = chain_of(locale, fallback_locales)
        drafts = drafts_of(info, Inspection, token)
        inspections = source_snippets(info, Inspection, INSPECTIONS_ORDER, drafts)
        latest = next(iter(inspections[:1]), None)  # LIMIT 1 where no draft is added
        if latest is None:
            return None
        return in_locale(info.context, [latest], chain, with_drafts(fetch_inspections, drafts))[0]


INSPECTIONS_ORDER = ("-published_on", "-pk")


def source_snippets(info, model, ordering, drafts):
    """A snippet's published items in the source language, in order: a list's items in
    every language (api/graphql/locales.py answers each in the one asked for). A preview
    token's `drafts` of them are answered in their place, and those not yet live added."""
    source = source_locale_id(info.context)
    live = model.objects.filter(live=True, locale_id=source).order_by(*ordering)
    if model is Inspection:
        live = live.prefetch_related("highlights")
    if not drafts:
        return live
    pending = {pk: draft for pk, draft in drafts.items() if draft.locale_id == source}
    items = [pending.pop(item.pk, item) for item in live] + list(pending.values())
    return in_order(items, ordering)


def drafts_of(info, model, token):
    """A preview token's drafts of `model`'s items (in any language) by id; none without."""
    if token is None:
        return {}
    drafts = snippet_drafts(info.context, token)
    return {pk: draft for (of_model, pk), draft in drafts.items() if of_model is model}


def in_order(items, ordering):
    """The items sorted as `order_by(*ordering)` would sort them (a draft is not in the
    database to be sorted there)."""
    for field in reversed(ordering):
        name = field.lstrip("-")
        items = sorted(items, key=lambda item: getattr(item, name), reverse=field[0] == "-")
    return items


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
