"""Anonymous GraphQL responses, shared by every app server and kept per content version.

An entry is keyed by the site (the Host header), the operation, the variables and the
query, and stamped with the content version the request read (cms/content_version.py):
only an entry stamped with the current version is served, so a publish anywhere is seen
on the next request. Each process also keeps copies of the entries it served in memory
(`content_version.responses`): a hit then costs one round trip, for the version.

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

from cms.content_version import responses

logger = logging.getLogger("cms.graphql")

ENTRY_PREFIX = "graphql:response:3:"  # 3: (version, ETag, body)


class ResponseCache:
    """One request's view of the cache, at the content version it read."""

    def __init__(self, request, operation_name, variables, version):
        self.material = [request.get_host(), operation_name, variables or {}]
        self.version = version

    def key(self, query):
        material = json.dumps([_configuration(), *self.material, query], sort_keys=True)
        return ENTRY_PREFIX + hashlib.sha256(material.encode()).hexdigest()

    def get(self, query):
        """(ETag, body) of the entry for `query` at this version, or None."""
        if self.version is None:
            return None
        key = self.key(query)
        found = responses.find(self.version, key)
        if found is not None:
            return found
        try:
            entry = cache.get(key)
        except Exception:
            logger.warning("GraphQL response cache unavailable", exc_info=True)
            return None
        # A value of another shape (an older release's) is ignored, never served.
        if not (isinstance(entry, tuple) and len(entry) == 3 and entry[0] == self.version):
            return None
        responses.keep(self.version, key, entry[1:])
        return entry[1:]

    def set(self, queries, etag, body):
        if self.version is None or settings.GRAPHQL_RESPONSE_CACHE_SECONDS <= 0:
            return
        keys = [self.key(query) for query in queries]
        for key in keys:
            responses.keep(self.version, key, (etag, body))
        entry = (self.version, etag, body)
        try:
            cache.set_many(dict.fromkeys(keys, entry), settings.GRAPHQL_RESPONSE_CACHE_SECONDS)
        except Exception:
            logger.warning("GraphQL response cache unavailable", exc_info=True)


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
