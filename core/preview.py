"""Previews for editors: on the front end (headless, with a signed token) or on this
site's own templates.

wagtail-headless-preview signs tokens but never expires them: here a token is good
for PREVIEW_TOKEN_MAX_AGE seconds and opens only the draft it was issued for.

The front end's preview is the default only where one is set up (HEADLESS_PREVIEW_URL):
elsewhere, as in development, nothing would answer in the panel. The "Front end" page
(templates/wagtail_headless_preview/preview.html, in place of the package's) says so
when none is set up or the one set up does not answer, and leads to this site's templates.
"""

from django.conf import settings
from django.core.signing import BadSignature
from django.template.response import TemplateResponse
from graphql import GraphQLError
from wagtail.models import Page
from wagtail_headless_preview.models import HeadlessPreviewMixin, PagePreview
from wagtail_headless_preview.settings import headless_preview_settings

from core.request_context import context_of
from core.visibility import mark_as_preview

FRONT_END = "front-end"
FRONT_END_PREVIEW_TEMPLATE = "wagtail_headless_preview/preview.html"


def front_end_is_set_up():
    return bool(headless_preview_settings.CLIENT_URLS)


class PreviewablePage(HeadlessPreviewMixin):
    """Mix into every page model, before Page."""

    preview_modes = [(FRONT_END, "Front end"), ("", "This site's templates")]

    @property
    def default_preview_mode(self):
        return FRONT_END if front_end_is_set_up() else ""

    @classmethod
    def get_page_from_preview_token(cls, token):
        try:
            cls.get_preview_signer().unsign(token, max_age=settings.PREVIEW_TOKEN_MAX_AGE)
        except BadSignature as error:  # SignatureExpired is a BadSignature
            raise GraphQLError(
                "The preview token is invalid or has expired: preview again from the admin.",
                extensions={"code": "PREVIEW_TOKEN_INVALID"},
            ) from error
        preview = PagePreview.objects.filter(token=token).first()
        return preview.as_page() if preview else None

    def serve_preview(self, request, preview_mode):
        if preview_mode != FRONT_END:
            return Page.serve_preview(self, request, preview_mode)
        if not front_end_is_set_up():
            return TemplateResponse(request, FRONT_END_PREVIEW_TEMPLATE, {"preview_url": ""})
        return super().serve_preview(request, preview_mode)


# The `token` argument of the snippets' entry points.
RELEASE_PREVIEW_DESCRIPTION = (
    "A release's preview token (on the release's page in the admin): the release's drafts "
    "of snippets are answered as they will be published, with the live ones it does not "
    "change. The answer is a preview, never cached."
)

# Tokens other than wagtail-headless-preview's, by the name before the first "=" of the
# token, each with what answers `page(token:)` for it: (grapple's resolver, root, info,
# arguments) -> page. A release's token shows its drafts (releases/preview.py).
token_kinds = {}
# Those that show drafts of snippets too, each with what finds them: token -> drafts.
snippet_token_kinds = {}
# Those whose `page(token:, locale:)` answers the page in the locale asked for, each with
# what does: (request, page, chain, token) -> page. A page's own token shows that page.
page_in_locale_token_kinds = {}


def resolve_page_or_preview(resolve_page):
    """grapple's `page` resolver, marking the draft a (signed, unexpired) token opened
    as a preview: the visibility rule lets it through, and no cache keeps the answer."""

    def resolve(root, info, **arguments):
        token = arguments.get("token")
        kind = token_kinds.get(token.partition("=")[0]) if token else None
        if kind is not None:
            return kind(resolve_page, root, info, arguments)
        page = resolve_page(root, info, **arguments)
        if token:
            return mark_as_preview(page, info.context)
        return page

    return resolve


def previewed_page_in_locale(request, page, chain, token):
    """The page a token opened, in the locale `chain` asks for where its kind says so
    (`page_in_locale_token_kinds`); else the page it opened."""
    in_locale = page_in_locale_token_kinds.get(token.partition("=")[0]) if token else None
    return page if in_locale is None else in_locale(request, page, chain, token)


def with_drafts(fetch, drafts):
    """`in_locale`'s `fetch` of translations, a preview token's draft (`drafts`, by pk) in
    place of the translation it is of."""

    def fetch_with_drafts(model, ids):
        return [drafts.get(item.pk, item) for item in fetch(model, ids)]

    return fetch_with_drafts


def snippet_drafts(request, token):
    """The drafts of snippets a token shows, by (model, pk), each marked a preview; the
    answer is a preview (never cached) whatever it shows. A page's token shows none."""
    drafts_of = snippet_token_kinds.get(token.partition("=")[0])
    if drafts_of is None:
        raise GraphQLError(
            "This preview token shows no snippets: only a release's token does.",
            extensions={"code": "PREVIEW_TOKEN_INVALID"},
        )
    context_of(request).served_preview = True
    return {(type(draft), draft.pk): mark_as_preview(draft, request) for draft in drafts_of(token)}


def resolve_snippets_or_preview(resolve_snippets):
    """grapple's `snippets`, with a token: its drafts in place of the snippets they are
    of (grapple lists every snippet, live or not; the guard lets through only the live
    and the drafts marked a preview)."""

    def resolve(root, info, token=None, **arguments):
        snippets = resolve_snippets(root, info, **arguments)
        if token is None:
            return snippets
        drafts = snippet_drafts(info.context, token)
        return [drafts.get((type(snippet), snippet.pk), snippet) for snippet in snippets]

    return resolve
