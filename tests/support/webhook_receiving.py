"""What tests need to receive the webhooks a front end would: a local HTTP server, a
delivery as received, the settings that send them through the task queue to it, and the
task worker that sends them."""

import json
import threading
from dataclasses import dataclass
from http.client import HTTPMessage
from http.server import ThreadingHTTPServer
from unittest import mock

from django.db import connections
from django_tasks_db.management.commands.db_worker import Worker
from standardwebhooks import Webhook, WebhookVerificationError

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

    @property
    def webhook_id(self):
        return self.headers["webhook-id"]

    def signed_with(self, secret):
        """Whether the standardwebhooks library takes it as signed with `secret` (a
        `whsec_` secret, or a plain one, which receivers pass as raw bytes) and sent
        within its tolerance of five minutes."""
        key = secret if secret.startswith("whsec_") else secret.encode()
        try:
            Webhook(key).verify(self.body, dict(self.headers.items()))
        except WebhookVerificationError:
            return False
        return True


def send_webhooks_to(settings, url):
    """Webhooks to `url` through the database queue (as in production), retried twice at
    once."""
    settings.TASKS = base_settings.TASKS
    settings.FRONTEND_WEBHOOK_URLS = [url]
    settings.FRONTEND_WEBHOOK_RETRY_SCHEDULE = [0, 0]
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


def run_webhook_worker():
    """What `manage.py db_worker --queue-name webhooks --batch` does, in this thread: every
    task due now, then return (a retry queued for later stays queued).

    The worker closes stale connections between tasks; here that would close the test's
    own transaction (on PostgreSQL), so it is left out, as Django's test client does.
    """
    with mock.patch(f"{Worker.__module__}.close_old_connections"):
        webhook_worker().run()


def run_webhook_worker_in_a_thread(worker_id):
    """The same from a thread of its own, for a browser test (Playwright's event loop runs
    in the test's thread, where Django refuses the database), closing its connections."""
    failures = []

    def work():
        try:
            webhook_worker(worker_id).run()
        except Exception as error:
            failures.append(error)
        finally:
            connections.close_all()

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "the task worker did not finish"
    assert failures == []
