"""GraphQL entry points for the site-wide snippets (testimonials and inspections) and for
search, with the rule every search argument follows: the text is words."""

import re
import unicodedata

import graphene
from grapple.registry import registry
from grapple.types.interfaces import get_page_interface
from grapple.types.structures import PositiveInt
from wagtail.models import Page
from wagtail.search.query import PlainText

from cms.visibility import visibility_for

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


WORD = re.compile(r"\w+")


def search_words(text):
    """The words of a search text: runs of letters and digits, whatever lies between.

    The database backends build their own query syntax from the text (SQLite FTS5 quotes
    each term, PostgreSQL writes a tsquery), and a character that syntax does not escape
    fails the query: a double quote on SQLite (an OperationalError, which looks like an
    outage), a NUL on PostgreSQL. Quotes, operators (AND OR NOT NEAR * -), brackets and
    colons are searched as the plain words around them. NFC first, so that a letter
    typed as a base and a combining accent stays one word.
    """
    return WORD.findall(unicodedata.normalize("NFC", text))


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
