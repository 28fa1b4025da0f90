"""Which translations are out of date: their source had a major change after they were
translated.

A major change is the council's own kind (governance.models.ChangeNotesMixin): a change
published as major, with a public change note, is in the source page's
`change_history`; minor corrections are not. A translation was translated when it was
last published, from its source as wagtail-localize last synced it
(`TranslationSource.last_updated_at`, set as a page is submitted for translation or its
translations are synced): the earlier of the two. So a translation is out of date from
its source's major change until it has been both synced with the changed source and
published again. A source page, and a translation never published nor synced, is not.
"""

from wagtail.models import Page
from wagtail_localize.models import TranslationSource

from core.locales import code_of_locale_id, source_code
from core.request_context import context_of


def last_major_change_at(page):
    """When the page was last changed in a major way, or None (first publishing is not
    a change)."""
    history = getattr(page, "change_history", None)
    return page.last_updated_at if history else None


def translated_at(translation, synced_at):
    """When the translation was made from its source, as far as is known."""
    times = [at for at in (translation.last_published_at, synced_at) if at is not None]
    return min(times, default=None)


def is_outdated(translation, source, synced_at):
    """Whether `translation` (a page) is out of date against `source` (its source-language
    page, specific), whose content wagtail-localize last synced at `synced_at` (or None)."""
    changed_at = last_major_change_at(source)
    made_at = translated_at(translation, synced_at)
    return changed_at is not None and made_at is not None and changed_at > made_at


def is_translation(page):
    return code_of_locale_id(page.locale_id) != source_code()


def page_is_outdated(page):
    """Whether a page is a translation out of date (a few queries for a translation, none
    for a source page)."""
    if not is_translation(page):
        return False
    return is_outdated_by(page, sources_and_sync_times({page.translation_key}))


def translation_is_outdated(request, page):
    """`page_is_outdated`, for an answer: its facts (the source pages and when they were
    synced) read with those of every page of the lists the answer holds, a few queries
    (for each page type) whatever the number of pages, not two a page."""
    if not is_translation(page):
        return False
    context = context_of(request)
    known = context.translation_sources
    if page.translation_key not in known:
        keys = {page.translation_key} | (context.listed_translation_keys - known.keys())
        known.update(sources_and_sync_times(keys))
    return is_outdated_by(page, known)


def is_outdated_by(page, facts):
    """Whether the translation `page` is out of date, by `facts` (`sources_and_sync_times`)."""
    source, synced = facts[page.translation_key]
    return source is not None and is_outdated(page, source, synced.get(page.locale_id))


def sources_and_sync_times(translation_keys):
    """For each translation key: its source-language page (specific) or None, and when
    wagtail-localize last synced it for each locale translated into ({locale id: time})."""
    found = {key: (None, {}) for key in translation_keys}
    sources = Page.objects.filter(
        translation_key__in=translation_keys, locale__language_code=source_code()
    ).specific()
    for source in sources:
        found[source.translation_key] = (source, {})
    synced = TranslationSource.objects.filter(object_id__in=translation_keys).values_list(
        "object_id", "translations__target_locale_id", "last_updated_at"
    )
    for key, locale_id, at in synced:
        found[key][1].setdefault(locale_id, at)
    return found


def outdated_translations():
    """Every translated page out of date, with its source: [(translation, source)], the
    translations specific: a few queries (for each page type translated), whatever the
    number of pages."""
    synced = {
        (object_id, locale_id): at
        for object_id, locale_id, at in TranslationSource.objects.filter(
            translations__enabled=True
        ).values_list("object_id", "translations__target_locale_id", "last_updated_at")
    }
    found = []
    translations = Page.objects.exclude(locale__language_code=source_code())
    sources = Page.objects.filter(
        locale__language_code=source_code(),
        translation_key__in=translations.values("translation_key"),
    ).specific()
    by_key = {page.translation_key: page for page in sources if last_major_change_at(page)}
    if not by_key:
        return found
    translations = translations.filter(translation_key__in=by_key).specific()
    for translation in translations:
        source = by_key[translation.translation_key]
        synced_at = synced.get((translation.translation_key, translation.locale_id))
        if is_outdated(translation, source, synced_at):
            found.append((translation, source))
    return found
