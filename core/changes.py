"""One change pipeline: what a change to content is, worked out once, then handed to each
subscriber in the order of STAGES.

Connected once per model, with `sender=` (`connect`):
- a page published, unpublished, moved, renamed (its slug) or deleted, or an alias of one
  created live (a translation's parents, made with it); saving a draft
  changes nothing live; a live page published again changes nothing below it;
- a snippet with draft state published or unpublished; any other snippet saved; a
  snippet deleted; a setting saved;
- any other model whose rows the APIs serve (inline items, tags, images, documents,
  redirects) saved or deleted;
- a site, collection or view restriction saved or deleted: that changes everything.

Each becomes a `ContentChange`: the surrogate keys it retires (core/surrogate_keys.py);
the event it makes for the changes feed and the webhooks, if any; and, for a page, where
an anonymous reader could see it before and after (by the visibility rule,
core/visibility.py). A content app says its models are content (`serve_app`) and a
feature app subscribes to the stage it belongs to (`subscribe`), each from its
AppConfig.ready: the platform imports none of them.

Changes made together (a release's items, published in one transaction) are collected
under `together(...)` and handed on as one `ChangeGroup` when the block ends: a stage
that subscribed a handler for groups gets the group once (one retirement of all their
keys, one event for the release), any other handler each change of it in turn.
"""

import contextvars
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from .surrogate_keys import ALL, keys_changed_by, keys_changed_by_page
from .visibility import is_public, site_relative_path

logger = logging.getLogger("cms.changes")

# The order subscribers are handed a change in:
STAGES = (
    # review dates and public change notes (governance/): before anything is told of it
    "governance",
    # the content version, the surrogate keys and the CDN's purge, recorded in the
    # change's own transaction and applied once it commits (core/retirements.py)
    "retirement",
    # the changes feed and the webhooks (webhooks/), once what the change retires is known
    "events",
)
# Filled as the project starts (AppConfig.ready), before any request or thread reads it.
_subscribers = {stage: [] for stage in STAGES}
# A subscriber's handler for a group of changes made together, where it has one.
_group_handlers = {}
# The group being collected by `together`, in this thread, if any.
_collecting = contextvars.ContextVar("core.changes.collecting", default=None)

# Wagtail's and taggit's apps whose every model is content the APIs serve; the
# project's content apps add theirs (`serve_app`).
CONTENT_APPS = ["taggit", "wagtailredirects", "wagtaildocs"]
CONTENT_MODELS = ("wagtailimages.Image",)
# Models that change what every answer may hold: the site's tree, who may see what.
EVERYTHING_MODELS = (
    "wagtailcore.Site",
    "wagtailcore.Collection",
    "wagtailcore.PageViewRestriction",
    "wagtailcore.CollectionViewRestriction",
    "wagtailcore.Locale",  # which languages an answer may fall back through
)


@dataclass
class ContentChange:
    instance: object
    keys: frozenset  # the surrogate keys it retires
    event: str | None = None  # e.g. "page.published"; None: a change no event names
    # Where an anonymous reader could see a page after the change (site, path, URL) and
    # before it (its path on its site), if anywhere.
    site_id: int | None = None
    url_path: str | None = None
    url: str | None = None
    previous_url_path: str | None = None
    # page.published: "major" when the page's lastUpdated moved, else "minor".
    change: str = ""
    occurred_at: object = field(default_factory=timezone.now)
    group: object = None  # the ChangeGroup it was made in, if any

    @property
    def model(self):
        instance = self.instance
        return instance.specific_class if hasattr(instance, "specific_class") else type(instance)


def serve_app(app_config):
    """Every model of this app is content the APIs serve: its saves and deletes are changes
    (call from its AppConfig.ready)."""
    if app_config.label not in CONTENT_APPS:
        CONTENT_APPS.append(app_config.label)


@dataclass
class ChangeGroup:
    """Changes made together, handed on as one once they are all made: what made them
    (`instance`, e.g. a release) and the event it makes (e.g. "release.published")."""

    instance: object
    event: str
    changes: list = field(default_factory=list)
    occurred_at: object = field(default_factory=timezone.now)

    @property
    def keys(self):
        """The surrogate keys its changes retire, all of them."""
        return frozenset().union(*(change.keys for change in self.changes))


