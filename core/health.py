"""Probes for the load balancer and the orchestrator.

- /healthz (liveness): the process answers. It touches neither the database nor the
  cache, so an outage of either never gets healthy app servers restarted.
- /readyz (readiness): the database and the cache both answer, so this app server
  should be sent traffic. A failing check is named "unavailable"; why it failed goes
  to the log, never to the client.

Both answer GET and HEAD only and are never cached. In production they are exempt
from the HTTPS redirect, but the probe must send a Host header in ALLOWED_HOSTS.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("cms.health")

OK = "ok"
UNAVAILABLE = "unavailable"


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": OK})


@never_cache
@require_safe
def readyz(request):
    checks = {"database": _check("database", _database), "cache": _check("cache", _cache)}
    ready = all(result == OK for result in checks.values())
    return JsonResponse(
        {"status": OK if ready else UNAVAILABLE, "checks": checks},
        status=200 if ready else 503,
    )


def _check(name, probe):
    try:
        if probe():
            return OK
        logger.warning("Readiness check failed: %s", name)
    except Exception:
        logger.exception("Readiness check failed: %s", name)
    return UNAVAILABLE


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache():
    # A key of this request's own, so concurrent probes never read each other's value.
    key = f"readyz:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    try:
        return cache.get(key) == value
    finally:
        cache.delete(key)
