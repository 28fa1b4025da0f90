"""Anonymous GraphQL responses, shared by every app server, each kept until content it
depends on changes.

An entry is keyed by the site (the Host header), the operation, the variables and the
query. It holds the answer, the surrogate keys of what the answer holds
(core/surrogate_keys.py) and the versions those keys had when it was made. It is served
while it was made at the current content version (core/content_version.py), or while
none of its keys has been retired since: so a publish retires the answers holding what
it changed and leaves the others cached. Each process also keeps copies of the entries
it served at the current content version in memory (`responses`): such
a hit costs no round trip (but for the version, at most every
CONTENT_VERSION_RECHECK_SECONDS). An entry is held there as served (`Answer`): its
headers are made once, not for every request it answers.

The key is tried for the query exactly as sent (no parsing: the fast path), then for
the query as graphql-core prints it, so that queries differing only in layout and
comments share one entry.

Each process also remembers which entry a request sent exactly so (method, host,
content type, query string and body alike) asks for, once it has admitted one and held
its answer (`recall`): the view's admission and this key depend on nothing else but the
settings (forgotten when they change) and which persisted queries are trusted (trust is
granted, never withdrawn), so such a request is answered without admitting it again or
making its key.

Neither the key nor `recall` reads the Accept header: an entry is the answer's body,
which is the same in both media types (media_types.py), and each request is served it
with the Content-Type and ETag of the media type it accepts (`Answer.response`).
"""

import hashlib
import json
import logging
from functools import cached_property
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from graphql import print_schema

from core.caching import cdn_headers
from core.content_version import key_versions, key_versions_for
from core.memo import Memo, VersionedMemo, cached_function

from .media_types import MEDIA_TYPES, content_type, etag_for

logger = logging.getLogger("cms.graphql")

ENTRY_PREFIX = "graphql:response:4:"  # 4: (content version, ETag, body, {key: version})

# A digest of a request as sent -> the key of the entry it asks for; bounded, as requests
# come from anyone (a few hundred bytes an entry).
_asked_for = Memo(max_size=10_000)


class Answer(NamedTuple):
    """A cached answer as served, its headers in each media type made once (`responses`
    holds these, counted by `size`)."""

    etag: str  # the body's
    body: bytes
    keys: list  # its surrogate keys, sorted
    headers: dict  # media type -> the headers it is served with in that media type

    @classmethod
    def of(cls, etag, body, keys):
        cdn = cdn_headers(keys)
        headers = {
            media_type: {
                "Content-Type": content_type(media_type),
                "ETag": etag_for(etag, media_type),
                **cdn,
            }
            for media_type in MEDIA_TYPES
        }
        return cls(etag, body, keys, headers)

    @property
    def size(self):
        """Bytes held: the body, the headers, and about what holds them."""
        held = sum(len(value) for headers in self.headers.values() for value in headers.values())
        return len(self.body) + held + 300

    def response(self, media_type):
        return HttpResponse(self.body, headers=self.headers[media_type])


# Cached answers as served, kept for the content version: at most
# GRAPHQL_RESPONSE_MEMORY_BYTES of them.
responses = VersionedMemo(
    max_size=lambda: settings.GRAPHQL_RESPONSE_MEMORY_BYTES, size_of=lambda answer: answer.size
)


def recall(request, version):
    """The answer held at `version` for a request sent exactly as one admitted and
    answered from the cache before, or None."""
    key = _asked_for.get(_digest_as_sent(request))
    return None if key is None else responses.find(version, key)


def _digest_as_sent(request):
    """A digest of what the view's admission and the entry's key read from a request
    whose method, content type and length have passed: the method, the host, the content
    type (its charset decodes the query string), the query string and a POST's body."""
    meta = request.META
    heading = (
        request.method,
        request.get_host(),
        meta.get("CONTENT_TYPE", ""),
        meta.get("QUERY_STRING", ""),
    )
    body = request.body if request.method == "POST" else b""
    # repr quotes each part: no two requests' parts run together into the same bytes.
    return hashlib.sha256(repr(heading).encode() + body).digest()


class ResponseCache:
    """One request's view of the cache, at the content version it read."""

    def __init__(self, request, operation_name, variables, version):
        self.request = request
        self.material = [request.get_host(), operation_name, variables or {}]
        self.version = version
        self.fetched = {}  # entries fetched ahead of the `get` asking for them, by key

    def key(self, query):
        material = json.dumps([_configuration(), *self.material, query], sort_keys=True)
        return ENTRY_PREFIX + hashlib.sha256(material.encode()).hexdigest()

    def get(self, query, then=None):
        """The `Answer` of the entry for `query`, if still current. `then`: the query the
        next `get` will ask for (the same query as printed, where this process knows it),
        its entry fetched in the same look-up: a miss costs one round trip, not two."""
        if self.version is None:
            return None
        key = self.key(query)
        found = responses.find(self.version, key)
        if found is None:
            ahead = [] if then in (None, query) else [self.key(then)]
            found = self._fetch(key, ahead)
            if found is None:
                return None
            responses.keep(self.version, key, found)
        self._asks_for(key)
        return found

    def _fetch(self, key, ahead=()):
        try:
            if key not in self.fetched:
                self.fetched = dict.fromkeys([key, *ahead]) | cache.get_many([key, *ahead])
            entry = self.fetched.pop(key)
            # A value of another shape (an older release's) is ignored, never served.
            if not (isinstance(entry, tuple) and len(entry) == 4):
                return None
            made_at, etag, body, versions = entry
            if made_at != self.version and not self._unchanged(versions):
                return None
        except Exception:
            logger.warning("GraphQL response cache unavailable", exc_info=True)
            return None
        return Answer.of(etag, body, sorted(versions))

    def _unchanged(self, versions):
        current = key_versions(versions)
        return all(current[key] == version for key, version in versions.items())

    def set(self, queries, etag, body, keys):
        """Keep the answer, and return it as a cache serves it; unless a change committed
        while it was made: then it may hold what came before, and None says no cache may
        keep it (a CDN neither)."""
        answer = Answer.of(etag, body, sorted(keys))
        if self.version is None or settings.GRAPHQL_RESPONSE_CACHE_SECONDS <= 0:
            return answer
        try:
            versions = self._versions_of(keys)
            if versions is None:
                return None
            entry_keys = [self.key(query) for query in queries]
            entry = (self.version, etag, body, versions)
            cache.set_many(
                dict.fromkeys(entry_keys, entry), settings.GRAPHQL_RESPONSE_CACHE_SECONDS
            )
        except Exception:
            logger.warning("GraphQL response cache unavailable", exc_info=True)
            return answer
        for key in entry_keys:
            responses.keep(self.version, key, answer)
        self._asks_for(entry_keys[0])
        return answer

    def _versions_of(self, keys):
        """{key: version} for the answer's keys, or None if a change committed while it
        was made. The versions this process knows are taken (read after the request's
        content version, before it read the database: `KeyVersions`), the others read,
        and the content version read again after them: if it is still the request's, no
        change was retired meanwhile. Inside a transaction, where the request has no
        `KeyVersions`, every key is read."""
        request_versions = key_versions_for(self.request)
        if request_versions is None:
            versions = key_versions(keys)
            return versions if versions.pop(None) == self.version else None
        return request_versions.of_answer(keys)

    def _asks_for(self, key):
        """Remember that this request, sent exactly so again, asks for the entry `key`."""
        _asked_for.set(self._digest_as_sent, key)

    @cached_property
    def _digest_as_sent(self):
        return _digest_as_sent(self.request)


@cached_function(maxsize=1)
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
