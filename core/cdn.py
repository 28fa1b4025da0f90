"""Purging a CDN by surrogate key (core/surrogate_keys.py), once a change has committed.

CDN_PURGE_BACKEND chooses how:
- `varnish`: a PURGE request with the keys in an `xkey-purge` header to each URL in
  VARNISH_PURGE_URLS (the VCL in deploy/varnish/ hands them to varnish-modules' xkey);
- `fastly`: Fastly's batch purge, POST /service/{FASTLY_SERVICE_ID}/purge with the keys
  as `surrogate_keys` (256 a request) and the FASTLY_API_TOKEN in `Fastly-Key`;
- `cloudflare`: Cloudflare's purge by cache tag, POST
  /client/v4/zones/{CLOUDFLARE_ZONE_ID}/purge_cache with the keys as `tags` (30 a
  request) and the CLOUDFLARE_API_TOKEN as a bearer token;
- empty: no CDN, nothing to purge.
A purge that fails is logged as an error and never fails the change: the CDN then
serves the old answer until its s-maxage (CDN_MAX_AGE) runs out.

Each purge is sent twice: at once, and again CONTENT_VERSION_RECHECK_SECONDS later. For
that long after a change, an app server that had read the content version just before
it may still answer from what it kept for the old one (core/content_version.py), and a
CDN fetching from it meanwhile would keep that answer until the next purge.
"""

import logging

import requests
from django.conf import settings

logger = logging.getLogger("cms.cdn")

TIMEOUT = 5  # seconds: a purge is sent after the editor's change has committed


def send(keys):
    """Purge these keys (sorted) from the CDN; raises (and logs) if it fails."""
    backend = settings.CDN_PURGE_BACKEND
    if not backend or not keys:
        return
    try:
        for request in BACKENDS[backend](keys):
            response = requests.request(**request, timeout=TIMEOUT, allow_redirects=False)
            response.raise_for_status()
    except requests.RequestException:
        logger.error("CDN purge failed (%s): %s", backend, " ".join(keys), exc_info=True)
        raise


def varnish_requests(keys):
    for url in settings.VARNISH_PURGE_URLS:
        yield {"method": "PURGE", "url": url, "headers": {"xkey-purge": " ".join(keys)}}


def fastly_requests(keys):
    url = f"{settings.FASTLY_API_URL}/service/{settings.FASTLY_SERVICE_ID}/purge"
    headers = {"Fastly-Key": settings.FASTLY_API_TOKEN, "Accept": "application/json"}
    for batch in _batches(keys, 256):
        yield {"method": "POST", "url": url, "headers": headers, "json": {"surrogate_keys": batch}}


def cloudflare_requests(keys):
    url = f"{settings.CLOUDFLARE_API_URL}/client/v4/zones/{settings.CLOUDFLARE_ZONE_ID}/purge_cache"
    headers = {"Authorization": f"Bearer {settings.CLOUDFLARE_API_TOKEN}"}
    for batch in _batches(keys, 30):
        yield {"method": "POST", "url": url, "headers": headers, "json": {"tags": batch}}


BACKENDS = {
    "varnish": varnish_requests,
    "fastly": fastly_requests,
    "cloudflare": cloudflare_requests,
}


def _batches(keys, size):
    for start in range(0, len(keys), size):
        yield keys[start : start + size]
