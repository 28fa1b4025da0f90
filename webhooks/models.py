"""What changed (the changes feed), and what was sent to each front end about it.

A `Change` is one event (`page.published`, ...), recorded once its transaction commits;
its id orders the feed and its cursors. A `Delivery` is that event's webhook to one
front-end URL, and each `Attempt` one request made for it.
"""

import json
import uuid
from datetime import UTC

from django.db import models
from django.utils import timezone


def new_webhook_id():
    return f"msg_{uuid.uuid4().hex}"


class Change(models.Model):
    event = models.CharField(max_length=40, help_text="e.g. page.published")
    content_type = models.CharField(max_length=100, help_text="The model, e.g. news.NewsPage")
    object_id = models.PositiveBigIntegerField()
    # Null where there is no path (snippets, settings; a page where it is not public), as
    # the webhooks and the feed answer it.
    url_path = models.CharField(max_length=2048, null=True, blank=True)  # noqa: DJ001
    previous_url_path = models.CharField(max_length=2048, null=True, blank=True)  # noqa: DJ001
    url = models.CharField(max_length=2048, null=True, blank=True)  # noqa: DJ001
    # The site a page or site setting belongs to; none for snippets and generic settings,
    # which every site serves.
    site = models.ForeignKey(
        "wagtailcore.Site", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # page.published: "major" when the page's lastUpdated moved (a first publish, or a
    # change its editor marked major), else "minor"; empty for other events.
    change = models.CharField(max_length=5, blank=True)
    # An item's event: the release it was published in, if any (releases/).
    release_id = models.PositiveBigIntegerField(null=True, blank=True)
    # release.published: the items' events that follow it (type, id, event, urlPath, url).
    items = models.JSONField(default=list, blank=True)
    # The language of a translatable item (a BCP 47 tag; '' for settings), and the id of
    # its source-language version (itself for a source; null when there is none).
    locale = models.CharField(max_length=35, blank=True, default="")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    webhook_id = models.CharField(max_length=40, unique=True, default=new_webhook_id)
    # On the oldest event kept: the id of the newest one pruned before it (ids have gaps,
    # so only this says whether a cursor has missed events that are gone).
    pruned_up_to = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    def __str__(self):
        return f"{self.event} {self.content_type} {self.object_id}"

    def webhook_body(self):
        """The JSON sent to every front end, as text: what is signed is what is sent."""
        payload = {
            "event": self.event,
            "type": self.content_type,
            "id": self.object_id,
            "urlPath": self.url_path,
            "url": self.url,
            "occurred_at": self.occurred_at.astimezone(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }
        if self.locale:
            payload["locale"] = self.locale
            payload["sourceId"] = self.source_id
        if self.event == "page.moved":
            payload["previousUrlPath"] = self.previous_url_path
        if self.change:
            payload["change"] = self.change
        if self.event == "release.published":
            payload["items"] = self.items
        if self.release_id is not None:
            payload["release"] = self.release_id
        return json.dumps(payload, separators=(",", ":"))

    def item(self):
        """This event as an item of its release's event."""
        return {
            "event": self.event,
            "type": self.content_type,
            "id": self.object_id,
            "urlPath": self.url_path,
            "url": self.url,
        }

    class Meta:
        verbose_name = "change"


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "pending"
        DELIVERED = "delivered", "delivered"
        FAILED = "failed", "failed (gave up)"

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="deliveries")
    url = models.CharField(max_length=2048)
    body = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    queued_at = models.DateTimeField(default=timezone.now)  # again when re-sent
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Failed attempts since it was queued: the retry schedule's place.
    failures = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return f"{self.change.event} to {self.url}"

    @property
    def event(self):
        return self.change.event

    @property
    def webhook_id(self):
        return self.change.webhook_id

    class Meta:
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        # Deliveries are a record: viewed, and re-sent, never added or edited by hand.
        default_permissions = ("view",)
        permissions = [("resend_delivery", "Can re-send webhook deliveries")]
        indexes = [models.Index(fields=["url", "state", "change"])]


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    duration_ms = models.PositiveIntegerField()

    def __str__(self):
        return self.outcome

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def outcome(self):
        return self.error or f"HTTP {self.status_code}"

    class Meta:
        ordering = ["attempted_at", "pk"]
