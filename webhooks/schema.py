"""The changes feed: `changes(after:, limit:)`, the events since a cursor, oldest first.

A front end that polls instead of (or besides) receiving webhooks keeps `nextCursor` and
passes it as `after` next time. The events are those webhooks send (webhooks/events.py
makes only public ones), of the requested site and of no site (snippets, settings).

A cursor names the last event read (the `Change`'s id). Events are kept for
CHANGES_RETENTION_DAYS; a cursor older than an event pruned (the oldest event kept says
which was the last) is expired (CURSOR_EXPIRED): the poller must start again, without
`after`. The pruning always keeps the latest event, so a cursor at the end never
expires, however quiet the site.
"""

import base64
import binascii
import re

import graphene
from django.db.models import Q
from grapple.types.structures import PositiveInt
from wagtail.models import Site

from api.graphql.errors import bad_input
from core import surrogate_keys

from .events import CHANGES_KEY
from .models import Change

MAX_LIMIT = 100
CURSOR = re.compile(r"^change:([0-9]{1,19})$")


def cursor_for(change_id):
    return base64.urlsafe_b64encode(f"change:{change_id}".encode()).decode()


def read_cursor(cursor):
    """The id of the last event a cursor has read."""
    try:
        found = CURSOR.match(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (binascii.Error, UnicodeError, ValueError):
        found = None
    if found is None:
        raise bad_input("changes: after is not a cursor this API gave (nextCursor).")
    return int(found[1])


def check_not_expired(after_id):
    pruned_up_to = Change.objects.order_by("pk").values_list("pruned_up_to", flat=True).first()
    if pruned_up_to is not None and after_id < pruned_up_to:
        raise bad_input(
            "changes: this cursor is older than the events kept (some that follow it are "
            "gone). Start again without `after`, then carry on from its nextCursor.",
            code="CURSOR_EXPIRED",
        )


class ChangeEvent(graphene.ObjectType):
    """One change to published content: what changed and where, never its text."""

    type = graphene.String(
        required=True,
        source="event",
        description="What happened: page.published, page.unpublished, page.moved, "
        "page.deleted, snippet.published, snippet.unpublished, snippet.deleted, "
        "snippet.saved, settings.saved or release.published (a release's items went live "
        "together: their events follow it, each with its releaseId).",
    )
    content_type = graphene.String(
        required=True, description="The model of what changed, e.g. news.NewsPage."
    )
    id = graphene.ID(
        required=True, source="object_id", description="The id of what changed, of its model."
    )
    url_path = graphene.String(
        description="A page's path on the site (its new one if it moved); null for "
        "snippets and settings, and for a page moved where it is not public."
    )
    previous_url_path = graphene.String(
        description="page.moved: the page's path before it moved, if it was public there."
    )
    change = graphene.String(
        description="page.published: major when the page's lastUpdated moved (a first "
        "publish, or a change its editor marked major), else minor; null for other events."
    )
    release_id = graphene.ID(
        description="An item published in a release: the release's id (the "
        "release.published event just before it). Null otherwise."
    )
    occurred_at = graphene.DateTime(required=True, description="When it happened.")
    locale = graphene.String(
        description="The language of what changed, a BCP 47 tag (e.g. 'es'); null for settings."
    )
    source_id = graphene.ID(
        description="The id of the source-language (en-GB) version of what changed: its "
        "own id for a source; null for settings, or when the source is gone."
    )

    def resolve_change(self, info):
        return self.change or None

    def resolve_locale(self, info):
        return self.locale or None


class ChangesPage(graphene.ObjectType):
    """Events since a cursor, and the cursor to carry on from."""

    events = graphene.List(
        graphene.NonNull(ChangeEvent), required=True, description="Oldest first."
    )
    next_cursor = graphene.String(
        required=True,
        description="Pass it as `after` next time. The cursor given when nothing is new.",
    )
    has_more = graphene.Boolean(
        required=True, description="Whether more events follow these: ask again at once."
    )


class ChangesQuery:
    changes = graphene.Field(
        ChangesPage,
        required=True,
        after=graphene.String(
            description="A nextCursor from an earlier answer; without it, from the oldest "
            "event kept."
        ),
        limit=PositiveInt(default_value=MAX_LIMIT, description="1 to 100."),
        description="What was published, unpublished, moved or deleted (pages, snippets, "
        "settings) since a cursor, oldest first: what a front end revalidates.",
    )

    def resolve_changes(self, info, limit, after=None):
        surrogate_keys.record(info.context, CHANGES_KEY)
        after_id = 0
        if after is not None:
            after_id = read_cursor(after)
            check_not_expired(after_id)
        site = Site.find_for_request(info.context)
        of_this_site = Q(site=site) | Q(site__isnull=True)
        changes = Change.objects.filter(of_this_site, pk__gt=after_id).order_by("pk")
        events = list(changes[: limit + 1])
        has_more = len(events) > limit
        events = events[:limit]
        next_cursor = cursor_for(events[-1].pk) if events else after or cursor_for(after_id)
        return ChangesPage(events=events, next_cursor=next_cursor, has_more=has_more)
