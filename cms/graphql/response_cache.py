"""Anonymous GraphQL responses, shared by every app server, each kept until content it
depends on changes.

An entry is keyed by the site (the Host header), the operation, the variables and the
query. It holds the answer, the surrogate keys of what the answer holds
(cms/surrogate_keys.py) and the versions those keys had when it was made. It is served
while it was made at the current content version (cms/content_version.py), or while
none of its keys has been retired since: so a publish retires the answers holding what
it changed and leaves the others cached. Each process also keeps copies of the entries
it served at the current content version in memory (`content_version.responses`): such
a hit costs one round trip, for the version.

The key is tried for the query exactly as sent (no parsing: the fast path), then for
the query as graphql-core prints it, so that queries differing only in layout and
comments share one entry.
"""

import hashlib
import json
import logging
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from graphql import print_schema

from cms.content_version import key_versions, responses

logger = logging.getLogger("cms.graphql")

ENTRY_PREFIX = "graphql:response:4:"  # 4: (content version, ETag, body, {key: version})


class ResponseCache:
    """One request's view of the cache, at the content version it read."""

    def __init__(self, request, operation_name, variables, version):
        self.material = [request.get_host(), operation_name, variables or {}]
        self.version = version

    def key(self, query):
        material = json.dumps([_configuration(), *self.material, query], sort_keys=True)
        return ENTRY_PREFIX + hashlib.sha256(material.encode()).hexdigest()

    def get(self, query):
        """(ETag, body, surrogate keys) of the entry for `query`, if still current."""
        if self.version is None:
            return None
        key = self.key(query)
        found = responses.find(self.version, key)
        if found is not None:
            return found
        try:
            entry = cache.get(key)
            # A value of another shape (an older release's) is ignored, never served.
            if not (isinstance(entry, tuple) and len(entry) == 4):
                return None
            made_at, etag, body, versions = entry
            if made_at != self.version and not self._unchanged(versions):
                return None
        except Exception:
            logger.warning("GraphQL response cache unavailable", exc_info=True)
            return None
        found = (etag, body, sorted(versions))
        responses.keep(self.version, key, found)
        return found

    def _unchanged(self, versions):
        current = key_versions(versions)
        return all(current[key] == version for key, version in versions.items())

    def set(self, queries, etag, body, keys):
        """Keep the answer, unless a change committed while it was made: then it may
        hold what came before, and False says no cache may keep it (a CDN neither)."""
        if self.version is None or settings.GRAPHQL_RESPONSE_CACHE_SECONDS <= 0:
            return True
        try:
            versions = key_versions(keys)
            if versions.pop(None) != self.version:
                return False
            entry_keys = [self.key(query) for query in queries]
            entry = (self.version, etag, body, versions)
            cache.set_many(
                dict.fromkeys(entry_keys, entry), settings.GRAPHQL_RESPONSE_CACHE_SECONDS
            )
        except Exception:
            logger.warning("GraphQL response cache unavailable", exc_info=True)
            return True
        for key in entry_keys:
            responses.keep(self.version, key, (etag, body, sorted(keys)))
        return True


@lru_cache(maxsize=1)
def _configuration():
    """A fingerprint of what a response depends on besides content and the request: the
    schema, and the settings it is checked against (limits, introspection, image
    filters). A release that changes either does not serve the last one's responses."""
    from .schema import schema

    configured = {
        name: getattr(settings, name)
        for name in dir(settings)
        if name.startswith("GRAPHQL_") or name == "ALLOWED_IMAGE_FILTERS"
    }
    material = print_schema(schema.graphql_schema) + repr(sorted(configured.items()))
    return hashlib.sha256(material.encode()).hexdigest()


@receiver(setting_changed)
def _forget_configuration(**kwargs):  # settings change at run time in tests only
    _configuration.cache_clear()
