"""Content changes become events: recorded for the changes feed, and sent to the front ends.

The change pipeline (core/changes.py) describes each change once, as it happens (a
deleted page's URL comes from the instance in memory), and hands it to `on_change` at
its "events" stage, which makes it an unsaved `Change`. When its transaction commits,
`record` saves it and queues its webhook to each front end
(`webhooks.tasks.send_deliveries`, run by the task worker): a rolled-back change records
and sends nothing, and the editor's request does no more than those inserts.

Events: `page.published` (with `change`: "major" when the page's `lastUpdated` moved, a
first publish or a change marked major, else "minor"), `page.unpublished`,
`page.deleted`, `page.moved` (with `previousUrlPath`); `snippet.published`,
`snippet.unpublished`, `snippet.deleted`, and `snippet.saved` for snippets without
drafts; `settings.saved`; `release.published` (releases/: its items' events follow it,
each with the release's id).

Each event of a translatable item carries its language (`locale`) and the id of its
source-language version (`sourceId`), for translations as for sources.

Only what an anonymous reader could see makes an event, as anyone may read the feed: a
page event needs the page public before or after the change (core/visibility.py's
`is_public`, which the pipeline applies). A draft's path is draft text, and a private
page's is private.
"""

import logging

from django.conf import settings
from django.db import connection, transaction

from core import retirements
from core.locales import language_of

from .models import Change, Delivery
from .tasks import send_deliveries

logger = logging.getLogger("cms.webhooks")

# The surrogate key of the changes feed's answers (core.surrogate_keys.list_key(Change)):
# each event recorded retires them.
CHANGES_KEY = "list:webhooks.change"


def happened(*changes):
    """Record the changes, and send them, once the transaction commits."""
    transaction.on_commit(lambda: record_safely(*changes))


def record_safely(*changes):
    # The change has committed: a failure here must not fail the editor's request.
    try:
        record(*changes)
    except Exception:
        logger.exception("Could not record the events %s", changes)


def record(*changes):
    """Record the changes, in order, with their deliveries, in one transaction; the
    changes feed's answers are retired once for all of them."""
    urls = list(settings.FRONTEND_WEBHOOK_URLS)
    with transaction.atomic():
        lock_changes()
        for change in changes:
            change.save()
            body = change.webhook_body()
            Delivery.objects.bulk_create(
                Delivery(change=change, url=url, body=body) for url in urls
            )
        for url in urls:
            send_deliveries.enqueue(url=url)
        retirements.record({CHANGES_KEY})


def lock_changes():
    """One recording at a time, until it commits. An id is handed out at the insert but
    seen at the commit: were two to overlap, a reader could see the later id first and
    move its cursor past the earlier one. SQLite writes one at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE webhooks_change IN SHARE ROW EXCLUSIVE MODE")


def on_change(change):
    """The pipeline's "events" stage: the change as an event, if it makes one."""
    try:
        event = as_event(change)
        if event is not None:
            happened(event)
    except Exception:  # an event must never break an editor's action
        logger.exception("Could not describe the change to %r", change.instance)


def on_changes_together(group):
    """The "events" stage for changes made together (a release published): first one
    event for the group, listing the items it made public, then each item's own event,
    each carrying the group's id; all recorded at once."""
    try:
        events = [event for event in map(as_event, group.changes) if event is not None]
        if not events:
            return
        for event in events:
            event.release_id = group.instance.pk
        release = Change(
            event=group.event,
            content_type=group.instance._meta.label,
            object_id=group.instance.pk,
            items=[event.item() for event in events],
            occurred_at=group.occurred_at,
        )
        happened(release, *events)
    except Exception:  # as in on_change
        logger.exception("Could not describe the changes of %r", group.instance)


def as_event(change):
    """The change as an unsaved `Change`, or None if it makes no event. A page's change
    is one if the page was public before it or after it."""
    if change.event is None:
        return None
    if change.event.startswith("page.") and not (change.url_path or change.previous_url_path):
        return None
    locale, source_id = language_of(change.instance)
    return Change(
        event=change.event,
        content_type=change.model._meta.label,
        object_id=change.instance.pk,
        site_id=change.site_id,
        url_path=change.url_path,
        url=change.url,
        previous_url_path=change.previous_url_path,
        change=change.change,
        occurred_at=change.occurred_at,
        locale=locale,
        source_id=source_id,
    )
