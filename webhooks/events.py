"""Content changes become events: recorded for the changes feed, and sent to the front ends.

Each change is described once, as it happens (a deleted page's URL comes from the
instance in memory), as an unsaved `Change`. When its transaction commits, `record`
saves it and queues its webhook to each front end (`webhooks.tasks.send_deliveries`, run
by the task worker): a rolled-back change records and sends nothing, and the editor's
request does no more than those inserts.

Events: `page.published` (with `change`: "major" when the page's `lastUpdated` moved, a
first publish or a change marked major, else "minor"), `page.unpublished`,
`page.deleted`, `page.moved` (with `previousUrlPath`); `snippet.published`,
`snippet.unpublished`, `snippet.deleted`, and `snippet.saved` for snippets without
drafts; `settings.saved`.

Only what an anonymous reader could see makes an event, as anyone may read the feed: a
page event needs a live page, inside a site, with no view restriction on it or above it
and no unpublished or expired page above it. A draft's path is draft text, and a private
page's is private.
"""

import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils import timezone
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import DraftStateMixin, Page, PageViewRestriction, Site
from wagtail.signals import (
    page_published,
    page_unpublished,
    post_page_move,
    published,
    unpublished,
)
from wagtail.snippets.models import get_snippet_models

from core import content_version

from .models import Change, Delivery
from .tasks import send_deliveries

logger = logging.getLogger("cms.webhooks")

# The surrogate key of the changes feed's answers (core.surrogate_keys.list_key(Change)):
# each event recorded retires them.
CHANGES_KEY = "list:webhooks.change"


def happened(change):
    """Record the change, and send it, once the transaction commits."""
    transaction.on_commit(lambda: record_safely(change))


def record_safely(change):
    # The change has committed: a failure here must not fail the editor's request.
    try:
        record(change)
    except Exception:
        logger.exception("Could not record the event %s", change)


def record(change):
    urls = list(settings.FRONTEND_WEBHOOK_URLS)
    with transaction.atomic():
        lock_changes()
        change.save()
        body = change.webhook_body()
        Delivery.objects.bulk_create(Delivery(change=change, url=url, body=body) for url in urls)
        for url in urls:
            send_deliveries.enqueue(url=url)
        content_version.retire({CHANGES_KEY})


def lock_changes():
    """One recording at a time, until it commits. An id is handed out at the insert but
    seen at the commit: were two to overlap, a reader could see the later id first and
    move its cursor past the earlier one. SQLite writes one at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE webhooks_change IN SHARE ROW EXCLUSIVE MODE")


# Pages ---------------------------------------------------------------------------------------


def is_public(page, parent):
    """Whether an anonymous reader would see the (live) page as a child of `parent`: no
    view restriction on it or above it, and no page above it unpublished or expired."""
    above = Page.objects.ancestor_of(parent, inclusive=True).filter(depth__gt=1)
    if above.filter(Q(live=False) | Q(expired=True)).exists():
        return False
    return not PageViewRestriction.objects.filter(Q(page__in=above) | Q(page=page)).exists()


def page_change(event, page, parent, **fields):
    """The change to a page, with where it is (site, path, URL) if it is public there."""
    change = Change(
        event=event, content_type=page.specific_class._meta.label, object_id=page.pk, **fields
    )
    parts = page.get_url_parts()
    if parts and parts[2] is not None and is_public(page, parent):
        change.site_id, _, change.url_path = parts
        change.url = page.get_full_url()
    return change


def report(change):
    """A page's change is an event if it was public before it or after it."""
    if change.url_path or change.previous_url_path:
        happened(change)


def site_relative_path(url_path):
    """Turn a tree path (`/home/news/x/`) into the path on its site (`/news/x/`)."""
    for root in Site.get_site_root_paths():
        if url_path.startswith(root.root_path):
            return url_path[len(root.root_path) - 1 :]
    return None


