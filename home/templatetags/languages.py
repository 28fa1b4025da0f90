"""A page's language, for `<html lang dir>` (templates/base.html)."""

from django import template
from django.conf import settings

from core.locales import code_of_locale_id, source_code, tag_of

register = template.Library()


@register.simple_tag
def language_of(page):
    """The page's language as a BCP 47 tag and its direction (`rtl` for Arabic, Hebrew,
    Urdu...: Django's LANGUAGES_BIDI); the source language's where there is no page."""
    locale_id = getattr(page, "locale_id", None)
    code = code_of_locale_id(locale_id) if locale_id else source_code()
    right_to_left = code.split("-")[0] in settings.LANGUAGES_BIDI
    return {"tag": tag_of(code), "dir": "rtl" if right_to_left else "ltr"}
