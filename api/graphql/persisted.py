"""Persisted queries: a GraphQL document known by the SHA-256 of its text.

- Automatic persisted queries (Apollo's protocol): a client sends
  `extensions.persistedQuery.sha256Hash` without the query, so that a read is a short
  GET URL a CDN can cache. An unknown hash is answered `PersistedQueryNotFound`
  (code PERSISTED_QUERY_NOT_FOUND); the client then sends the query with its hash,
  which is checked against the text and, once the query has validated, kept: in the
  database (api.models.PersistedQuery), so a cache flush loses nothing, in the shared
  cache and in each process's memory.
- Trusted documents: `manage.py register_documents` imports a front end's manifest
  (hash -> document, as graphql-codegen's client preset writes it with
  `persistedDocuments`) and docs/queries/. With GRAPHQL_TRUSTED_DOCUMENTS_ONLY on, only
  those run, sent by hash or in full; anything else is refused (UNTRUSTED_DOCUMENT).
"""

import hashlib
import logging
import re

from django.conf import settings
from django.core.cache import cache

from api.models import PersistedQuery
from core.errors import Refused
from core.memo import Memo

from .errors import RequestError

logger = logging.getLogger("cms.graphql")

CACHE_PREFIX = "graphql:persisted:"
SHA256 = re.compile(r"^[0-9a-f]{64}$")

# hash -> (query, trusted): a hash names one text for ever, so a copy never goes stale
# but for `trusted`, which is read again where it matters. Bounded by the texts' length.
_known = Memo(max_size=5_000_000, size_of=lambda held: len(held[0]) + 100)


class PersistedQueryNotFound(RequestError):
    def __init__(self):
        # The message is the protocol's: Apollo's link retries with the query on it (in
        # application/json, with the 200 that protocol began with).
        super().__init__(404, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")


def sha256_of(query):
    return hashlib.sha256(query.encode()).hexdigest()


def requested_hash(extensions):
    """The hash of `extensions.persistedQuery`, or None when the request names none."""
    if not extensions:
        return None
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if persisted is None:
        return None
    if not isinstance(persisted, dict):
        persisted = {"version": None}
    sha = persisted.get("sha256Hash")
    if persisted.get("version", 1) != 1 or not isinstance(sha, str) or not SHA256.match(sha):
        raise Refused(
            400,
            "extensions.persistedQuery must be {version: 1, sha256Hash: <64 hex digits>}.",
            "BAD_REQUEST",
        )
    return sha


def query_to_run(query, sha):
    """The text to run for a request's query and persisted-query hash (either may be
    None): Refused if the hash is unknown or wrong, or the document is not trusted where
    only trusted documents may run."""
    trusted_only = settings.GRAPHQL_TRUSTED_DOCUMENTS_ONLY
    if sha is None:
        if trusted_only and not query_is_trusted(query):
            raise untrusted()
        return query
    if query:
        if sha256_of(query) != sha:
            raise Refused(400, "provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH")
        if trusted_only and not query_is_trusted(query):
            raise untrusted()
        return query
    found = find(sha)
    if found is None:
        raise PersistedQueryNotFound()
    query, trusted = found
    if trusted_only and not trusted:
        raise untrusted()
    return query


def untrusted():
    return RequestError(
        403,
        "Only the council's registered queries run here: register yours with "
        "`manage.py register_documents` (see docs/frontend.md).",
        "UNTRUSTED_DOCUMENT",
    )


def query_is_trusted(query):
    found = find(sha256_of(query))
    return found is not None and found[1]


def find(sha):
    """(query, trusted) for a hash: from this process, the shared cache or the database."""
    held = _known.get(sha)
    if held is not None and (held[1] or not settings.GRAPHQL_TRUSTED_DOCUMENTS_ONLY):
        return held
    try:
        held = cache.get(CACHE_PREFIX + sha)
    except Exception:  # an unreachable cache: the database answers
        held = None
    if held is None:
        row = PersistedQuery.objects.filter(sha256=sha).values_list("query", "trusted").first()
        if row is None:
            return None
        held = tuple(row)
        _share(sha, held)
    _known.set(sha, held)
    return held


def remember(sha, query):
    """Keep a query a client registered (with its hash, checked) once it has validated."""
    if find(sha) is None:
        PersistedQuery.objects.get_or_create(sha256=sha, defaults={"query": query})
        _share(sha, (query, False))


def register(documents):
    """Trust these documents (hash -> text); (added, already there). A hash that is not
    the SHA-256 of its text is refused (ValueError) before anything is written."""
    for sha, query in documents.items():
        if sha256_of(query) != sha:
            raise ValueError(f"{sha} is not the SHA-256 of its document.")
    added = 0
    for sha, query in documents.items():
        _, created = PersistedQuery.objects.update_or_create(
            sha256=sha, defaults={"query": query, "trusted": True}
        )
        added += created
        _share(sha, (query, True))
        _known.pop(sha)
    return added, len(documents) - added


def _share(sha, held):
    try:
        cache.set(CACHE_PREFIX + sha, held, None)
    except Exception:  # the database keeps it: the next request reads it there
        logger.warning("Shared cache unavailable: persisted query not shared", exc_info=True)