def _guarded(handler):
    """An event must never break an editor's action: log what fails and carry on."""

    def receiver(sender, **kwargs):
        try:
            handler(sender, **kwargs)
        except Exception:
            logger.exception("Could not describe the change to %r", kwargs.get("instance"))

    receiver.__name__ = handler.__name__
    return receiver


@_guarded
def on_page_published(sender, instance, **kwargs):
    change = "major" if getattr(instance, "is_major_change", True) else "minor"
    report(page_change("page.published", instance, instance.get_parent(), change=change))


@_guarded
def on_page_unpublished(sender, instance, **kwargs):
    report(page_change("page.unpublished", instance, instance.get_parent()))


@_guarded
def on_page_moved(
    sender, instance, parent_page_before, parent_page_after, url_path_before, url_path_after, **_
):
    if url_path_before == url_path_after or not instance.live:
        return
    previous = None
    if is_public(instance, parent_page_before):
        previous = site_relative_path(url_path_before)
    report(page_change("page.moved", instance, parent_page_after, previous_url_path=previous))


@_guarded
def on_page_deleting(sender, instance, **kwargs):
    # A page is a row in each table of its class's inheritance chain, each deleted with
    # its own signals: it is reported once, from its most specific class. Described
    # before anything goes (the view restrictions above it may go with it), a draft not
    # at all; reported after, as Wagtail sends page.unpublished for a live page as it
    # deletes it, and that comes first.
    if type(instance) is instance.specific_class and instance.live:
        instance.deleted_change = page_change("page.deleted", instance, instance.get_parent())


@_guarded
def on_page_deleted(sender, instance, **kwargs):
    if change := getattr(instance, "deleted_change", None):
        change.occurred_at = timezone.now()  # now it has gone
        report(change)


# Snippets and settings -----------------------------------------------------------------------


def object_change(event, model, instance, **fields):
    return Change(event=event, content_type=model._meta.label, object_id=instance.pk, **fields)


@_guarded
def on_published(sender, instance, **kwargs):
    happened(object_change("snippet.published", sender, instance))


@_guarded
def on_unpublished(sender, instance, **kwargs):
    happened(object_change("snippet.unpublished", sender, instance))


@_guarded
def on_snippet_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        happened(object_change("snippet.saved", sender, instance))


@_guarded
def on_snippet_deleted(sender, instance, **kwargs):
    happened(object_change("snippet.deleted", sender, instance))


@_guarded
def on_settings_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        site_id = instance.site_id if isinstance(instance, BaseSiteSetting) else None
        happened(object_change("settings.saved", sender, instance, site_id=site_id))


def connect_signals():
    """One receiver for each model that makes events, connected with `sender=`."""
    from wagtail.contrib.settings.registry import registry as settings_registry
    from wagtail.models import get_page_models

    page_published.connect(on_page_published, dispatch_uid="webhooks.page_published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="webhooks.page_unpublished")
    post_page_move.connect(on_page_moved, dispatch_uid="webhooks.page_moved")
    for model in get_page_models():
        pre_delete.connect(on_page_deleting, sender=model, dispatch_uid="webhooks.page_deleting")
        post_delete.connect(on_page_deleted, sender=model, dispatch_uid="webhooks.page_deleted")
    for model in get_snippet_models():
        # Snippets with drafts say so through published/unpublished: their saves are drafts.
        if issubclass(model, DraftStateMixin):
            published.connect(on_published, sender=model, dispatch_uid="webhooks.published")
            unpublished.connect(on_unpublished, sender=model, dispatch_uid="webhooks.unpublished")
        else:
            post_save.connect(on_snippet_saved, sender=model, dispatch_uid="webhooks.saved")
        post_delete.connect(on_snippet_deleted, sender=model, dispatch_uid="webhooks.deleted")
    for model in settings_registry:
        post_save.connect(on_settings_saved, sender=model, dispatch_uid="webhooks.settings")
