"""Who is asking: a browser by its address, or a front-end server by its key.

Behind proxies, REMOTE_ADDR is the nearest proxy's: with TRUSTED_PROXY_COUNT proxies in
front (nginx, a CDN), the client is the address the outermost of them saw, the entry
that many places from the right of X-Forwarded-For (each proxy appends the address it
was called from; anything to the left of that is whatever the client sent). The rate
limit (core/rate_limit.py) and the sign-in lockouts (django-axes) both key on it.

A front-end server (a site's server-side renderer, a static build) sends its key in
X-Frontend-Key (keys from FRONTEND_API_KEYS, `name:key` pairs) and has a budget of its
own. A key this CMS does not know is refused with 401, never served as a browser.
"""

import hmac
import ipaddress

from django.conf import settings

KEY_HEADER = "X-Frontend-Key"


class UnknownFrontendKey(Exception):
    """The request names a front-end key, and it is none of the configured ones."""


def client_address(request):
    """The address of the client as the outermost trusted proxy saw it (django-axes
    calls this too: AXES_CLIENT_IP_CALLABLE)."""
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted > 0:
        forwarded = [
            address.strip()
            for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if address.strip()
        ]
        if forwarded and is_address(client := forwarded[-min(trusted, len(forwarded))]):
            return client
    # An entry that is no address ("unknown", say) names nobody: the nearest peer is used,
    # as django-axes stores the address in an address column.
    return request.META.get("REMOTE_ADDR", "")


def is_address(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def front_end_named(request):
    """The name of the front-end server whose key the request carries, or None if it
    carries none; UnknownFrontendKey if the key is wrong."""
    given = request.headers.get(KEY_HEADER)
    if given is None:
        return None
    found = None
    # Every key is compared, so the time taken tells nothing of which came close.
    for name, key in settings.FRONTEND_API_KEYS.items():
        if hmac.compare_digest(given.encode(), key.encode()):
            found = name
    if found is None:
        raise UnknownFrontendKey
    return found
