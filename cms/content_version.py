"""The content version: one token in the shared cache that every change to published
content replaces, once its transaction commits.

Every API request reads it once (`read`), and whatever is kept for it is kept for that
version only: the GraphQL response cache (cms/graphql/response_cache.py) and the
per-process memos below. So a publish in any process (the admin, the task worker, a
shell) is seen by every app server on its next request.

What changes it (`connect_signals`, one receiver a model, with `sender=`):
- pages: publish, unpublish, move, delete (saving a draft changes nothing live);
- the content apps' other models (snippets, settings, inline items, tags), images,
  documents, redirects, sites, collections and view restrictions: save and delete.

The per-process memos kept for the current version, each bounded (keys come from
requests, the Host header among them):
- `facts`: what the visibility rule looks up (site roots, hidden subtrees, public
  collections, pages by path), at most 10,000 facts;
- `responses`: copies of cached GraphQL responses, at most
  GRAPHQL_RESPONSE_MEMORY_BYTES bytes of bodies.
Both drop the least recently used past their bound.
"""

import logging
import threading
import uuid

from cachetools import LRUCache
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

logger = logging.getLogger("cms.cache")

VERSION_KEY = "graphql:content-version"

# Apps whose every model is content the APIs serve.
CONTENT_APPS = ("home", "principles", "news", "taggit", "wagtailredirects", "wagtaildocs")
CONTENT_MODELS = (
    "wagtailimages.Image",
    "wagtailcore.Site",
    "wagtailcore.Collection",
    "wagtailcore.PageViewRestriction",
    "wagtailcore.CollectionViewRestriction",
)


def read():
    """The current version, started if there is none yet; None if the cache is down.

    A version must exist before a request reads the database: one started afterwards
    could stamp content older than itself."""
    try:
        return cache.get(VERSION_KEY) or _start()
    except Exception:  # an unreachable cache costs speed, never answers
        logger.warning("Shared cache unavailable: content version unknown", exc_info=True)
        return None


def _start():
    cache.add(VERSION_KEY, uuid.uuid4().hex, None)
    return cache.get(VERSION_KEY)


def changed(**_signal):
    """Retire everything kept for the current version once the transaction commits."""
    transaction.on_commit(_bump)


def _bump():
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except Exception:
        logger.error("Could not retire what was kept for the content version", exc_info=True)


def content_models():
    """The models whose saves and deletes change what the APIs serve (pages aside)."""
    from wagtail.models import Page

    models = [model for label in CONTENT_APPS for model in apps.get_app_config(label).get_models()]
    models += [apps.get_model(label) for label in CONTENT_MODELS]
    return [model for model in models if not issubclass(model, Page)]


def connect_signals():
    from wagtail.models import get_page_models
    from wagtail.signals import page_published, page_unpublished, post_page_move

    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(changed, dispatch_uid="content-version")
    for model in get_page_models():
        # A deleted page has no signal of its own.
        post_delete.connect(changed, sender=model, dispatch_uid="content-version")
    for model in content_models():
        post_save.connect(changed, sender=model, dispatch_uid="content-version")
        post_delete.connect(changed, sender=model, dispatch_uid="content-version")


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
responses = VersionedMemo(
    max_size=settings.GRAPHQL_RESPONSE_MEMORY_BYTES,
    size_of=lambda entry: len(entry[1]) + 200,  # (ETag, body): the body and what holds it
)


@receiver(setting_changed)
def _forget(setting, **kwargs):  # settings change at run time in tests only
    responses.max_size = settings.GRAPHQL_RESPONSE_MEMORY_BYTES
    facts.clear()
    responses.clear()
