"""GraphQL entry point for the eight practice principles."""

import graphene
from grapple.registry import registry
from wagtail.models import Site

from .models import PrinciplePage


class PrinciplesQuery:
    principles = graphene.List(
        graphene.NonNull(lambda: registry.pages[PrinciplePage]),
        required=True,
        description="The live practice principles in editor order.",
    )

    def resolve_principles(self, info):
        site = Site.find_for_request(info.context)
        if site is None:
            return PrinciplePage.objects.none()
        return PrinciplePage.objects.live().public().in_site(site).order_by("path")
