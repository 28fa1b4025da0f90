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

What each process keeps for the current version is declared beside the code that owns
it (core/memo.py's VersionedMemo): the visibility rule's facts (core/visibility.py), news
list items (news/schema.py), renditions (api/graphql/media.py), pages' parts of answers
(api/graphql/fragments.py) and cached answers (api/graphql/response_cache.py).
"""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .memo import Memo
from .models import Retirement
from .request_context import context_of

logger = logging.getLogger("cms.cache")

VERSION_KEY = "graphql:content-version"
KEY_VERSION_PREFIX = "surrogate-key:"

# This process's last reading of the version, and when it was taken (monotonic seconds).
_last_read = Memo(max_size=1)
# Set while a change this process committed waits to be retired: till then, the process
# trusts nothing kept (core/retirements.py).
_waiting = Memo(max_size=1)


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
    """A new content version, then new versions of these keys (in that order, see
    `key_versions`): nothing kept from before is trusted by any reader. Raises if the
    shared cache did not take them (core/retirements.py tries again)."""
    content, version = uuid.uuid4().hex, uuid.uuid4().hex
    replaced = {KEY_VERSION_PREFIX + key: version for key in keys}
    cache.set(VERSION_KEY, content, None)
    cache.set_many(replaced, None)
    # Production's Redis client ignores its errors (IGNORE_EXCEPTIONS): only what the cache
    # holds now says whether it took these. A change committed elsewhere meanwhile makes
    # this one be tried again, which costs nothing but another version.
    if cache.get_many([VERSION_KEY, *replaced]) != {VERSION_KEY: content, **replaced}:
        raise ConnectionError("The shared cache did not take the new versions.")
    _last_read.set(VERSION_KEY, (content, time.monotonic()))
    _waiting.pop(VERSION_KEY)
