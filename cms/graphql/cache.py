"""A response cache for anonymous GraphQL reads, shared by every app server.

Entries are keyed by the site (the Host header), the operation, the variables and
the query, and stamped with the current *content version*: a token in the same
shared cache that any change to published content replaces (after its transaction
commits). A lookup fetches the version and the entry in one round trip and only
accepts an entry stamped with the current version, so a publish in any process
(admin, worker, shell) is seen by every app server on its next request.

The key is tried first for the query exactly as sent (no parsing: the fast path),
then for the query as graphql-core prints it, so queries that differ only in
white space or comments share one entry.
"""

import hashlib
import json
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete

logger = logging.getLogger("cms.graphql")

VERSION_KEY = "graphql:content-version"


def _key(host, operation_name, variables, query):
    material = json.dumps([host, operation_name, variables, query], sort_keys=True)
    return "graphql:response:" + hashlib.sha256(material.encode()).hexdigest()


class ResponseCache:
    """One request's view of the cache."""

    def __init__(self, request, operation_name, variables):
        self.host = request.get_host()
        self.operation_name = operation_name
        self.variables = variables or {}
        self.version = None

    def get(self, query):
        key = _key(self.host, self.operation_name, self.variables, query)
        try:
            found = cache.get_many([VERSION_KEY, key])
        except Exception:  # an unreachable cache only costs speed
            logger.warning("GraphQL response cache unavailable", exc_info=True)
            return None
        # Start a version before the query reads the database if there is none yet:
        # a version taken afterwards could stamp content older than itself.
        self.version = found.get(VERSION_KEY) or _start_version()
        entry = found.get(key)
        if entry and self.version is not None and entry[0] == self.version:
            return entry[1]
        return None

    def set(self, queries, body):
        if self.version is None:
            return
        entry = (self.version, body)
        timeout = settings.GRAPHQL_RESPONSE_CACHE_SECONDS
        try:
            cache.set_many(
                {_key(self.host, self.operation_name, self.variables, q): entry for q in queries},
                timeout,
            )
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
