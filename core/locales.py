"""The content languages as the APIs read them: a BCP 47 tag checked against the enabled
languages, the chain of locales an item is looked for in, and items resolved through it.

A request names a `locale` and, optionally, `fallbackLocales` (in order). The chain is
the locale, then each fallback, then the source language (always the last resort): so a
list has the same items in every locale, each in the first locale of the chain where it
has a live, public translation. A list's items are the source language's; an item is
answered as its translation in the chain's first locale that has one visible. An item
answered in a locale other than the one asked for is a copy marked with the tag asked
for (`requested_locale`): items are kept for the content version and shared by requests.

Wagtail's codes are Django's (`en-gb`); the APIs speak BCP 47 (`en-GB`, `es`, `ar`).
"""

import re
from typing import NamedTuple

from django.conf import settings
from django.db.models.base import ModelState
from django.utils.translation import to_locale
from wagtail.models import Locale, Page

from . import surrogate_keys
from .memo import KeyedMemo, Memo, cached_function
from .visibility import visibility_for

# A well-formed tag as far as it matters here: a language, then subtags (region,
# script, variant), hyphen-separated. RFC 5646 allows longer ones; none is enabled.
TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")


class LocaleError(ValueError):
    """A locale argument refused: its message names the enabled locales; its code is
    MALFORMED_LOCALE, UNSUPPORTED_LOCALE or TOO_MANY_FALLBACK_LOCALES."""

    def __init__(self, message, code):
        super().__init__(f"{message} Enabled locales: {', '.join(enabled_tags())}.")
        self.code = code


@cached_function(maxsize=100)
def tag_of(language_code):
    """Django's language code as a BCP 47 tag: `en-gb` -> `en-GB`, `zh-hans` -> `zh-Hans`."""
    return to_locale(language_code).replace("_", "-")


def enabled_codes():
    return [code for code, _ in settings.WAGTAIL_CONTENT_LANGUAGES]


def enabled_tags():
    return [tag_of(code) for code in enabled_codes()]


def source_code():
    return enabled_codes()[0]


def code_of(tag, argument="locale"):
    """The enabled language a tag names (its Django code), whatever its case."""
    if not isinstance(tag, str) or not TAG.match(tag):
        raise LocaleError(f"{argument}: {tag!r} is not a BCP 47 language tag.", "MALFORMED_LOCALE")
    code = tag.lower()
    if code not in enabled_codes():
        raise LocaleError(f"{argument}: {tag!r} is not an enabled locale.", "UNSUPPORTED_LOCALE")
    return code


class Chain(NamedTuple):
    """The locale asked for and the codes an item is looked for in, in order."""

    requested: str
    codes: tuple

    @property
    def requested_tag(self):
        return tag_of(self.requested)


def chain_for(locale=None, fallback_locales=None):
    """The chain a request's arguments make; None when they ask for no locale (the
    source language's items as they are, as before languages)."""
    if locale is None and not fallback_locales:
        return None
    requested = source_code() if locale is None else code_of(locale)
    fallbacks = list(fallback_locales or [])
    if len(fallbacks) > len(enabled_codes()):
        raise LocaleError(
            f"fallbackLocales: at most {len(enabled_codes())} (one for each enabled locale), "
            f"not {len(fallbacks)}.",
            "TOO_MANY_FALLBACK_LOCALES",
        )
    codes = [requested, *(code_of(tag, "fallbackLocales") for tag in fallbacks), source_code()]
    return Chain(requested, tuple(dict.fromkeys(codes)))


# Locale rows' language codes by id: the rows are few, made once each and (almost) never
# changed, and a new one is read when first met.
_codes_by_id = Memo(max_size=1_000)


def code_of_locale_id(locale_id):
    """A Locale row's language code, without a query once it is known."""
    code = _codes_by_id.get(locale_id)
    if code is None:
        for pk, language_code in Locale.objects.values_list("pk", "language_code"):
            _codes_by_id.set(pk, language_code)
        code = _codes_by_id.get(locale_id)
    return code


def tag_of_locale_id(locale_id):
    return tag_of(code_of_locale_id(locale_id))


def locale_ids(request, codes):
    """The ids of the Locale rows of these codes, in their order (a code with no row,
    a language enabled but not yet added in the admin, has nothing to find)."""
    by_code = visibility_for(request).locale_ids
    return [by_code[code] for code in codes if code in by_code]


def marked(items, chain):
    """The items as answered for the chain: each in another locale than the one asked
    for, a copy saying which was asked for."""
    asked_for = {}  # by locale id: whether it is the locale asked for
    answered = []
    for item in items:
        if item.locale_id not in asked_for:
            asked_for[item.locale_id] = code_of_locale_id(item.locale_id) == chain.requested
        answered.append(item if asked_for[item.locale_id] else fallen_back(item, chain))
    return answered


def fallen_back(item, chain):
    """A copy of the item saying which locale was asked for: its fields, and a state of
    its own with its own cache of related objects, as copy.copy makes it (Django's
    Model.__getstate__) but without its round trip through the pickling protocol, which
    took eight times as long (for half the items of a list in a language: `make bench`)."""
    copied = type(item).__new__(type(item))
    copied.__dict__.update(item.__dict__)
    copied._state = ModelState()
    copied._state.__dict__.update(item._state.__dict__)
    copied._state.fields_cache = item._state.fields_cache.copy()
    copied.requested_locale = chain.requested_tag
    return copied


