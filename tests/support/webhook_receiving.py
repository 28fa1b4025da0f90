"""What tests need to receive the webhooks a front end would: a local HTTP server, a
delivery as received, the settings that send them through the task queue to it, and the
task worker that sends them."""

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from http.client import HTTPMessage
from http.server import ThreadingHTTPServer

from django_tasks_db.management.commands.db_worker import Worker

from cms.settings import base as base_settings

WEBHOOK_SECRET = "test-webhook-secret"  # FRONTEND_WEBHOOK_SECRET in cms.settings.test


class LocalServer:
    """An HTTP server on a free port of 127.0.0.1, serving from a thread inside `with`."""

    def serve(self, handler):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


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


def webhook_worker(worker_id="test-worker"):
    """The worker `manage.py db_worker --queue-name webhooks --batch` runs: its `run()`
    sends every webhook due, retries included, then returns."""
    return Worker(
        queue_names=["webhooks"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
