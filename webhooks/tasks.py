"""Delivering one webhook event to one front end, in the background, with retries.

The task runs in the task worker (`manage.py db_worker`, see TASKS in settings), never in
an editor's request. A failed attempt is retried after FRONTEND_WEBHOOK_BACKOFF seconds,
doubling each time (1 s, 2 s, 4 s by default), up to FRONTEND_WEBHOOK_MAX_ATTEMPTS in all.
A retry is queued as a new task to run later rather than slept on, so a front end that is
down does not hold up the worker. On a backend that cannot defer tasks (the immediate one
the test settings use) it sleeps and retries in place.
"""

import hashlib
import hmac
import logging
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("cms.webhooks")

SIGNATURE_HEADER = "X-Southwark-Signature"
EVENT_HEADER = "X-Southwark-Event"
DELIVERY_HEADER = "X-Southwark-Delivery"
ATTEMPT_HEADER = "X-Southwark-Attempt"


class WebhookDeliveryError(Exception):
    """Every attempt to deliver a webhook failed: the task is recorded as failed."""


def sign(body: bytes, secret: str) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the raw request body, keyed with the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@task(queue_name="webhooks")
def deliver_webhook(url, event, body, delivery_id, attempt=1):
    data = body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "southwark-cms-webhooks/1",
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery_id,
        ATTEMPT_HEADER: str(attempt),
    }
    if settings.FRONTEND_WEBHOOK_SECRET:
        headers[SIGNATURE_HEADER] = sign(data, settings.FRONTEND_WEBHOOK_SECRET)

    status = None
    try:
        response = requests.post(
            url,
            data=data,
            headers=headers,
            timeout=settings.FRONTEND_WEBHOOK_TIMEOUT,
            allow_redirects=False,
        )
        status = response.status_code
        outcome = "delivered" if 200 <= status < 300 else f"HTTP {status}"
    except requests.RequestException as error:
        outcome = type(error).__name__

    log = {"url": url, "event": event, "status": status, "attempt": attempt}
    if outcome == "delivered":
        logger.info(
            "Webhook delivered url=%s event=%s status=%s attempt=%s delivery=%s",
            url,
            event,
            status,
            attempt,
            delivery_id,
            extra={"webhook": log},
        )
        return log

    given_up = attempt >= settings.FRONTEND_WEBHOOK_MAX_ATTEMPTS
    delay = settings.FRONTEND_WEBHOOK_BACKOFF * 2 ** (attempt - 1)
    logger.log(
        logging.ERROR if given_up else logging.WARNING,
        "Webhook failed, %s url=%s event=%s status=%s attempt=%s delivery=%s: %s",
        "giving up" if given_up else f"retrying in {delay}s",
        url,
        event,
        status,
        attempt,
        delivery_id,
        outcome,
        extra={"webhook": log},
    )
    if given_up:
        raise WebhookDeliveryError(f"{event} to {url}: {outcome} after {attempt} attempts")

    retry = deliver_webhook
    if retry.get_backend().supports_defer:
        retry = retry.using(run_after=timezone.now() + timedelta(seconds=delay))
    else:
        time.sleep(delay)
    retry.enqueue(url=url, event=event, body=body, delivery_id=delivery_id, attempt=attempt + 1)
    return {**log, "retry_in": delay}
