"""The page interface every page type implements: grapple's, with per-request lookups.

grapple resolves `parent` with two queries a page, and `url` through Page.get_url
without the request (a cache round trip for the site's root paths, a reverse() and
signature checks, for each page). Here a page's parent is looked up once per request
whatever the number of pages sharing it (and kept until a change retires it), and a URL
comes from the visibility rule's `url_of`, which answers what get_url would.

It adds each page's language (`locale`; `requestedLocale` where it fell back,
core/locales.py), its `translations` and whether it is out of date against its source
(`translationOutdated`, translations/outdated.py), and every page's public change record
(governance.models.ChangeNotesMixin), read from the page's own row: `lastUpdated` and
`changeHistory` cost no query.
"""

import graphene
from django.utils import timezone
from grapple.types.interfaces import PageInterface as GrapplePageInterface
from wagtail.models import Page

from core import surrogate_keys
from core.locales import code_of_locale_id, enabled_codes, tag_of, tag_of_locale_id
from core.memo import cached_function
from core.request_context import context_of
from core.visibility import visibility_for
from translations.outdated import translation_is_outdated


class ChangeNote(graphene.ObjectType):
    """A major change to a page, as its readers are told of it."""

    date = graphene.Date(required=True, description="The day it was published (UK time).")
    note = graphene.String(required=True, description="What changed, in the editor's words.")


class PageTranslation(graphene.ObjectType):
    """A page in one language, live and public."""

    locale = graphene.String(required=True, description="Its language, a BCP 47 tag.")
    title = graphene.String(required=True, description="Its title in that language.")
    url = graphene.String(description="Its address on this site (`/es/principles/fair/`).")


class PageInterface(GrapplePageInterface):
    locale = graphene.String(
        required=True, description="The language this page is in, a BCP 47 tag (e.g. 'en-GB')."
    )
    requested_locale = graphene.String(
        description="The language asked for, where this page is not translated into it "
        "(live) and so is answered in a fallback; null otherwise."
    )
    translations = graphene.List(
        graphene.NonNull(PageTranslation),
        required=True,
        description="The page in each language it is live and public in, this one "
        "included, in the order of the site's languages (the source first).",
    )
    translation_outdated = graphene.Boolean(
        required=True,
        description="Whether this page is a translation whose source (the en-GB page) has "
        "had a major change since it was translated: true until it is translated again "
        "from the changed source and published. False for a source page.",
    )
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

    def resolve_locale(self, info, **kwargs):
        return tag_of_locale_id(self.locale_id)

    def resolve_requested_locale(self, info, **kwargs):
        return getattr(self, "requested_locale", None)

    def resolve_translations(self, info, **kwargs):
        rules = visibility_for(info.context)
        surrogate_keys.record(info.context, surrogate_keys.translation_key_of(self))
        versions = versions_of(info.context, self.translation_key)
        order = {code: index for index, code in enumerate(enabled_codes())}
        visible = [
            (order.get(code_of_locale_id(page.locale_id), len(order)), page)
            for page in versions
            if rules.is_visible(page)
        ]
        return [
            PageTranslation(
                locale=tag_of(code_of_locale_id(page.locale_id)),
                title=page.title,
                url=rules.url_of(page),
            )
            for _, page in sorted(visible, key=lambda pair: pair[0])
        ]

    def resolve_translation_outdated(self, info, **kwargs):
        surrogate_keys.record(info.context, surrogate_keys.translation_key_of(self))
        return translation_is_outdated(info.context, self)

    def resolve_url(self, info, **kwargs):
        return visibility_for(info.context).url_of(self)

    def resolve_parent(self, info, **kwargs):
        if self.depth <= 1:
            return None
        parent_path = self.path[: -Page.steplen]
        return visibility_for(info.context).page_at(parent_path, only_parent_type(type(self)))


@cached_function(maxsize=64)
def only_parent_type(page_type):
    """The one page type a page of `page_type` may be created under, or None (any, or
    several): a news page's parent is the news index."""
    allowed = page_type.allowed_parent_page_models()
    return allowed[0] if len(allowed) == 1 and allowed[0] is not Page else None


def versions_of(request, translation_key):
    """A page's versions in every language: read in one query with those of every page of
    the lists the answer holds (api/graphql/fragments.py notes them), not one a page."""
    context = context_of(request)
    known = context.page_versions
    if translation_key not in known:
        keys = {translation_key} | (context.listed_translation_keys - known.keys())
        for key in keys:
            known[key] = []
        fields = ("translation_key", "title", "locale_id", "live", "expired", "depth", "path")
        versions = Page.objects.filter(translation_key__in=keys).only(
            *fields, "url_path", "content_type"
        )
        for version in versions:
            known[version.translation_key].append(version)
    return known[translation_key]
