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

What each process keeps for the current version is declared beside the code that owns
it (core/memo.py's VersionedMemo): the visibility rule's facts (core/visibility.py), news
list items (news/schema.py), renditions (api/graphql/media.py), pages' parts of answers
(api/graphql/fragments.py) and cached answers (api/graphql/response_cache.py).
"""

import logging
import time
import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from . import cdn
from .memo import Memo
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


# This process's last reading of the version, and when it was taken (monotonic seconds).
_last_read = Memo(max_size=1)


def read():
    """The current version, started if there is none yet; None if the cache is down.

    Read from the shared cache at most every CONTENT_VERSION_RECHECK_SECONDS (a change
    made in this process is known at once): a cached answer then costs no round trip,
    and a change elsewhere is seen within that time. A version must exist before a
    request reads the database: one started afterwards could stamp content older than
    itself (and an answer made across a change is never kept: response_cache.py)."""
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
        _last_read.set(VERSION_KEY, (content, time.monotonic()))
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
