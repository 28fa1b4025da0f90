"""A page's language, for `<html lang dir>` (templates/base.html)."""

from django import template
from django.conf import settings
from django.utils import translation

from core.locales import code_of_locale_id, enabled_codes, source_code, tag_of

register = template.Library()


def language(code):
    """A language as a BCP 47 tag and its direction (`rtl` for Arabic, Hebrew, Urdu...:
    Django's LANGUAGES_BIDI)."""
    right_to_left = code.split("-")[0] in settings.LANGUAGES_BIDI
    return {"tag": tag_of(code), "dir": "rtl" if right_to_left else "ltr"}


@register.simple_tag
def language_of(page):
    """The page's language; where there is no page (page not found), the language its
    path names (`/ar/...`: PathLanguageMiddleware), else the source language."""
    locale_id = getattr(page, "locale_id", None)
    if locale_id:
        return language(code_of_locale_id(locale_id))
    path_code = translation.get_language()
    return language(path_code if path_code in enabled_codes() else source_code())


@register.simple_tag
def source_language():
    """The source language, in whose words the council wrote the site's own texts."""
    return language(source_code())