def subscribe(stage, handler, together=None):
    """Hand every change to `handler(change)` at `stage` (one of STAGES); and a group of
    changes made together to `together(group)`, if given, else each of it to `handler`."""
    if handler not in _subscribers[stage]:
        _subscribers[stage].append(handler)
    if together is not None:
        _group_handlers[handler] = together


def unsubscribe(stage, handler):
    if handler in _subscribers[stage]:
        _subscribers[stage].remove(handler)
    _group_handlers.pop(handler, None)


def dispatch(change):
    group = _collecting.get()
    if group is not None:
        change.group = group
        group.changes.append(change)
        return
    for stage in STAGES:
        for handler in _subscribers[stage]:
            handler(change)


def dispatch_group(group):
    for stage in STAGES:
        for handler in _subscribers[stage]:
            if handler in _group_handlers:
                _group_handlers[handler](group)
            else:
                for change in group.changes:
                    handler(change)


@contextmanager
def together(instance, event):
    """Collect the changes made in the block, and hand them on as one group when it ends
    (none, if it raises). Use it inside the transaction that makes them, so that what the
    stages record (a retirement, the events) commits or rolls back with them."""
    if _collecting.get() is not None:
        raise RuntimeError("Changes are already being collected: groups do not nest.")
    group = ChangeGroup(instance, event)
    collecting = _collecting.set(group)
    try:
        yield group
    finally:
        _collecting.reset(collecting)
    dispatch_group(group)


# Pages ------------------------------------------------------------------------------------


def page_change(
    page, parent, event=None, with_descendants=True, with_translation_key=True, **fields
):
    """A change to a page, with where it is now (site, path, URL) if it is public there."""
    keys = frozenset(keys_changed_by_page(page, with_descendants, with_translation_key))
    change = ContentChange(page, keys, event, **fields)
    if event is not None:
        try:
            parts = page.get_url_parts()
            if parts and parts[2] is not None and is_public(page, parent):
                change.site_id, _, change.url_path = parts
                change.url = page.get_full_url()
        except Exception:  # an event's description must never stop the change itself
            logger.exception("Could not say where %r is", page)
    return change


def on_page_saving(sender, instance, update_fields=None, **kwargs):
    # The page's live title before a save of all its fields (a publish's), None if it was
    # not live: published again, a live page changes nothing below it, nor, a minor change
    # with its title kept, what its other languages hold of it (`on_page_published`).
    if instance.pk is not None and update_fields is None:
        live = type(instance).objects.filter(pk=instance.pk, live=True, expired=False)
        instance.live_title_before = live.values_list("title", flat=True).first()


def on_page_published(sender, instance, **kwargs):
    major = getattr(instance, "is_major_change", True)  # read before governance resets it
    change = "major" if major else "minor"
    # Below a page published again while live, neither URLs (a new slug is a change of its
    # own, page_slug_changed) nor what may be seen change: only the page itself did.
    title_before = getattr(instance, "live_title_before", None)
    again = title_before is not None and instance.live and not instance.expired
    dispatch(
        page_change(
            instance,
            instance.get_parent(),
            "page.published",
            with_descendants=not again,
            # Its other languages list it by title, and are out of date after a major change.
            with_translation_key=not again or major or instance.title != title_before,
            change=change,
        )
    )


def on_page_saved(sender, instance, created=False, raw=False, **kwargs):
    # An alias is created live with no page_published (Wagtail's CreatePageAliasAction,
    # wagtail/actions/create_alias.py; its later updates do send it): as
    # copy_for_translation(copy_parents=True) and wagtail-localize make a translation's
    # untranslated parents, a language's tree appears with the first page translated.
    if created and not raw and instance.alias_of_id is not None and instance.live:
        dispatch(page_change(instance, instance.get_parent(), "page.published", change="major"))


def on_page_unpublished(sender, instance, **kwargs):
    dispatch(page_change(instance, instance.get_parent(), "page.unpublished"))


def on_page_moved(
    sender, instance, parent_page_before, parent_page_after, url_path_before, url_path_after, **_
):
    if url_path_before == url_path_after or not instance.live:
        dispatch(page_change(instance, parent_page_after))
        return
    change = page_change(instance, parent_page_after, "page.moved")
    try:
        if is_public(instance, parent_page_before):
            change.previous_url_path = site_relative_path(url_path_before)
    except Exception:  # as in page_change
        logger.exception("Could not say where %r was", instance)
    dispatch(change)


