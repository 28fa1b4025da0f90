"""Publishing tells the front ends: signed webhooks, sent in the background, retried.

Each test points FRONTEND_WEBHOOK_URLS at a real HTTP server on 127.0.0.1, queues tasks in
the database as every environment but the test suite does (cms.settings.base.TASKS), lets
the change commit, then runs the database task worker, as `make run` does beside runserver.
Scheduled publishing (`manage.py publish_scheduled`) is here too: it publishes, so it
sends webhooks like an editor does.
"""

import datetime
import io
import logging
import socket
import time
import uuid
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from home import models as home
from news.models import NewsPage
from tests.support.factories import (
    NewsPageFactory,
    StandardPageFactory,
    TestimonialFactory,
    publish,
)
from tests.support.webhook_receiving import WEBHOOK_SECRET, webhook_worker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

TASK_PATH = "webhooks.tasks.deliver_webhook"


# Helpers -----------------------------------------------------------------------------------------


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
    with mock.patch(f"{Worker.__module__}.close_old_connections"):
        webhook_worker().run()


def webhook_tasks():
    return DBTaskResult.objects.filter(task_path=TASK_PATH).order_by("enqueued_at")


def unused_port_url():
    """The URL of a local port with nothing listening on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/revalidate"


def without_time(payload):
    """The payload less `occurred_at`, checked to be ISO 8601 in UTC and just now."""
    occurred_at = payload.pop("occurred_at")
    assert occurred_at.endswith("Z")
    moment = datetime.datetime.fromisoformat(occurred_at)
    assert moment.utcoffset() == datetime.timedelta(0)
    assert abs(timezone.now() - moment) < datetime.timedelta(minutes=1)
    return payload


# Pages ---------------------------------------------------------------------------------------


def test_publishing_a_news_page_posts_a_signed_event(webhooks, committed):
    page = NewsPageFactory(title="Fostering fortnight", live=False)

    with committed():
        publish(page)
    assert webhooks.deliveries == [], "sent in the editor's request, not in the background"
    run_worker()

    [delivery] = webhooks.deliveries
    assert delivery.path == "/api/revalidate"
    assert delivery.headers["Content-Type"] == "application/json"
    assert delivery.event == "page.published"
    assert uuid.UUID(delivery.headers["X-Southwark-Delivery"])
    assert delivery.signed_with(WEBHOOK_SECRET)
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
    webhooks, committed, admin_client, news_page_form
):
    page = NewsPageFactory(title="Adoption week", live=False)
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
    assert webhooks.deliveries == []
    run_worker()

    assert [delivery.event for delivery in webhooks.deliveries] == ["page.published"]
    assert webhooks.deliveries[0].payload["id"] == page.pk


def test_unpublishing_a_page_posts_page_unpublished(webhooks, committed):
    page = NewsPageFactory(title="Withdrawn release")

    with committed():
        page.unpublish()
    run_worker()

    [delivery] = webhooks.deliveries
    assert without_time(delivery.payload) == {
        "event": "page.unpublished",
        "type": "news.NewsPage",
        "id": page.pk,
        "urlPath": "/news/withdrawn-release/",
        "url": page.get_full_url(),
    }


def test_deleting_a_live_page_posts_unpublished_then_deleted_once(webhooks, committed):
    page = NewsPageFactory(title="Deleted release")
    page_id, url = page.pk, page.get_full_url()

    with committed():
        page.delete()
    run_worker()

    assert [delivery.event for delivery in webhooks.deliveries] == [
        "page.unpublished",
        "page.deleted",
    ]
    assert without_time(webhooks.deliveries[1].payload) == {
        "event": "page.deleted",
        "type": "news.NewsPage",
        "id": page_id,
        "urlPath": "/news/deleted-release/",
        "url": url,
    }


def test_moving_a_page_posts_its_new_and_previous_paths(webhooks, committed):
    page = StandardPageFactory(title="Our teams", slug="our-teams")
    about = home.StandardPage.objects.get(slug="about")

    with committed():
        page.move(about, pos="last-child")
    run_worker()

    [delivery] = webhooks.deliveries
    payload = without_time(delivery.payload)
    assert payload["event"] == "page.moved"
    assert payload["type"] == "home.StandardPage"
    assert payload["urlPath"] == "/about/our-teams/"
    assert payload["previousUrlPath"] == "/our-teams/"


def test_a_change_that_rolls_back_sends_nothing(webhooks, django_capture_on_commit_callbacks):
    page = NewsPageFactory(title="Never committed", live=False)

    with django_capture_on_commit_callbacks(execute=False):
        publish(page)
    run_worker()

    assert webhooks.deliveries == []
    assert not webhook_tasks().exists()


def test_without_webhook_urls_nothing_is_queued(webhooks, settings, committed):
    settings.FRONTEND_WEBHOOK_URLS = []

    with committed():
        publish(NewsPageFactory(title="Quiet release", live=False))

    assert not webhook_tasks().exists()


# Snippets and settings -----------------------------------------------------------------------


def test_testimonial_changes_post_snippet_events(webhooks, committed):
    testimonial = TestimonialFactory(
        quote="They listened.", attribution="A young person", live=False
    )

    with committed():
        publish(testimonial)
    with committed():
        testimonial.unpublish()
    testimonial_id = testimonial.pk
    with committed():
        testimonial.delete()
    run_worker()

    assert [delivery.event for delivery in webhooks.deliveries] == [
        "snippet.published",
        "snippet.unpublished",
        "snippet.deleted",
    ]
    for delivery in webhooks.deliveries:
        assert without_time(delivery.payload) == {
            "event": delivery.event,
            "type": "home.Testimonial",
            "id": testimonial_id,
            "urlPath": None,
            "url": None,
        }
        assert delivery.signed_with(WEBHOOK_SECRET)


def test_publishing_an_inspection_posts_snippet_published(webhooks, committed):
    inspection = home.Inspection.objects.order_by("-published_on").first()
    inspection.summary += " Updated."

    with committed():
        publish(inspection)
    run_worker()

    [delivery] = webhooks.deliveries
    assert delivery.payload["event"] == "snippet.published"
    assert delivery.payload["type"] == "home.Inspection"
    assert delivery.payload["id"] == inspection.pk


def test_saving_a_draft_snippet_sends_nothing(webhooks, committed):
    testimonial = home.Testimonial.objects.first()
    testimonial.quote += " (draft edit)"

    with committed():
        testimonial.save_revision()
    run_worker()

    assert webhooks.deliveries == []


def test_saving_the_organisation_settings_posts_settings_saved(webhooks, committed):
    organisation = home.OrganisationSettings.objects.get()
    organisation.recruitment_email = "careers@example.org"

    with committed():
        organisation.save()
    run_worker()

    [delivery] = webhooks.deliveries
    assert delivery.event == "settings.saved"
    assert without_time(delivery.payload) == {
        "event": "settings.saved",
        "type": "home.OrganisationSettings",
        "id": organisation.pk,
        "urlPath": None,
        "url": None,
    }
    assert delivery.signed_with(WEBHOOK_SECRET)


# Delivery: retries, failures, never in the editor's way --------------------------------------


def test_a_failed_delivery_is_retried_and_every_attempt_logged(webhooks, committed, webhook_log):
    webhooks.statuses = [500]
    page = NewsPageFactory(title="Retried release", live=False)

    with committed():
        publish(page)
    run_worker()

    first, second = webhooks.deliveries
    assert first.body == second.body
    assert first.headers["X-Southwark-Delivery"] == second.headers["X-Southwark-Delivery"]
    assert [first.headers["X-Southwark-Attempt"], second.headers["X-Southwark-Attempt"]] == [
        "1",
        "2",
    ]
    assert second.signed_with(WEBHOOK_SECRET)
    assert [record.webhook for record in webhook_log()] == [
        {"url": webhooks.webhook_url, "event": "page.published", "status": 500, "attempt": 1},
        {"url": webhooks.webhook_url, "event": "page.published", "status": 200, "attempt": 2},
    ]
    assert [task.status for task in webhook_tasks()] == ["SUCCESSFUL", "SUCCESSFUL"]


def test_a_backend_that_cannot_defer_retries_in_place(front_end, settings, committed):
    settings.FRONTEND_WEBHOOK_URLS = [front_end.webhook_url]
    settings.FRONTEND_WEBHOOK_BACKOFF = 0
    front_end.statuses = [500]
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")

    with committed():
        publish(NewsPageFactory(title="Sent at once", live=False))

    assert [delivery.headers["X-Southwark-Attempt"] for delivery in front_end.deliveries] == [
        "1",
        "2",
    ]


def test_a_retry_waits_for_the_back_off(webhooks, settings, committed):
    settings.FRONTEND_WEBHOOK_BACKOFF = 60
    webhooks.statuses = [503]

    with committed():
        publish(NewsPageFactory(title="Waiting release", live=False))
    run_worker()

    assert len(webhooks.deliveries) == 1
    retry = webhook_tasks().get(status="READY")
    delay = (retry.run_after - timezone.now()).total_seconds()
    assert 50 < delay <= 60
    assert retry.args_kwargs["kwargs"]["attempt"] == 2


def test_an_unreachable_front_end_neither_fails_nor_slows_publishing(
    webhooks, settings, committed, admin_client, webhook_log
):
    unreachable = unused_port_url()
    settings.FRONTEND_WEBHOOK_URLS = [unreachable, webhooks.webhook_url]
    page = NewsPageFactory(title="Published regardless")

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

    assert [delivery.event for delivery in webhooks.deliveries] == ["page.unpublished"]
    failures = [record for record in webhook_log() if record.webhook["url"] == unreachable]
    assert [(r.webhook["attempt"], r.webhook["status"]) for r in failures] == [
        (1, None),
        (2, None),
        (3, None),
    ]
    assert failures[-1].levelno == logging.ERROR
    assert webhook_tasks().filter(status="FAILED").count() == 1


# Scheduled publishing ------------------------------------------------------------------------


def test_a_scheduled_revision_goes_live_with_publish_scheduled(webhooks, committed):
    page = NewsPageFactory(title="Scheduled release", live=False)
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
    assert [delivery.event for delivery in webhooks.deliveries] == ["page.published"]


def test_an_expired_page_is_unpublished_by_publish_scheduled(webhooks, committed):
    page = NewsPageFactory(title="Expiring release")
    NewsPage.objects.filter(pk=page.pk).update(
        expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    with committed():
        call_command("publish_scheduled", stdout=io.StringIO())
    run_worker()

    page.refresh_from_db()
    assert not page.live
    assert page.expired
    assert [delivery.event for delivery in webhooks.deliveries] == ["page.unpublished"]
