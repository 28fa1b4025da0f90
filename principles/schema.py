"""GraphQL entry point for the eight practice principles."""

import graphene
from grapple.registry import registry

from api.graphql.locales import chain_of, locale_arguments
from core.locales import in_locale
from core.visibility import visibility_for

from .models import PrinciplePage


class PrinciplesQuery:
    principles = graphene.List(
        graphene.NonNull(lambda: registry.pages[PrinciplePage]),
        required=True,
        description="The live practice principles in editor order.",
        **locale_arguments(),
    )

    def resolve_principles(self, info, locale=None, fallback_locales=None):
        chain = chain_of(locale, fallback_locales)
        principles = visibility_for(info.context).visible_pages(PrinciplePage.objects.all())
        return in_locale(info.context, principles.with_icons().order_by("path"), chain, fetch)


def fetch(model, ids):
    """Principles found in another language, read as the list reads them."""
    return PrinciplePage.objects.filter(pk__in=ids).with_icons()