def on_page_slug_changed(sender, instance, **kwargs):
    dispatch(page_change(instance, instance.get_parent()))


def on_page_deleting(sender, instance, **kwargs):
    # A page is a row in each table of its class's inheritance chain, each deleted with
    # its own signals: it changes once, as its most specific class. Described before
    # anything goes (the view restrictions above it may go with it), a draft not at all.
    if type(instance) is instance.specific_class and instance.live:
        instance.deleted_change = page_change(instance, instance.get_parent(), "page.deleted")


def on_page_deleted(sender, instance, **kwargs):
    if type(instance) is not instance.specific_class:
        return
    change = getattr(instance, "deleted_change", None)
    if change is None:
        change = ContentChange(instance, frozenset(keys_changed_by_page(instance)))
    else:
        change.keys = frozenset(keys_changed_by_page(instance))  # what is left of it now
        change.occurred_at = timezone.now()  # now it has gone
    dispatch(change)


# Snippets, settings and everything else ----------------------------------------------------


def object_keys(model, instance):
    if model in _everything_models:
        return frozenset({ALL})
    if model in _content_models:
        return frozenset(keys_changed_by(instance))
    return frozenset()


def on_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loading fixtures
        return
    event = _saved_events.get(sender)
    change = ContentChange(instance, object_keys(sender, instance), event)
    if event == "settings.saved":
        change.site_id = getattr(instance, "site_id", None)
    dispatch(change)


def on_deleted(sender, instance, **kwargs):
    event = "snippet.deleted" if sender in _snippet_models else None
    dispatch(ContentChange(instance, object_keys(sender, instance), event))


def on_published(sender, instance, **kwargs):
    dispatch(ContentChange(instance, frozenset(), "snippet.published"))


def on_unpublished(sender, instance, **kwargs):
    dispatch(ContentChange(instance, frozenset(), "snippet.unpublished"))


# What saves and deletes of each model mean, filled in by `connect` once, as the project
# starts, before any request or thread reads them: so not locked.
_content_models = set()
_everything_models = set()
_snippet_models = set()
_saved_events = {}


def connect():
    """One receiver a signal and model, connected with `sender=`."""
    from wagtail.contrib.settings.registry import registry as settings_registry
    from wagtail.models import DraftStateMixin, Page, get_page_models
    from wagtail.signals import (
        page_published,
        page_slug_changed,
        page_unpublished,
        post_page_move,
        published,
        unpublished,
    )
    from wagtail.snippets.models import get_snippet_models

    uid = "core.changes"
    page_published.connect(on_page_published, dispatch_uid=uid)
    page_unpublished.connect(on_page_unpublished, dispatch_uid=uid)
    post_page_move.connect(on_page_moved, dispatch_uid=uid)
    page_slug_changed.connect(on_page_slug_changed, dispatch_uid=uid)
    for model in get_page_models():
        pre_save.connect(on_page_saving, sender=model, dispatch_uid=uid)
        post_save.connect(on_page_saved, sender=model, dispatch_uid=uid)
        pre_delete.connect(on_page_deleting, sender=model, dispatch_uid=uid)
        post_delete.connect(on_page_deleted, sender=model, dispatch_uid=uid)

    content = [model for label in CONTENT_APPS for model in apps.get_app_config(label).get_models()]
    content += [apps.get_model(label) for label in CONTENT_MODELS]
    _content_models.update(model for model in content if not issubclass(model, Page))
    _everything_models.update(apps.get_model(label) for label in EVERYTHING_MODELS)
    for model in get_snippet_models():
        _snippet_models.add(model)
        # Snippets with drafts say so through published/unpublished: their saves are drafts.
        if issubclass(model, DraftStateMixin):
            published.connect(on_published, sender=model, dispatch_uid=uid)
            unpublished.connect(on_unpublished, sender=model, dispatch_uid=uid)
        else:
            _saved_events[model] = "snippet.saved"
    _saved_events.update(dict.fromkeys(settings_registry, "settings.saved"))
    for model in _content_models | _everything_models | _snippet_models | set(_saved_events):
        post_save.connect(on_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(on_deleted, sender=model, dispatch_uid=uid)
