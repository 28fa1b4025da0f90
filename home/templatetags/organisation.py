"""The organisation's name, for the admin's own pages (templates/wagtailadmin/)."""

from django import template
from django.conf import settings
from wagtail.models import Site

from home.models import OrganisationSettings

register = template.Library()


@register.simple_tag(takes_context=True)
def organisation_name(context):
    """The name in the request's site's organisation settings, else WAGTAIL_SITE_NAME.

    Only read: OrganisationSettings.for_request would write an empty row for a site that
    has none yet, and the sign-in page is open to anyone.
    """
    site = Site.find_for_request(context["request"])
    name = (
        OrganisationSettings.objects.filter(site=site)
        .values_list("organisation_name", flat=True)
        .first()
    )
    return name or settings.WAGTAIL_SITE_NAME
