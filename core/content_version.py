"""The content version, and what each change to published content retires.

The content version is one token in the shared cache that every change replaces once
its transaction commits. Every API request reads it once (`read`): what this process
keeps for it (the memos below) is kept for that version only, so a publish in any
process (the admin, the task worker, a shell) is seen by every app server on its next
request.

A change also retires the surrogate keys it affects (core/surrogate_keys.py): each key
has a version of its own in the shared cache, replaced after the content version, so a
cached answer whose keys are all unchanged outlives an unrelated publish
(api/graphql/response_cache.py), and the CDN is told to purge those keys (core/cdn.py).

What changes what (`connect_signals`, one receiver a model, with `sender=`):
- a page published, unpublished, moved, renamed or deleted (saving a draft changes
  nothing live): it, its descendants, and the lists they are read in;
- a snippet, setting, inline item, tag, image, document or redirect saved or deleted:
  it and the lists of its model;
- a site, collection or view restriction: everything.

The per-process memos kept for the current version, each bounded (keys come from
requests, the Host header among them):
- `facts`: what the visibility rule looks up (site roots, hidden subtrees, public
  collections, pages by path) and the counts of lists, at most 10,000 facts;
- `responses`: copies of cached GraphQL responses as served (bodies and headers), at
  most GRAPHQL_RESPONSE_MEMORY_BYTES bytes;
- `items`: list items as read from the database with the rows their fields read (news
  pages with their hero images and tags: news/schema.py; the renditions of a list's
  images: api/graphql/media.py), at most 500 entries (a news page: about 10 KiB);
- `fragments`: each page's part of GraphQL answers, with the surrogate keys it
  recorded (api/graphql/fragments.py), at most 4 MiB of them as JSON (some three
  times that in memory; a news item of the documented list: 600 bytes).
Each drops the least recently used past its bound.
"""

import logging
import threading
import time
import uuid

from cachetools import LRUCache
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import cdn
from .request_context import context_of
from .surrogate_keys import ALL, keys_changed_by, keys_changed_by_page

logger = logging.getLogger("cms.cache")

VERSION_KEY = "graphql:content-version"
KEY_VERSION_PREFIX = "surrogate-key:"

# Apps whose every model is content the APIs serve.
CONTENT_APPS = ("home", "principles", "news", "taggit", "wagtailredirects", "wagtaildocs")
CONTENT_MODELS = ("wagtailimages.Image",)
# Models that change what every answer may hold: the site's tree, who may see what.
EVERYTHING_MODELS = (
    "wagtailcore.Site",
    "wagtailcore.Collection",
    "wagtailcore.PageViewRestriction",
    "wagtailcore.CollectionViewRestriction",
)


class _Recent:
    """This process's last reading of the version, and when it was taken."""

    version = None
    read_at = 0.0


def read():
    """The current version, started if there is none yet; None if the cache is down.

    Read from the shared cache at most every CONTENT_VERSION_RECHECK_SECONDS (a change
    made in this process is known at once): a cached answer then costs no round trip,
    and a change elsewhere is seen within that time. A version must exist before a
    request reads the database: one started afterwards could stamp content older than
    itself (and an answer made across a change is never kept: response_cache.py)."""
    now = time.monotonic()
    if (
        _Recent.version is not None
        and now - _Recent.read_at < settings.CONTENT_VERSION_RECHECK_SECONDS
    ):
        return _Recent.version
    try:
        version = cache.get(VERSION_KEY) or _start()
    except Exception:  # an unreachable cache costs speed, never answers
        logger.warning("Shared cache unavailable: content version unknown", exc_info=True)
        return None
    _Recent.version, _Recent.read_at = version, now
    return version


def version_for(request):
    """The content version what `request` looks up may be kept for (the memos below); none
    inside a transaction, where the database may hold changes no version describes yet,
    nor for no request."""
    if request is None or connection.in_atomic_block:
        return None
    return context_of(request).content_version


def _start():
    cache.add(VERSION_KEY, uuid.uuid4().hex, None)
    return cache.get(VERSION_KEY)


