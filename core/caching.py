"""HTTP caching of anonymous reads: what a CDN or browser may keep, and for how long.

Answers to anonymous GET requests for the APIs, the feeds and the sitemap may be kept
by a CDN for GRAPHQL_CDN_MAX_AGE seconds (then served stale while it revalidates), and
name what they hold in surrogate-key headers, so a change purges exactly them; a
browser never keeps one without asking (max-age=0: it revalidates with the ETag, which
Django's ConditionalGetMiddleware answers with 304). Anything for a signed-in user is
private.
"""

from functools import wraps

from django.conf import settings

from . import surrogate_keys


def is_anonymous(request):
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    # Only a session cookie can make a user: don't load a session that isn't there.
    return not (request.COOKIES.get(settings.SESSION_COOKIE_NAME) and request.user.is_authenticated)


def cache_for_cdn(response, keys):
    """Let a CDN keep the answer, naming what it holds (its surrogate keys), so that a
    change purges it (core/cdn.py)."""
    for name, value in cdn_headers(keys).items():
        response[name] = value
    return response


def cdn_headers(keys):
    """The headers of `cache_for_cdn`, for an answer holding `keys`."""
    cache_control = (
        f"public, max-age=0, s-maxage={settings.GRAPHQL_CDN_MAX_AGE}, "
        f"stale-while-revalidate={settings.GRAPHQL_CDN_STALE_WHILE_REVALIDATE}"
    )
    return {"Cache-Control": cache_control, **surrogate_keys.as_headers(keys)}


def cdn_cacheable(view):
    """A view whose successful answers to anonymous reads a CDN may keep."""

    @wraps(view)
    def cacheable_view(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.has_header("Cache-Control"):
            if request.method in ("GET", "HEAD") and is_anonymous(request):
                cache_for_cdn(response, surrogate_keys.recorded(request))
            else:
                response["Cache-Control"] = "private, no-store"
        return response

    return cacheable_view
