"""Publishing tells the front ends: signed webhooks, sent in the background, retried.

Each test points FRONTEND_WEBHOOK_URLS at a real HTTP server on 127.0.0.1, queues tasks in
the database as every environment but the test suite does (cms.settings.base.TASKS), lets
the change commit, then runs the database task worker, as `make run` does beside runserver.
Scheduled publishing (`manage.py publish_scheduled`) is here too: it publishes, so it
sends webhooks like an editor does.
"""

import datetime
import hashlib
import hmac
import io
import logging
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from home import models as home
from news.models import NewsIndexPage, NewsPage
from tests.support.webhook_receiving import Delivery, LocalServer, send_webhooks_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

SECRET = b"test-webhook-secret"  # cms.settings.test
TASK_PATH = "webhooks.tasks.deliver_webhook"


# A front end that receives webhooks ----------------------------------------------------------


class Receiver(LocalServer):
    """An HTTP server on a free local port that records every POST.

    It answers with the statuses in `statuses` in turn, then 200.
    """

    def __init__(self):
        self.deliveries = []
        self.statuses = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.deliveries.append(Delivery(self.path, self.headers, body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):
                pass

        self.serve(Handler)
        self.url = f"{self.origin}/api/revalidate"


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def front_end(settings, receiver):
    """Webhooks go to the receiver through the database queue, retried at once."""
    send_webhooks_to(settings, receiver.url)
    return receiver


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a change's on-commit callbacks, as the end of a real transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class RecordingHandler(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.INFO)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def webhook_log():
    """The delivery outcomes logged to `cms.webhooks`, each with its fields in `.webhook`."""
    logger = logging.getLogger("cms.webhooks")
    handler = RecordingHandler()
    logger.addHandler(handler)
    yield lambda: [record for record in handler.records if hasattr(record, "webhook")]
    logger.removeHandler(handler)


def run_worker():
    """What `manage.py db_worker --queue-name webhooks --batch` does, in this thread.

    The worker closes stale connections between tasks; here that would close the test's
    own transaction (on PostgreSQL), so it is left out, as Django's test client does.
    """
    worker = Worker(
        queue_names=["webhooks"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    with mock.patch(f"{Worker.__module__}.close_old_connections"):
        worker.run()


def webhook_tasks():
    return DBTaskResult.objects.filter(task_path=TASK_PATH).order_by("enqueued_at")


def unused_port_url():
    """The URL of a local port with nothing listening on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/revalidate"


def signature_of(body):
    return "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()


def add_news(title, *, live=False):
    return NewsIndexPage.objects.get().add_child(
        instance=NewsPage(
            title=title,
            date=datetime.date(2030, 1, 15),
            summary=f"What happened: {title}.",
            live=live,
        )
    )


def without_time(payload):
    """The payload less `occurred_at`, checked to be ISO 8601 in UTC and just now."""
    occurred_at = payload.pop("occurred_at")
    assert occurred_at.endswith("Z")
    moment = datetime.datetime.fromisoformat(occurred_at)
    assert moment.utcoffset() == datetime.timedelta(0)
    assert abs(timezone.now() - moment) < datetime.timedelta(minutes=1)
    return payload


# Pages ---------------------------------------------------------------------------------------


def test_publishing_a_news_page_posts_a_signed_event(front_end, committed):
    page = add_news("Fostering fortnight")

    with committed():
        page.save_revision().publish()
    assert front_end.deliveries == [], "sent in the editor's request, not in the background"
    run_worker()

    [delivery] = front_end.deliveries
    assert delivery.path == "/api/revalidate"
    assert delivery.headers["Content-Type"] == "application/json"
    assert delivery.event == "page.published"
    assert uuid.UUID(delivery.headers["X-Southwark-Delivery"])
    assert hmac.compare_digest(
        delivery.headers["X-Southwark-Signature"], signature_of(delivery.body)
    )
    assert without_time(delivery.payload) == {
        "event": "page.published",
        "type": "news.NewsPage",
        "id": page.pk,
        "urlPath": "/news/fostering-fortnight/",
        "url": page.get_full_url(),
    }
    assert delivery.payload["url"].startswith(("http://", "https://"))
    assert delivery.payload["url"].endswith("/news/fostering-fortnight/")


def test_publishing_through_the_admin_sends_the_event_after_the_request(
    front_end, committed, admin_client, news_page_form
):
    page = add_news("Adoption week")
    form = news_page_form(
        title=page.title,
        slug=page.slug,
        date="2030-01-15",
        summary=page.summary,
        tags="adoption",
    )

    with committed():
        response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), form)
    assert response.status_code == 302, response.context["form"].errors
    assert front_end.deliveries == []
    run_worker()

    assert [delivery.event for delivery in front_end.deliveries] == ["page.published"]
    assert front_end.deliveries[0].payload["id"] == page.pk


def test_unpublishing_a_page_posts_page_unpublished(front_end, committed):
    page = add_news("Withdrawn release", live=True)

    with committed():
        page.unpublish()
    run_worker()

    [delivery] = front_end.deliveries
    assert without_time(delivery.payload) == {
        "event": "page.unpublished",
        "type": "news.NewsPage",
        "id": page.pk,
        "urlPath": "/news/withdrawn-release/",
        "url": page.get_full_url(),
    }


def test_deleting_a_live_page_posts_unpublished_then_deleted_once(front_end, committed):
    page = add_news("Deleted release", live=True)
    page_id, url = page.pk, page.get_full_url()

    with committed():
        page.delete()
    run_worker()

    assert [delivery.event for delivery in front_end.deliveries] == [
        "page.unpublished",
        "page.deleted",
    ]
    assert without_time(front_end.deliveries[1].payload) == {
        "event": "page.deleted",
        "type": "news.NewsPage",
        "id": page_id,
        "urlPath": "/news/deleted-release/",
        "url": url,
    }


def test_moving_a_page_posts_its_new_and_previous_paths(front_end, committed):
    page = home.HomePage.objects.get().add_child(
        instance=home.StandardPage(title="Our teams", slug="our-teams")
    )
    about = home.StandardPage.objects.get(slug="about")

    with committed():
        page.move(about, pos="last-child")
    run_worker()

    [delivery] = front_end.deliveries
    payload = without_time(delivery.payload)
    assert payload["event"] == "page.moved"
    assert payload["type"] == "home.StandardPage"
    assert payload["urlPath"] == "/about/our-teams/"
    assert payload["previousUrlPath"] == "/our-teams/"


def test_a_change_that_rolls_back_sends_nothing(front_end, django_capture_on_commit_callbacks):
    page = add_news("Never committed")

    with django_capture_on_commit_callbacks(execute=False):
        page.save_revision().publish()
    run_worker()

    assert front_end.deliveries == []
    assert not webhook_tasks().exists()


def test_without_webhook_urls_nothing_is_queued(front_end, settings, committed):
    settings.FRONTEND_WEBHOOK_URLS = []

    with committed():
        add_news("Quiet release").save_revision().publish()

    assert not webhook_tasks().exists()


# Snippets and settings -----------------------------------------------------------------------


def test_testimonial_changes_post_snippet_events(front_end, committed):
    testimonial = home.Testimonial(quote="They listened.", attribution="A young person", live=False)
    testimonial.save()

    with committed():
        testimonial.save_revision().publish()
    testimonial.refresh_from_db()
    with committed():
        testimonial.unpublish()
    testimonial_id = testimonial.pk
    with committed():
        testimonial.delete()
    run_worker()

    assert [delivery.event for delivery in front_end.deliveries] == [
        "snippet.published",
        "snippet.unpublished",
        "snippet.deleted",
    ]
    for delivery in front_end.deliveries:
        assert without_time(delivery.payload) == {
            "event": delivery.event,
            "type": "home.Testimonial",
            "id": testimonial_id,
            "urlPath": None,
            "url": None,
        }
        assert hmac.compare_digest(
            delivery.headers["X-Southwark-Signature"], signature_of(delivery.body)
        )


def test_publishing_an_inspection_posts_snippet_published(front_end, committed):
    inspection = home.Inspection.objects.order_by("-published_on").first()
    inspection.summary += " Updated."

    with committed():
        inspection.save_revision().publish()
    run_worker()

    [delivery] = front_end.deliveries
    assert delivery.payload["event"] == "snippet.published"
    assert delivery.payload["type"] == "home.Inspection"
    assert delivery.payload["id"] == inspection.pk


def test_saving_a_draft_snippet_sends_nothing(front_end, committed):
    testimonial = home.Testimonial.objects.first()
    testimonial.quote += " (draft edit)"

    with committed():
        testimonial.save_revision()
    run_worker()

    assert front_end.deliveries == []


def test_saving_the_organisation_settings_posts_settings_saved(front_end, committed):
    organisation = home.OrganisationSettings.objects.get()
    organisation.recruitment_email = "careers@example.org"

    with committed():
        organisation.save()
    run_worker()

    [delivery] = front_end.deliveries
    assert delivery.event == "settings.saved"
    assert without_time(delivery.payload) == {
        "event": "settings.saved",
        "type": "home.OrganisationSettings",
        "id": organisation.pk,
        "urlPath": None,
        "url": None,
    }
    assert hmac.compare_digest(
        delivery.headers["X-Southwark-Signature"], signature_of(delivery.body)
    )


# Delivery: retries, failures, never in the editor's way --------------------------------------


def test_a_failed_delivery_is_retried_and_every_attempt_logged(front_end, committed, webhook_log):
    front_end.statuses = [500]
    page = add_news("Retried release")

    with committed():
        page.save_revision().publish()
    run_worker()

    first, second = front_end.deliveries
    assert first.body == second.body
    assert first.headers["X-Southwark-Delivery"] == second.headers["X-Southwark-Delivery"]
    assert [first.headers["X-Southwark-Attempt"], second.headers["X-Southwark-Attempt"]] == [
        "1",
        "2",
    ]
    assert hmac.compare_digest(second.headers["X-Southwark-Signature"], signature_of(second.body))
    assert [record.webhook for record in webhook_log()] == [
        {"url": front_end.url, "event": "page.published", "status": 500, "attempt": 1},
        {"url": front_end.url, "event": "page.published", "status": 200, "attempt": 2},
    ]
    assert [task.status for task in webhook_tasks()] == ["SUCCESSFUL", "SUCCESSFUL"]


def test_a_backend_that_cannot_defer_retries_in_place(receiver, settings, committed):
    settings.FRONTEND_WEBHOOK_URLS = [receiver.url]
    settings.FRONTEND_WEBHOOK_BACKOFF = 0
    receiver.statuses = [500]
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")

    with committed():
        add_news("Sent at once").save_revision().publish()

    assert [delivery.headers["X-Southwark-Attempt"] for delivery in receiver.deliveries] == [
        "1",
        "2",
    ]


def test_a_retry_waits_for_the_back_off(front_end, settings, committed):
    settings.FRONTEND_WEBHOOK_BACKOFF = 60
    front_end.statuses = [503]

    with committed():
        add_news("Waiting release").save_revision().publish()
    run_worker()

    assert len(front_end.deliveries) == 1
    retry = webhook_tasks().get(status="READY")
    delay = (retry.run_after - timezone.now()).total_seconds()
    assert 50 < delay <= 60
    assert retry.args_kwargs["kwargs"]["attempt"] == 2


def test_an_unreachable_front_end_neither_fails_nor_slows_publishing(
    front_end, settings, committed, admin_client, webhook_log
):
    unreachable = unused_port_url()
    settings.FRONTEND_WEBHOOK_URLS = [unreachable, front_end.url]
    page = add_news("Published regardless", live=True)

    started = time.monotonic()
    with committed():
        response = admin_client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    page.refresh_from_db()
    assert not page.live
    assert elapsed < 2
    assert [task.status for task in webhook_tasks()] == ["READY", "READY"]

    run_worker()

    assert [delivery.event for delivery in front_end.deliveries] == ["page.unpublished"]
    failures = [record for record in webhook_log() if record.webhook["url"] == unreachable]
    assert [(r.webhook["attempt"], r.webhook["status"]) for r in failures] == [
        (1, None),
        (2, None),
        (3, None),
    ]
    assert failures[-1].levelno == logging.ERROR
    assert webhook_tasks().filter(status="FAILED").count() == 1


# Scheduled publishing ------------------------------------------------------------------------


def test_a_scheduled_revision_goes_live_with_publish_scheduled(front_end, committed):
    page = add_news("Scheduled release")
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    page.go_live_at = an_hour_ago
    page.save_revision(approved_go_live_at=an_hour_ago)
    page.refresh_from_db()
    assert not page.live

    with committed():
        call_command("publish_scheduled", stdout=io.StringIO())
    run_worker()

    page.refresh_from_db()
    assert page.live
    assert NewsPage.objects.live().filter(pk=page.pk).exists()
    assert [delivery.event for delivery in front_end.deliveries] == ["page.published"]


def test_an_expired_page_is_unpublished_by_publish_scheduled(front_end, committed):
    page = add_news("Expiring release", live=True)
    NewsPage.objects.filter(pk=page.pk).update(
        expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    with committed():
        call_command("publish_scheduled", stdout=io.StringIO())
    run_worker()

    page.refresh_from_db()
    assert not page.live
    assert page.expired
    assert [delivery.event for delivery in front_end.deliveries] == ["page.unpublished"]