# For lists of items in a language (`chosen_ids`), by the site's trees, the chain's
# locales and the items' ids: the id of the version answering each item, and the items'
# surrogate keys (the same for their ids whatever changes: made once, not each request).
# Which versions are visible follows any page's change (publishing, unpublishing or
# moving an ancestor too), or any of a snippet model's: kept with its list key. At most
# 20,000 items' worth.
chosen_versions = KeyedMemo(max_size=20_000, size_of=lambda kept: len(kept[1]))


def chosen_ids(request, items, chain, model):
    """For each item (of `model`: Page for any page, or a snippet's model; each with
    `pk`, `translation_key` and `locale_id`), the id of the version to answer: its
    translation in the chain's first locale that has one visible, else itself. One
    query for the lot, kept until a change to any item of `model` (`chosen_versions`);
    none when the chain holds the source alone. The answer depends on the
    items' translations, published or not yet: their surrogate keys say so."""
    items = list(items)
    ids, source_ids = locale_ids(request, chain.codes), locale_ids(request, [source_code()])
    if not items or ids == source_ids:
        surrogate_keys.record(request, *map(surrogate_keys.translation_key_of, items))
        return tuple(item.pk for item in items)
    rules = visibility_for(request)
    key = (model._meta.label, rules.site_tree_paths, tuple(ids), tuple(item.pk for item in items))
    translation_keys, chosen = chosen_versions.get(
        rules.key_versions,
        key,
        lambda: (
            tuple(map(surrogate_keys.translation_key_of, items)),
            read_chosen_ids(request, items, ids, source_ids, model),
        ),
        lambda _: [surrogate_keys.list_key(model)],
    )
    surrogate_keys.record(request, *translation_keys)
    return chosen


def read_chosen_ids(request, items, ids, source_ids, model):
    """`chosen_ids` read from the database: `ids`, the chain's locales' ids in order."""
    keys = {item.translation_key for item in items}
    if all(item.locale_id in source_ids for item in items):
        # Not their source-language versions: the items are those, the chain's last resort.
        ids_read = [locale_id for locale_id in ids if locale_id not in source_ids]
    else:
        ids_read = ids
    found = model._default_manager.filter(translation_key__in=keys, locale_id__in=ids_read)
    rank = {locale_id: index for index, locale_id in enumerate(ids)}
    best = {}
    rules = visibility_for(request)
    # Rows, not model instances: building a hundred deferred pages cost more than the rest
    # of a list in a language (`make bench`).
    row = PageRow if issubclass(model, Page) else SnippetRow
    visible = rules.page_is_visible if row is PageRow else (lambda version: version.live)
    for version in map(row._make, found.values_list(*row._fields)):
        if not visible(version):
            continue
        kept = best.get(version.translation_key)
        if kept is None or rank[version.locale_id] < rank[kept.locale_id]:
            best[version.translation_key] = version
    return tuple(best.get(item.translation_key, item).pk for item in items)


def in_locale(request, items, chain, fetch=None):
    """The items (of the source language), each as the chain answers it: `fetch(model,
    ids)` reads the versions found in other locales, in one go for each model (default:
    `fetch_versions`)."""
    items = list(items)
    if chain is None:
        return items
    answered = {}
    for model in dict.fromkeys(base_model(type(item)) for item in items):
        group = [item for item in items if base_model(type(item)) is model]
        ids = chosen_ids(request, group, chain, model)
        others = [pk for pk, item in zip(ids, group, strict=True) if pk != item.pk]
        types = {type(item) for item in group}  # a translation is of its source's type
        of_type = types.pop() if len(types) == 1 else model
        fetched = {each.pk: each for each in (fetch or fetch_versions)(of_type, others)}
        for pk, item in zip(ids, group, strict=True):
            answered[id(item)] = fetched.get(pk, item)
    return marked([answered[id(item)] for item in items], chain)


def base_model(model):
    return Page if issubclass(model, Page) else model


def fetch_versions(model, ids):
    """The items of `model` with these ids (pages of several types: each as its own)."""
    if not ids:
        return []
    if model is Page:
        return Page.objects.filter(pk__in=ids).specific()
    return model._default_manager.filter(pk__in=ids)


class PageRow(NamedTuple):
    """A page's version as `chosen_ids` reads it: what the visibility rule reads of it."""

    pk: int
    translation_key: object
    locale_id: int
    live: bool
    expired: bool
    depth: int
    path: str


class SnippetRow(NamedTuple):
    """A snippet's version as `chosen_ids` reads it (its drafts' state)."""

    pk: int
    translation_key: object
    locale_id: int
    live: bool


class InLanguage:
    """For a translatable model's GraphQL fields: its language as a tag, and the one asked
    for where it was answered in a fallback (`marked`)."""

    requested_locale = None

    @property
    def locale_tag(self):
        return tag_of_locale_id(self.locale_id)


def language_of(instance):
    """A translatable item's language (a BCP 47 tag) and the id of its source-language
    version (itself for a source; None when that is gone): ('', None) for anything
    else. The instance in memory is read (a deleted one's too)."""
    if getattr(instance, "translation_key", None) is None or instance.locale_id is None:
        return "", None
    code = code_of_locale_id(instance.locale_id)
    if code == source_code():
        return tag_of(code), instance.pk
    model = Page if isinstance(instance, Page) else type(instance)
    source = model._default_manager.filter(
        translation_key=instance.translation_key, locale__language_code=source_code()
    )
    return tag_of(code), source.values_list("pk", flat=True).first()
