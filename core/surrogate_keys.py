"""Surrogate keys: what an answer depends on, named so that a change can retire exactly
the answers it affects, in the app's response cache and in a CDN.

An answer's keys (recorded while it is made, `record`; those of one part of it, within
a `recording_scope`):
- each object it returned: `page:<id>` for a page of any type, `<app>.<model>:<id>` for
  a snippet, setting, image, document, redirect or tag (a rendition is its image's);
- each list it read, by the types its items may be: `list:<app>.<model>`
  (`list:pages` for Wagtail's base Page); a lookup that found nothing records the
  lists it looked in, or the path (`path:/home/news/x/`) for `page(urlPath:)`, so
  that whatever is published there next retires it;
- each item an answer looked for in a language (core/locales.py), by its translation
  key (`translation:<uuid>`, shared by the item's versions in every language), so that
  publishing a translation retires the answers that fell back for want of it;
- `all`, which a change to sites, collections or view restrictions retires everywhere.

A change retires (`keys_changed_by_*`): a page's key, its descendants' (their URLs and
visibility follow it; not when a live page is published again with the same slug, which
changes neither), their translation keys (not for a minor change published again with
its title kept: its other languages hold its title and URL, and whether they are out of
date) and the lists of their types and of pages; an
object's key, its translation key and the list of its model. Its answers are sent as
`Surrogate-Key` (Fastly), `xkey` (Varnish) and `Cache-Tag` (Cloudflare) headers.
"""

from contextlib import contextmanager

from wagtail.images.models import AbstractRendition
from wagtail.models import Page

from .request_context import context_of

ALL = "all"
PAGES = "list:pages"


def key_for(instance):
    kind = type(instance)
    prefix = _prefixes.get(kind)
    if prefix is None:
        prefix = _prefixes[kind] = _prefix_of(kind)
    if prefix is _RENDITION:
        return f"{instance.image._meta.label_lower}:{instance.image_id}"
    return prefix + str(instance.pk)


# A model's key prefix, by model: key_for runs for every object an answer holds.
_prefixes = {}
_RENDITION = object()  # a rendition's key is its image's


def _prefix_of(model):
    if issubclass(model, Page):
        return "page:"
    if issubclass(model, AbstractRendition):
        return _RENDITION
    return f"{model._meta.label_lower}:"


def list_key(model):
    """The key of lists of `model`'s items (`list:pages` for Page itself)."""
    if model is Page:
        return PAGES
    return f"list:{model._meta.label_lower}"


def translation_key_of(instance):
    """The key of an item in every language: answers that looked for its translations."""
    return f"translation:{instance.translation_key}"


def path_key(url_path):
    """The key of a tree path (`/home/news/x/`) a lookup found nothing at."""
    return f"path:{url_path}"


def record(request, *keys):
    """Keys the answer depends on, and so every part of it being made (`recording_scope`)."""
    for scope in context_of(request).surrogate_key_scopes:
        scope.update(keys)


@contextmanager
def recording_scope(request):
    """The keys recorded inside the `with` block: those one part of the answer depends on
    (api/graphql/fragments.py), recorded for the answer and every enclosing part as well.
    A stack on the request's context, not a contextvar: the keys are the request's, which
    `record` is handed, and `with` blocks nest."""
    scopes = context_of(request).surrogate_key_scopes
    keys = set()
    scopes.append(keys)
    try:
        yield keys
    finally:
        scopes.pop()


def recorded(request):
    """The keys an answer depends on, `all` among them, in a stable order."""
    return sorted(context_of(request).surrogate_key_scopes[0] | {ALL})


def as_headers(keys):
    spaced = " ".join(keys)
    return {"Surrogate-Key": spaced, "xkey": spaced, "Cache-Tag": ",".join(keys)}


def keys_changed_by_page(page, with_descendants=True, with_translation_key=True):
    """A page changed (published, unpublished, moved, renamed, deleted): its key, its
    descendants', and the lists their types are read in. Without descendants: a page
    published again where it was (core/changes.py), which changes nothing below it;
    without its translation key, one published again with a minor change, its title kept,
    which changes nothing its other languages' answers hold of it (whether it is there, its
    title and URL, whether they are out of date)."""
    pages = [page]
    if with_descendants:
        pages += page.get_descendants().specific(defer=True)
    keys = {key_for(each) for each in pages} | {path_key(each.url_path) for each in pages}
    keys |= {list_key(type(each)) for each in pages} | {list_key(page.specific_class), PAGES}
    keys |= {translation_key_of(each) for each in pages if with_translation_key or each != page}
    return keys


def keys_changed_by(instance):
    """A snippet, setting, image, document, redirect or tag changed."""
    keys = {key_for(instance), list_key(type(instance))}
    if getattr(instance, "translation_key", None) is not None:
        keys.add(translation_key_of(instance))
    return keys
