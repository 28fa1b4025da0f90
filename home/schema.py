"""GraphQL entry points for the site-wide snippets (testimonials and inspections) and for
search, with the rule every search argument follows: the text is words."""

import graphene
from grapple.registry import registry
from grapple.types.interfaces import get_page_interface
from grapple.types.structures import PositiveInt
from wagtail.models import Page
from wagtail.search.query import PlainText

from core.search import search_words
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
    )
    inspections = graphene.List(
        graphene.NonNull(inspection_type),
        required=True,
        description="Published inspections, newest first.",
    )
    latest_inspection = graphene.Field(
        inspection_type, description="The most recently published inspection, or null."
    )

    def resolve_testimonials(self, info):
        return Testimonial.objects.filter(live=True).order_by("pk")

    def resolve_inspections(self, info):
        inspections = Inspection.objects.filter(live=True).prefetch_related("highlights")
        return inspections.order_by("-published_on", "-pk")

    def resolve_latest_inspection(self, info):
        return Inspection.objects.filter(live=True).order_by("-published_on", "-pk").first()


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
        description="Live pages of this site matching the words, most relevant first.",
    )

    def resolve_search(self, info, query, limit):
        words = search_words(query)
        if not words:
            return []
        pages = visibility_for(info.context).visible_pages(Page.objects.all()).specific()
        return list(pages.search(PlainText(" ".join(words), operator="and"))[:limit])
