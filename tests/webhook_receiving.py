"""What tests need to receive the webhooks a front end would: a delivery as received,
and the settings that send them through the task queue to a test's receiver."""

import hashlib
import hmac
import json
from dataclasses import dataclass
from http.client import HTTPMessage

from cms.settings import base as base_settings


@dataclass
class Delivery:
    path: str
    headers: HTTPMessage
    body: bytes

    @property
    def event(self):
        return self.headers["X-Southwark-Event"]

    @property
    def payload(self):
        return json.loads(self.body)

    def signed_with(self, secret):
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers.get("X-Southwark-Signature", ""), expected)


def send_webhooks_to(settings, url):
    """Webhooks to `url` through the database queue (as in production), retried at once."""
    settings.TASKS = base_settings.TASKS
    settings.FRONTEND_WEBHOOK_URLS = [url]
    settings.FRONTEND_WEBHOOK_BACKOFF = 0
    settings.FRONTEND_WEBHOOK_MAX_ATTEMPTS = 3
    settings.FRONTEND_WEBHOOK_TIMEOUT = 2
