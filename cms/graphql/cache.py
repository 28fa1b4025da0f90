"""A response cache for anonymous GraphQL reads, shared by every app server.

Entries are keyed by the site (the Host header), the operation, the variables and
the query, and stamped with the current *content version*: a token in the shared
cache that any change to published content replaces (after its transaction
commits). Every request reads the version afresh (in the same round trip as its rate
counter, see `shared_state`) and only accepts an entry stamped with it, so a publish
in any process (admin, worker, shell) is seen by every app server on its next request.

Each process also keeps the entries it has served in memory (a bounded LRU): a hit
then costs that one round trip for the version, not the transfer of the body.

The key is tried first for the query exactly as sent (no parsing: the fast path),
then for the query as graphql-core prints it, so queries that differ only in
white space or comments share one entry.
"""

import hashlib
import json
import logging
import threading
import uuid
from functools import lru_cache

from cachetools import TTLCache
from django.conf import settings
from django.core.cache import cache, caches
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django_redis.cache import RedisCache
from graphql import print_schema

logger = logging.getLogger("cms.graphql")

VERSION_KEY = "graphql:content-version"
ENTRY_PREFIX = "graphql:response:2:"  # 2: (version, ETag, body)


def shared_state(counter_key=None, counter_ttl=None):
    """The content version and, given a counter key, that counter after adding one to
    it: one round trip to the shared cache. (None, None) if the cache is unreachable."""
    backend = caches["default"]
    try:
        if isinstance(backend, RedisCache):
            count, version = _redis_round_trip(backend, counter_key, counter_ttl)
        else:
            count = _count(backend, counter_key, counter_ttl) if counter_key else None
            version = backend.get(VERSION_KEY)
    except Exception:  # an unreachable cache costs speed and rate limiting, not answers
        logger.warning("Shared cache unavailable", exc_info=True)
        return None, None
    # Start a version before the query reads the database if there is none yet:
    # a version taken afterwards could stamp content older than itself.
    return count, version or _start_version()


def _redis_round_trip(backend, counter_key, counter_ttl):
    # Django's cache API cannot count and read in one call: a pipeline can.
    client = backend.client
    pipeline = client.get_client(write=True).pipeline(transaction=False)
    if counter_key:
        key = client.make_key(counter_key)
        pipeline.incr(key)
        pipeline.expire(key, counter_ttl)
    pipeline.get(client.make_key(VERSION_KEY))
    *counted, version = pipeline.execute()
    return (counted[0] if counted else None), (None if version is None else client.decode(version))


def _count(backend, key, ttl):
    try:
        return backend.incr(key)
    except ValueError:  # the first count of this key
        return 1 if backend.add(key, 1, ttl) else backend.incr(key)


def _key(host, operation_name, variables, query):
    material = json.dumps(
        [_configuration(), host, operation_name, variables, query], sort_keys=True
    )
    return ENTRY_PREFIX + hashlib.sha256(material.encode()).hexdigest()


@lru_cache(maxsize=1)
def _configuration():
    """A fingerprint of what a response depends on besides content and the request: the
    schema, and the settings it was checked against (limits, introspection, image
    filters). A release that changes either does not serve the responses of the last."""
    from .schema import schema

    configured = {
        name: getattr(settings, name)
        for name in dir(settings)
        if name.startswith("GRAPHQL_") or name == "ALLOWED_IMAGE_FILTERS"
    }
    material = print_schema(schema.graphql_schema) + repr(sorted(configured.items()))
    return hashlib.sha256(material.encode()).hexdigest()


class _InMemory:
    """This process's copies of entries: least recently used out first, bounded in
    bytes, and kept no longer than the shared cache keeps them."""

    def __init__(self):
        self.entries = TTLCache(
            maxsize=settings.GRAPHQL_RESPONSE_MEMORY_BYTES,
            ttl=settings.GRAPHQL_RESPONSE_CACHE_SECONDS,
            getsizeof=_size,
        )
        self.lock = threading.Lock()  # the development server answers in threads

    def get(self, key):
        with self.lock:
            return self.entries.get(key)

    def set(self, key, entry):
        if _size(entry) > self.entries.maxsize:
            return
        with self.lock:
            self.entries[key] = entry


def _size(entry):
    return len(entry[2]) + 200  # the body, and roughly what holds it


_in_memory = None


def in_memory():
    global _in_memory
    if _in_memory is None:
        _in_memory = _InMemory()
    return _in_memory


@receiver(setting_changed)
def _forget_settings(**kwargs):  # settings change at run time in tests only
    global _in_memory
    _configuration.cache_clear()
    _in_memory = None


class ResponseCache:
    """One request's view of the cache, at the content version read for the request.

    An entry is (version, ETag, body)."""

    def __init__(self, request, operation_name, variables, version):
        self.host = request.get_host()
        self.operation_name = operation_name
        self.variables = variables or {}
        self.version = version

    def get(self, query):
        """(ETag, body) of the entry for `query` at this version, or None."""
        if self.version is None:
            return None
        key = _key(self.host, self.operation_name, self.variables, query)
        entry = in_memory().get(key)
        if entry is None or entry[0] != self.version:
            try:
                entry = cache.get(key)
            except Exception:
                logger.warning("GraphQL response cache unavailable", exc_info=True)
                return None
            # A release that changed the entry's shape also changes ENTRY_PREFIX; a
            # value of any other shape is ignored, never served.
            if not (isinstance(entry, tuple) and len(entry) == 3 and entry[0] == self.version):
                return None
            in_memory().set(key, entry)
        return entry[1], entry[2]

    def set(self, queries, etag, body):
        if self.version is None:
            return
        entry = (self.version, etag, body)
        keys = [_key(self.host, self.operation_name, self.variables, q) for q in queries]
        for key in keys:
            in_memory().set(key, entry)
        try:
            cache.set_many(dict.fromkeys(keys, entry), settings.GRAPHQL_RESPONSE_CACHE_SECONDS)
        except Exception:
            logger.warning("GraphQL response cache unavailable", exc_info=True)


def _start_version():
    try:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        return cache.get(VERSION_KEY)
    except Exception:
        return None


def content_changed(**_kwargs):
    """Retire every cached response once the current transaction commits."""
    transaction.on_commit(_bump_version)


def _bump_version():
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except Exception:
        logger.error("Could not retire cached GraphQL responses", exc_info=True)


# Models whose saves and deletes can change what the API serves. Pages are left
# to the publish, unpublish and move signals (saving a draft changes nothing live),
# except deletion, which has no signal of its own.
CONTENT_APPS = {
    "home",
    "principles",
    "news",
    "wagtailimages",
    "wagtaildocs",
    "wagtailredirects",
    "taggit",
}
CONTENT_MODELS = {
    "wagtailcore.site",
    "wagtailcore.collection",
    "wagtailcore.pageviewrestriction",
    "wagtailcore.collectionviewrestriction",
}


def model_changed(sender, signal=None, **kwargs):
    from wagtail.models import Page

    meta = sender._meta
    if issubclass(sender, Page):
        if signal is post_delete:
            content_changed()
    elif meta.app_label in CONTENT_APPS or meta.label_lower in CONTENT_MODELS:
        content_changed()
