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

What a change is, and which keys it retires, is worked out by the change pipeline
(core/changes.py); replacing the versions is one step of what core/retirements.py
applies, durably, once the change commits.

What each process keeps in memory is declared beside the code that owns it
(core/memo.py). Cached answers (api/graphql/response_cache.py) are held for the current
content version (a VersionedMemo). The rest, the visibility rule's facts
(core/visibility.py), news list items (news/schema.py), renditions
(api/graphql/media.py) and pages' parts of answers (api/graphql/fragments.py), are kept
with the versions of the surrogate keys each depends on (a KeyedMemo), and used while
those are current (`key_versions_for`): a publish retires only what it changed.
"""

import logging
import time
import uuid
from collections import ChainMap

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .memo import Memo
from .models import Retirement
from .request_context import context_of
from .surrogate_keys import ALL

logger = logging.getLogger("cms.cache")

VERSION_KEY = "graphql:content-version"
KEY_VERSION_PREFIX = "surrogate-key:"

# This process's last reading of the version, and when it was taken (monotonic seconds).
_last_read = Memo(max_size=1)
# Set while a change this process committed waits to be retired: till then, the process
# trusts nothing kept (core/retirements.py).
_waiting = Memo(max_size=1)
# What this process knows of the surrogate keys' versions (`KnownVersions`), read afresh
# once a request reads a content version they are not current for.
_known = Memo(max_size=1)
# At most this many keys are known (a few MiB): past it, the next reading starts afresh.
MAX_KNOWN_KEYS = 50_000


def read():
    """The current version, started if there is none yet; None if the cache is down.

    Read from the shared cache at most every CONTENT_VERSION_RECHECK_SECONDS (a change
    made in this process is known at once): a cached answer then costs no round trip,
    and a change elsewhere is seen within that time. A version must exist before a
    request reads the database: one started afterwards could stamp content older than
    itself (and an answer made across a change is never kept: response_cache.py)."""
    if _waiting.get(VERSION_KEY) and not _retired_since():
        return None
    now = time.monotonic()
    version, read_at = _last_read.get(VERSION_KEY) or (None, 0.0)
    if version is not None and now - read_at < settings.CONTENT_VERSION_RECHECK_SECONDS:
        return version
    try:
        version = cache.get(VERSION_KEY) or _start()
    except Exception:  # an unreachable cache costs speed, never answers
        logger.warning("Shared cache unavailable: content version unknown", exc_info=True)
        return None
    _last_read.set(VERSION_KEY, (version, now))
    return version


def version_for(request):
    """The content version what `request` looks up may be kept for (core/memo.py); none
    inside a transaction, where the database may hold changes no version describes yet,
    nor for no request."""
    if request is None or connection.in_atomic_block:
        return None
    return context_of(request).content_version


def distrust_until_retired():
    """A change this process committed could not be retired: until it is, this process
    answers nothing from what it kept (a query each request, while the cache is down)."""
    _waiting.set(VERSION_KEY, True)


def _retired_since():
    if Retirement.objects.filter(step=Retirement.Step.RETIRE).exists():
        return False
    _waiting.pop(VERSION_KEY)
    return True


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


def replace_versions(keys):
    """A new content version, new versions of these keys, then another new content
    version: nothing kept from before is trusted by any reader. The first version comes
    before the keys so that a reader who read them and then finds its version unchanged
    knows none was replaced meanwhile (`key_versions`); the last comes after them so
    that a process reading them after it has them all (`key_versions_for`). Raises if
    the shared cache did not take them (core/retirements.py tries again)."""
    content, version, settled = uuid.uuid4().hex, uuid.uuid4().hex, uuid.uuid4().hex
    replaced = {KEY_VERSION_PREFIX + key: version for key in keys}
    cache.set(VERSION_KEY, content, None)
    cache.set_many(replaced, None)
    cache.set(VERSION_KEY, settled, None)
    # Production's Redis client ignores its errors (IGNORE_EXCEPTIONS): only what the cache
    # holds now says whether it took these. A change committed elsewhere meanwhile makes
    # this one be tried again, which costs nothing but another version.
    if cache.get_many([VERSION_KEY, *replaced]) != {VERSION_KEY: settled, **replaced}:
        raise ConnectionError("The shared cache did not take the new versions.")
    _last_read.set(VERSION_KEY, (settled, time.monotonic()))
    _waiting.pop(VERSION_KEY)


class KnownVersions:
    """This process's copy of surrogate keys' versions: those of the keys what it keeps
    depends on, read together, after the content version `read_at`. Current for a
    request whose content version is `read_at`, or older (`current_for`)."""

    def __init__(self, versions, read_at, current_for):
        self.versions = versions  # key -> version (None: never retired)
        self.read_at = read_at
        self.current_for = current_for


class KeyVersions:
    """One request's view of the key versions, at the content version it read: whether
    what was kept is still current (`hold`), and the versions to keep what it makes with
    (`of`). core/memo.py's KeyedMemo asks it."""

    def __init__(self, version, known):
        self.version = version
        self.known = known

    def hold(self, versions):
        """Whether every key of `versions` still has that version."""
        known = self.known.versions
        return all(known.get(key, _UNKNOWN) == version for key, version in versions.items())

    def of(self, key_sets):
        """{key: version} for each set of keys (`all` added to each: a change to sites,
        collections or view restrictions retires everything), for what this request
        made from the database; or None if it may not be kept.

        Keys already known are taken as known: they were read after this request's
        content version, before it read the database. Others are read in one look-up,
        with the content version after them: if it is still this request's, no change
        was retired between its reading the database and now."""
        try:
            return self._versions(key_sets, reread=False)
        except Exception:  # an unreachable cache costs speed, never answers
            logger.warning("Shared cache unavailable: nothing kept", exc_info=True)
            return None

    def of_answer(self, keys):
        """{key: version} for an answer's keys, as `of` gives them, but with the content
        version read again even when every key is known: None if a change committed
        while the answer was made (a CDN told to purge before it has the answer would
        keep it). Raises if the shared cache is down."""
        versions = self._versions([keys], reread=True)
        return None if versions is None else versions[0]

    def _versions(self, key_sets, reread):
        known = self.known
        if known.read_at != self.version:  # read before this request or after a change
            return None
        needed = set().union(*key_sets) | {ALL}
        unknown = [key for key in needed if key not in known.versions]
        read = {}
        if unknown or reread:
            found = cache.get_many([KEY_VERSION_PREFIX + key for key in unknown] + [VERSION_KEY])
            if found.get(VERSION_KEY) != self.version:
                return None
            read = {key: found.get(KEY_VERSION_PREFIX + key) for key in unknown}
            if len(known.versions) < MAX_KNOWN_KEYS:
                known.versions.update(read)
        # A ChainMap's look-ups are Python's: the known versions alone where none was read.
        versions = ChainMap(read, known.versions) if read else known.versions
        return [{key: versions[key] for key in (*keys, ALL)} for keys in key_sets]


_UNKNOWN = object()


def key_versions_for(request):
    """The request's view of the surrogate keys' versions (`KeyVersions`), or None where
    nothing may be kept or used (`version_for`; the shared cache down).

    The first request at a content version this process's copy is not current for reads
    every key it knows again, in one look-up, the content version first: a change
    replaces its keys before its last content version, so the copy holds every change
    up to the version read (one still being replaced is read again with the next)."""
    version = version_for(request)
    if version is None:
        return None
    known = _known.get(VERSION_KEY)
    if known is None or version not in known.current_for:
        keys = (
            [] if known is None or len(known.versions) >= MAX_KNOWN_KEYS else list(known.versions)
        )
        try:
            found = cache.get_many([VERSION_KEY] + [KEY_VERSION_PREFIX + key for key in keys])
        except Exception:  # an unreachable cache costs speed, never answers
            logger.warning("Shared cache unavailable: key versions unknown", exc_info=True)
            return None
        read_at = found.get(VERSION_KEY)
        if read_at is None:
            return None
        versions = {key: found.get(KEY_VERSION_PREFIX + key) for key in keys}
        known = KnownVersions(versions, read_at, frozenset({version, read_at}))
        _known.set(VERSION_KEY, known)
    return KeyVersions(version, known)