def key_versions(keys):
    """{key: its version} for surrogate keys (None: never retired), and the content
    version under None, read after them: if it is still the version a request started
    with, no change committed in between retired any of these keys."""
    found = cache.get_many([KEY_VERSION_PREFIX + key for key in keys] + [VERSION_KEY])
    versions = {key: found.get(KEY_VERSION_PREFIX + key) for key in keys}
    versions[None] = found.get(VERSION_KEY)
    return versions


def retire(keys):
    """Once the transaction commits: a new content version, then new versions of these
    keys (in that order, see `key_versions`), then the CDN's purge."""
    transaction.on_commit(lambda: _retire(frozenset(keys)))


def _retire(keys):
    try:
        content = uuid.uuid4().hex
        cache.set(VERSION_KEY, content, None)
        _Recent.version, _Recent.read_at = content, time.monotonic()
        version = uuid.uuid4().hex
        cache.set_many({KEY_VERSION_PREFIX + key: version for key in keys}, None)
    except Exception:
        logger.error("Could not retire what was kept for %s", " ".join(sorted(keys)), exc_info=True)
    cdn.purge(keys)


def page_changed(sender, instance, signal, **kwargs):
    # A deleted page sends post_delete for each table of its class: answer its own.
    if signal is post_delete and type(instance) is not instance.specific_class:
        return
    retire(keys_changed_by_page(instance))


def object_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        retire(keys_changed_by(instance))


def everything_changed(sender, raw=False, **kwargs):
    if not raw:
        retire({ALL})


def content_models():
    """The models whose saves and deletes change what the APIs serve (pages aside)."""
    from wagtail.models import Page

    models = [model for label in CONTENT_APPS for model in apps.get_app_config(label).get_models()]
    models += [apps.get_model(label) for label in CONTENT_MODELS]
    return [model for model in models if not issubclass(model, Page)]


def connect_signals():
    from wagtail.models import get_page_models
    from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

    uid = "content-version"
    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(page_changed, dispatch_uid=uid)
    for model in get_page_models():
        post_delete.connect(page_changed, sender=model, dispatch_uid=uid)
    for model in content_models():
        post_save.connect(object_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(object_changed, sender=model, dispatch_uid=uid)
    for label in EVERYTHING_MODELS:
        post_save.connect(everything_changed, sender=apps.get_model(label), dispatch_uid=uid)
        post_delete.connect(everything_changed, sender=apps.get_model(label), dispatch_uid=uid)


class VersionedMemo:
    """Values this process keeps for one content version, dropped when it changes.

    Bounded: past `max_size` (counted by `size_of`) the least recently used go first.
    Never used without a version (the cache is down)."""

    def __init__(self, max_size, size_of=None):
        self.max_size = max_size
        self.size_of = size_of
        self.lock = threading.Lock()  # the development server answers in threads
        self.clear()

    def clear(self):
        self.version = None
        self.values = LRUCache(maxsize=self.max_size, getsizeof=self.size_of)

    def get(self, version, key, compute):
        value = self.find(version, key)
        if value is None:
            value = compute()
            self.keep(version, key, value)
        return value

    def find(self, version, key):
        if version is None:
            return None
        with self.lock:
            return self.values.get(key) if self.version == version else None

    def keep(self, version, key, value):
        if version is None or value is None:
            return
        with self.lock:
            if self.version != version:
                self.clear()
                self.version = version
            if self.values.getsizeof(value) <= self.max_size:
                self.values[key] = value


facts = VersionedMemo(max_size=10_000)
items = VersionedMemo(max_size=500)
fragments = VersionedMemo(
    max_size=4 * 2**20,
    size_of=lambda kept: kept[2],  # (answer, surrogate keys, their size as JSON)
)
responses = VersionedMemo(
    max_size=settings.GRAPHQL_RESPONSE_MEMORY_BYTES,
    size_of=lambda answer: answer.size,  # response_cache.Answer: its body and headers
)


@receiver(setting_changed)
def _forget(setting, **kwargs):  # settings change at run time in tests only
    responses.max_size = settings.GRAPHQL_RESPONSE_MEMORY_BYTES
    _Recent.version = None
    facts.clear()
    items.clear()
    fragments.clear()
    responses.clear()
