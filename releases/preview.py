"""One preview token for a whole release: `page(token:, urlPath:)` (or `id:`, `slug:`)
answers the release's draft of a page it holds, and any other page as it is live; the
snippets' entry points (`snippets`, `testimonials`, `inspections`, `latestInspection`)
given the token answer its drafts of snippets in place of the live ones. So a front end
previews the release as it will be once published, and sees nothing else unpublished.

A release token is `release=<id>:...`, signed (and good for PREVIEW_TOKEN_MAX_AGE
seconds, as a page's preview token); core/preview.py hands `page(token:)` such a token
here (`token_kinds`), and asks here for its snippets' drafts (`snippet_token_kinds`)
and for a page in the locale asked for (`page_in_locale_token_kinds`).
Each answer is marked a preview: never kept by a cache.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.signing import BadSignature, TimestampSigner
from graphql import GraphQLError
from wagtail.models import Page

from core.locales import fetch_versions, in_locale
from core.preview import with_drafts
from core.visibility import mark_as_preview, site_relative_path

from .models import Release

KIND = "release"
signer = TimestampSigner(salt="releases.preview")


def token_for(release):
    return signer.sign(f"{KIND}={release.pk}")


def release_of(token):
    try:
        value = signer.unsign(token, max_age=settings.PREVIEW_TOKEN_MAX_AGE)
    except BadSignature as error:  # SignatureExpired is a BadSignature
        raise GraphQLError(
            "The preview token is invalid or has expired: preview again from the admin.",
            extensions={"code": "PREVIEW_TOKEN_INVALID"},
        ) from error
    return Release.objects.filter(pk=int(value.partition("=")[2])).first()


def page_drafts_of(release):
    """The release's drafts of pages, each as it will be published."""
    page_items = release.items.filter(
        base_content_type=ContentType.objects.get_for_model(Page), revision__isnull=False
    )
    return [item.revision.as_object() for item in page_items.select_related("revision")]


def snippet_drafts_of(token):
    """The drafts of snippets in the release a token is for, each as it will be published
    (`snippets`, `testimonials`, `inspections`, `latestInspection` take the token)."""
    release = release_of(token)
    if release is None:
        return []
    snippet_items = release.items.exclude(
        base_content_type=ContentType.objects.get_for_model(Page)
    ).filter(revision__isnull=False)
    return [item.revision.as_object() for item in snippet_items.select_related("revision")]


def path_of(draft):
    """The draft's path on its site, as it will be once published (its slug may be new)."""
    parent = draft.get_parent()
    return site_relative_path(f"{parent.url_path}{draft.slug}/")


def matches(draft, id=None, slug=None, url_path=None, **_):
    if id is not None:
        return str(draft.pk) == str(id)
    if slug is not None:
        return draft.slug == slug
    if url_path is not None:
        return path_of(draft) == normalised(url_path)
    return False


def normalised(url_path):
    """A path as Wagtail keeps it: "/news/x/" for "news/x", "/" for the home page."""
    stripped = url_path.strip("/")
    return f"/{stripped}/" if stripped else "/"


def resolve_page(resolve_page, root, info, arguments):
    """`page(token:)` for a release's token: its draft of the page asked for, else the
    page as it is live (grapple's own lookup, without the token)."""
    release = release_of(arguments["token"])
    others = {name: value for name, value in arguments.items() if name != "token"}
    drafts = page_drafts_of(release) if release is not None else []
    page = next((draft for draft in drafts if matches(draft, **others)), None)
    if page is None:
        page = resolve_page(root, info, **others)
    # Marked a preview either way: the answer is for the editor, never for a cache.
    return mark_as_preview(page, info.context)


def page_in_locale(request, page, chain, token):
    """`page(token:, locale:)` for a release's token: the page in the locale asked for,
    as for any reader, with the release's draft of that translation where it holds one."""
    release = release_of(token)
    drafts = {draft.pk: draft for draft in page_drafts_of(release)} if release else {}
    answer = in_locale(request, [page], chain, with_drafts(fetch_versions, drafts))[0]
    return mark_as_preview(answer, request)
