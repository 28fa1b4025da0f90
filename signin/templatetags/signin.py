from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def single_sign_on():
    """What the sign-in page offers: {"enabled", "only"} (SSO_ENABLED, SSO_ONLY)."""
    return {"enabled": settings.SSO_ENABLED, "only": settings.SSO_ENABLED and settings.SSO_ONLY}
