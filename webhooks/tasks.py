"""Sending the webhooks, in the task worker (`manage.py db_worker`), never in an editor's
request.

Each front-end URL gets its events in the order they happened: `send_deliveries(url)`
sends the URL's waiting deliveries oldest first and stops at the first that fails. That
one is tried again after the next delay of FRONTEND_WEBHOOK_RETRY_SCHEDULE, by a task
queued to run then (not slept on), and given up after the last (the admin's webhook
deliveries can re-send it); then the next goes. So while a front end is down its events
wait, and when it is back it gets them all, in order. (The price: one event a front end
keeps refusing holds up the later ones until it is given up.)

Requests follow Standard Webhooks (https://www.standardwebhooks.com): `webhook-id` (the
event's, the same on every attempt), `webhook-timestamp` (this attempt's, in unix
seconds) and `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of
`{id}.{timestamp}.{body}`), so receivers check them with the `standardwebhooks`
libraries.
"""

import base64
import hashlib
import hmac
import logging
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import Attempt, Delivery

logger = logging.getLogger("cms.webhooks")

EVENT_HEADER = "X-Southwark-Event"
SECRET_PREFIX = "whsec_"  # noqa: S105  (the prefix, not a secret)


def signing_key(secret):
    """The key a secret stands for: a `whsec_` secret's base64 after the prefix (as the
    standardwebhooks libraries read it), or a plain secret's own bytes (for secrets set
    before Standard Webhooks; receivers pass them as raw bytes)."""
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    return secret.encode()


def sign(key, webhook_id, timestamp, body):
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


@task(queue_name="webhooks")
def send_deliveries(url):
    """Send `url` its due deliveries, oldest event first, until one fails."""
    pending = Delivery.objects.filter(url=url, state=Delivery.State.PENDING)
    while True:
        delivery = pending.select_related("change").order_by("change_id", "pk").first()
        if delivery is None or delivery.next_attempt_at > timezone.now():
            return  # nothing waits, or the oldest waits for its retry, queued for then
        if not claim(delivery):
            return  # another worker is sending it, and goes on from there
        if attempt(delivery) == Delivery.State.PENDING:
            return


def claim(delivery):
    """Take the delivery for this worker, for as long as an attempt may take: another
    worker's send_deliveries finds it not yet due. Only one of two claims succeeds."""
    busy_until = timezone.now() + timedelta(seconds=settings.FRONTEND_WEBHOOK_TIMEOUT + 60)
    return Delivery.objects.filter(
        pk=delivery.pk, state=Delivery.State.PENDING, next_attempt_at=delivery.next_attempt_at
    ).update(next_attempt_at=busy_until)


def attempt(delivery):
    """One request for the delivery, recorded; then delivered, retried later or given up.
    Returns the delivery's state."""
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "southwark-cms-webhooks/2",
        EVENT_HEADER: delivery.event,
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(timestamp),
    }
    if settings.FRONTEND_WEBHOOK_SECRET:
        key = signing_key(settings.FRONTEND_WEBHOOK_SECRET)
        headers["webhook-signature"] = sign(key, delivery.webhook_id, timestamp, body)

    record = Attempt(delivery=delivery, attempted_at=timezone.now())
    started = time.monotonic()
    try:
        response = requests.post(
            delivery.url,
            data=body,
            headers=headers,
            timeout=settings.FRONTEND_WEBHOOK_TIMEOUT,
            allow_redirects=False,
        )
        record.status_code = response.status_code
    except requests.RequestException as error:
        record.error = type(error).__name__
    record.duration_ms = round((time.monotonic() - started) * 1000)

    schedule = settings.FRONTEND_WEBHOOK_RETRY_SCHEDULE
    retry_at = None
    if record.succeeded:
        delivery.state = Delivery.State.DELIVERED
    else:
        delivery.failures += 1
        if delivery.failures <= len(schedule):
            retry_at = timezone.now() + timedelta(seconds=schedule[delivery.failures - 1])
            delivery.next_attempt_at = retry_at
        else:
            delivery.state = Delivery.State.FAILED
    # Together: a retry task that ran before the delivery said when it is due would find
    # it still claimed, and leave it.
    with transaction.atomic():
        record.save()
        delivery.save(update_fields=["state", "next_attempt_at", "failures"])
        if retry_at:
            send_deliveries.using(run_after=retry_at).enqueue(url=delivery.url)
    log(delivery, record, retry_at)
    return delivery.state


def log(delivery, record, retry_at):
    fields = {
        "url": delivery.url,
        "event": delivery.event,
        "status": record.status_code,
        "webhook_id": delivery.webhook_id,
    }
    if delivery.state == Delivery.State.DELIVERED:
        level, outcome = logging.INFO, "delivered"
    elif retry_at:
        at = retry_at.isoformat(timespec="seconds")
        level, outcome = logging.WARNING, f"failed ({record.outcome}), retrying at {at}"
    else:
        level, outcome = logging.ERROR, f"failed ({record.outcome}), giving up"
    logger.log(
        level,
        "Webhook %s url=%s event=%s webhook_id=%s",
        outcome,
        delivery.url,
        delivery.event,
        delivery.webhook_id,
        extra={"webhook": fields},
    )


def resend(delivery):
    """Queue a delivery again, unless it waits already: an attempt now, then retries on
    the schedule (counted from now). Returns whether it was queued."""
    now = timezone.now()
    with transaction.atomic():
        queued = (
            Delivery.objects.filter(pk=delivery.pk)
            .exclude(state=Delivery.State.PENDING)
            .update(state=Delivery.State.PENDING, queued_at=now, next_attempt_at=now, failures=0)
        )
        if queued:
            send_deliveries.enqueue(url=delivery.url)
    return bool(queued)
