"""GraphQL entry points for the site-wide snippets: testimonials and inspections."""

import graphene
from grapple.registry import registry

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
        return Inspection.objects.filter(live=True).order_by("-published_on", "-pk")

    def resolve_latest_inspection(self, info):
        return Inspection.objects.filter(live=True).order_by("-published_on", "-pk").first()
