"""GraphQL entry point for the eight practice principles."""

import graphene
from grapple.registry import registry

from core.visibility import visibility_for

from .models import PrinciplePage


class PrinciplesQuery:
    principles = graphene.List(
        graphene.NonNull(lambda: registry.pages[PrinciplePage]),
        required=True,
        description="The live practice principles in editor order.",
    )

    def resolve_principles(self, info):
        principles = visibility_for(info.context).visible_pages(PrinciplePage.objects.all())
        return principles.with_icons().order_by("path")
