"""Translate a page into a language, retitled, and publish it, from another process.

    python -m tests.support.programs.translate_a_page URL_PATH LANGUAGE_CODE TITLE

URL_PATH is the source page's path on the site (`/principles/fair/`); the language's
locale is added if it is not there yet; the translation's untranslated parents are made
with it, as wagtail-localize makes them. The database and cache are the environment's
(tests/production/test_languages.py: the deployment's).
"""

import sys


def main(url_path, language_code, title):
    import django

    django.setup()
    from wagtail.models import Locale, Page, Site

    root = Site.objects.get(is_default_site=True).root_page
    page = Page.objects.get(url_path=root.url_path + url_path.lstrip("/")).specific
    locale, _ = Locale.objects.get_or_create(language_code=language_code)
    translation = page.copy_for_translation(locale, copy_parents=True)
    translation.title = title
    translation.save_revision().publish()


if __name__ == "__main__":
    main(*sys.argv[1:])
