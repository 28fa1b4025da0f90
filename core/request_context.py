"""What one request carries through the app, in one object (`context_of(request)`).

`core.middleware.RequestIdMiddleware` starts it: the request id (the client's
`X-Request-ID` if it is well formed, else a new one) is on every response and, through
`RequestIdLogFilter`, on every log line written while the request is answered. The rest
is filled in by the step that knows it: the client's identity (core/clients.py), the
content version read for it (core/content_version.py), what the visibility rule worked
out (core/visibility.py), renditions fetched in bulk (api/graphql/media.py), whether a
preview's draft was served (never cached), and the surrogate keys of what the answer
holds (core/surrogate_keys.py).
"""

import contextvars
import logging
import re
import uuid
from dataclasses import dataclass, field

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

# The id of the request this thread is answering, for log lines written outside any view.
current_request_id = contextvars.ContextVar("current_request_id", default=None)


@dataclass
class RequestContext:
    request_id: str
    client: str = ""  # who is asking, for the rate limit (core/clients.py)
    front_end: str | None = None  # the name of a keyed front-end server, if one is asking
    content_version: str | None = None  # what this request's lookups may be kept for
    printed_query: str | None = None  # the GraphQL query run, as printed (fragments.py)
    served_preview: bool = False  # a preview's draft is for its editor, never for a cache
    visibility: object = None  # the request's VisibilityRules, made on first use
    held_renditions: dict = field(default_factory=dict)  # (image, spec, focal key) -> rendition
    # Pages' versions in every language, by translation key, read for every page of the
    # lists the answer holds at once (api/graphql/pages.py `translations`).
    listed_translation_keys: set = field(default_factory=set)
    page_versions: dict = field(default_factory=dict)
    # Their source pages and when those were synced, likewise (translations/outdated.py).
    translation_sources: dict = field(default_factory=dict)
    # The surrogate keys of what the answer depends on, then those of each part of it being
    # made, innermost last (core/surrogate_keys.py records a key into every one).
    surrogate_key_scopes: list = field(default_factory=lambda: [set()])


def request_id_from(request):
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


def context_of(request):
    """The request's context; one is made for a request that did not pass the middleware
    (a management command's or a test's RequestFactory request)."""
    request = getattr(request, "_request", request)  # Django's, inside DRF's Request
    context = request.__dict__.get("cms_context")
    if context is None:
        context = request.cms_context = RequestContext(request_id=request_id_from(request))
    return context


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every log record: the id of the request being answered, or
    None outside one."""

    def filter(self, record):
        record.request_id = current_request_id.get()
        return True
