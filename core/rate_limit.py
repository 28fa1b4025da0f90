"""Request budgets: so many requests a window for each browser, counted in the shared
cache so every app server counts together.

Only work is charged. The GraphQL view charges a request once it has missed the
response cache (`charge`), so a client reading cached answers never runs out;
`RateLimitMiddleware` charges every other request to the rate-limited paths (REST).
Front-end servers with a key (core/clients.py) have their own budget,
FRONTEND_RATE_LIMIT_REQUESTS (0: unlimited).
"""

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache

from .errors import Refused
from .request_context import context_of

logger = logging.getLogger("cms.rate_limit")


class RateLimited(Refused):
    def __init__(self, limit, window, retry_after):
        super().__init__(
            429,
            f"Too many requests: the limit is {limit} every {window} seconds.",
            "RATE_LIMITED",
            {"Retry-After": str(retry_after)},
        )


def charge(request):
    """Count this request against its client's budget; RateLimited if it is spent."""
    context = context_of(request)
    if context.front_end is not None:
        limit, who = settings.FRONTEND_RATE_LIMIT_REQUESTS, f"front-end:{context.front_end}"
    else:
        limit, who = settings.GRAPHQL_RATE_LIMIT_REQUESTS, f"client:{context.client}"
    if not limit:
        return
    window = settings.GRAPHQL_RATE_LIMIT_WINDOW_SECONDS
    now = time.time()
    key = f"rate:{who}:{int(now // window)}"
    try:
        count = _count(key, window + 1)
    except Exception:  # an unreachable cache costs the limit, never an answer
        logger.warning("Shared cache unavailable: request not counted", exc_info=True)
        return
    if count is not None and count > limit:  # None: the cache ignored an error
        raise RateLimited(limit, window, retry_after=max(1, math.ceil(window - now % window)))


def _count(key, ttl):
    try:
        return cache.incr(key)
    except ValueError:  # the first request of this window
        return 1 if cache.add(key, 1, ttl) else cache.incr(key)
