"""The page interface every page type implements: grapple's, with per-request lookups.

grapple resolves `parent` with two queries a page, and `url` through Page.get_url
without the request (a cache round trip for the site's root paths, a reverse() and
signature checks, for each page). Here a page's parent is looked up once per request
whatever the number of pages sharing it (and kept until a change retires it), and a URL
comes from the visibility rule's `url_of`, which answers what get_url would.

It adds every page's public change record (governance.models.ChangeNotesMixin), read from
the page's own row: `lastUpdated` and `changeHistory` cost no query.
"""

import graphene
from django.utils import timezone
from grapple.types.interfaces import PageInterface as GrapplePageInterface
from wagtail.models import Page

from core.visibility import visibility_for


class ChangeNote(graphene.ObjectType):
    """A major change to a page, as its readers are told of it."""

    date = graphene.Date(required=True, description="The day it was published (UK time).")
    note = graphene.String(required=True, description="What changed, in the editor's words.")


class PageInterface(GrapplePageInterface):
    last_updated = graphene.Date(
        description="The day the page was first published or last changed in a major way "
        "(minor corrections leave it); null for a page never published."
    )
    change_history = graphene.List(
        graphene.NonNull(ChangeNote),
        required=True,
        description="The page's public change notes, newest first: one for each major "
        "change (none for minor ones).",
    )

    def resolve_last_updated(self, info, **kwargs):
        updated_at = getattr(self, "last_updated_at", self.first_published_at)
        return timezone.localdate(updated_at) if updated_at else None

    def resolve_change_history(self, info, **kwargs):
        return getattr(self, "public_change_history", [])

    def resolve_url(self, info, **kwargs):
        return visibility_for(info.context).url_of(self)

    def resolve_parent(self, info, **kwargs):
        if self.depth <= 1:
            return None
        return visibility_for(info.context).page_at(self.path[: -Page.steplen])
