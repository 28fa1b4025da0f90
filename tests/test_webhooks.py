"""Publishing tells the front ends: Standard Webhooks, sent in the background, retried on a
schedule, in order, recorded for administrators.

Each test points FRONTEND_WEBHOOK_URLS at a real HTTP server on 127.0.0.1, queues tasks in
the database as every environment but the test suite does (cms.settings.base.TASKS), lets
the change commit, then runs the database task worker, as `make run` does beside runserver.
Scheduled publishing (`manage.py publish_scheduled`) is here too: it publishes, so it
sends webhooks like an editor does. The receivers' side (the standardwebhooks libraries)
is tests/test_webhook_receivers.py; the changes feed, tests/test_changes_feed.py.
"""

import datetime
import io
import itertools
import logging
import re
import socket
import time

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import checks
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import PageViewRestriction

from cms.settings import base as base_settings
from home import models as home
from news.models import NewsPage
from tests.support.app_process import production_env, run
from tests.support.factories import (
    NewsPageFactory,
    StandardPageFactory,
    TestimonialFactory,
    publish,
)
from tests.support.webhook_receiving import WEBHOOK_SECRET, run_webhook_worker
from webhooks.models import Change, Delivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

TASK_PATH = "webhooks.tasks.send_deliveries"


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


def run_worker_until_sent(timeout=20):
    """Run the worker as a long-running one would, until no delivery waits."""
    deadline = time.monotonic() + timeout
    while Delivery.objects.filter(state=Delivery.State.PENDING).exists():
        assert time.monotonic() < deadline, "deliveries still waiting"
        run_webhook_worker()
        time.sleep(0.02)


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


def test_publishing_a_news_page_posts_a_standard_webhook(webhooks, committed):
    page = NewsPageFactory(title="Fostering fortnight", live=False)

    with committed():
        publish(page)
    assert webhooks.deliveries == [], "sent in the editor's request, not in the background"
    run_webhook_worker()

    [delivery] = webhooks.deliveries
    assert delivery.path == "/api/revalidate"
    assert delivery.headers["Content-Type"] == "application/json"
    assert delivery.event == "page.published"
    assert re.fullmatch(r"msg_[0-9a-f]{32}", delivery.webhook_id)
    assert abs(int(delivery.headers["webhook-timestamp"]) - time.time()) < 60
    assert delivery.headers["webhook-signature"].startswith("v1,")
    assert delivery.signed_with(WEBHOOK_SECRET)
    assert without_time(delivery.payload) == {
        "event": "page.published",
        "type": "news.NewsPage",
        "id": page.pk,
        "urlPath": "/news/fostering-fortnight/",
        "url": page.get_full_url(),
        "locale": "en-GB",
        "sourceId": page.pk,
        "change": "major",  # a first publish moves the page's lastUpdated
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
    run_webhook_worker()

    assert [delivery.event for delivery in webhooks.deliveries] == ["page.published"]
    assert webhooks.deliveries[0].payload["id"] == page.pk


def test_unpublishing_a_page_posts_page_unpublished(webhooks, committed):
    page = NewsPageFactory(title="Withdrawn release")

    with committed():
        page.unpublish()
    run_webhook_worker()

    [delivery] = webhooks.deliveries
    assert without_time(delivery.payload) == {
        "event": "page.unpublished",
        "type": "news.NewsPage",
        "id": page.pk,
        "urlPath": "/news/withdrawn-release/",
        "url": page.get_full_url(),
        "locale": "en-GB",
        "sourceId": page.pk,
    }


def test_deleting_a_live_page_posts_unpublished_then_deleted_once(webhooks, committed):
    page = NewsPageFactory(title="Deleted release")
    page_id, url = page.pk, page.get_full_url()

    with committed():
        page.delete()
    run_webhook_worker()

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
        "locale": "en-GB",
        "sourceId": page_id,
    }


def test_moving_a_page_posts_its_new_and_previous_paths(webhooks, committed):
    page = StandardPageFactory(title="Our teams", slug="our-teams")
    about = home.StandardPage.objects.get(slug="about")

    with committed():
        page.move(about, pos="last-child")
    run_webhook_worker()

    [delivery] = webhooks.deliveries
    payload = without_time(delivery.payload)
    assert payload["event"] == "page.moved"
    assert payload["type"] == "home.StandardPage"
    assert payload["urlPath"] == "/about/our-teams/"
    assert payload["previousUrlPath"] == "/our-teams/"


def test_pages_no_one_may_see_make_no_event(webhooks, committed):
    """A draft's path is draft text, and a private page's is private: the feed, which
    anyone may read, and the webhooks have the same events."""
    private = NewsPageFactory(title="Members only", password="secret", live=False)
    hidden_section = StandardPageFactory(title="Hidden section", live=False)
    below_it = StandardPageFactory(title="Below it", parent=hidden_section, live=False)
    draft = NewsPageFactory(title="Never published", live=False)

    with committed():
        publish(private)
        publish(below_it)
        private.unpublish()
        draft.delete()
    run_webhook_worker()

    assert webhooks.deliveries == []
    assert not Change.objects.exists()


def test_a_page_moved_somewhere_private_says_where_it_was_only(webhooks, committed):
    page = StandardPageFactory(title="Moving out", slug="moving-out")
    private = StandardPageFactory(title="Staff area", slug="staff-area")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="staff"
    )

    with committed():
        page.move(private, pos="last-child")
    run_webhook_worker()

    [delivery] = webhooks.deliveries
    payload = without_time(delivery.payload)
    assert (payload["event"], payload["urlPath"], payload["url"]) == ("page.moved", None, None)
    assert payload["previousUrlPath"] == "/moving-out/"


def test_a_change_that_rolls_back_sends_nothing(webhooks, django_capture_on_commit_callbacks):
    page = NewsPageFactory(title="Never committed", live=False)

    with django_capture_on_commit_callbacks(execute=False):
        publish(page)
    run_webhook_worker()

    assert webhooks.deliveries == []
    assert not webhook_tasks().exists()
    assert not Change.objects.exists()


def test_without_webhook_urls_nothing_is_queued_but_the_change_is_recorded(
    webhooks, settings, committed
):
    settings.FRONTEND_WEBHOOK_URLS = []

    with committed():
        publish(NewsPageFactory(title="Quiet release", live=False))

    assert not webhook_tasks().exists()
    assert not Delivery.objects.exists()
    assert [change.event for change in Change.objects.all()] == ["page.published"]


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
    run_webhook_worker()

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
            "locale": "en-GB",
            "sourceId": testimonial_id,
        }
        assert delivery.signed_with(WEBHOOK_SECRET)
    assert len({delivery.webhook_id for delivery in webhooks.deliveries}) == 3


def test_publishing_an_inspection_posts_snippet_published(webhooks, committed):
    inspection = home.Inspection.objects.order_by("-published_on").first()
    inspection.summary += " Updated."

    with committed():
        publish(inspection)
    run_webhook_worker()

    [delivery] = webhooks.deliveries
    assert delivery.payload["event"] == "snippet.published"
    assert delivery.payload["type"] == "home.Inspection"
    assert delivery.payload["id"] == inspection.pk


def test_saving_a_draft_snippet_sends_nothing(webhooks, committed):
    testimonial = home.Testimonial.objects.first()
    testimonial.quote += " (draft edit)"

    with committed():
        testimonial.save_revision()
    run_webhook_worker()

    assert webhooks.deliveries == []


def test_saving_the_organisation_settings_posts_settings_saved(webhooks, committed):
    organisation = home.OrganisationSettings.objects.get()
    organisation.recruitment_email = "careers@example.org"

    with committed():
        organisation.save()
    run_webhook_worker()

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


# Delivery: retries, order, failures, never in the editor's way -------------------------------


def test_a_failed_delivery_is_retried_and_every_attempt_recorded(webhooks, committed):
    webhooks.statuses = [500]
    page = NewsPageFactory(title="Retried release", live=False)

    with committed():
        publish(page)
    run_webhook_worker()

    first, second = webhooks.deliveries
    assert first.body == second.body
    assert first.webhook_id == second.webhook_id, "one id for the event, on every attempt"
    assert second.signed_with(WEBHOOK_SECRET)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.url) == ("delivered", webhooks.webhook_url)
    assert delivery.body == first.body.decode()
    assert [(a.status_code, a.error) for a in delivery.attempts.all()] == [(500, ""), (200, "")]
    assert all(attempt.duration_ms < 2000 for attempt in delivery.attempts.all())


def test_a_retry_is_queued_for_later_not_slept_on(webhooks, settings, committed, webhook_log):
    settings.FRONTEND_WEBHOOK_RETRY_SCHEDULE = [60, 600]
    webhooks.statuses = [503]

    started = time.monotonic()
    with committed():
        publish(NewsPageFactory(title="Waiting release", live=False))
    run_webhook_worker()

    assert time.monotonic() - started < 10
    assert len(webhooks.deliveries) == 1
    retry = webhook_tasks().get(status="READY")
    delay = (retry.run_after - timezone.now()).total_seconds()
    assert 50 < delay <= 60
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.failures) == ("pending", 1)
    assert delivery.next_attempt_at == retry.run_after
    [record] = webhook_log()
    assert record.levelno == logging.WARNING
    assert record.webhook["status"] == 503
    assert "retrying at" in record.getMessage()


def test_the_default_schedule_retries_for_more_than_a_day(settings):
    schedule = base_settings.FRONTEND_WEBHOOK_RETRY_SCHEDULE
    assert schedule == settings.FRONTEND_WEBHOOK_RETRY_SCHEDULE
    assert schedule == sorted(schedule), "backing off"
    assert sum(schedule) > 24 * 60 * 60


def test_a_front_end_down_for_two_minutes_gets_every_event_in_order_once_back(
    webhooks, settings, committed
):
    # The default schedule a hundred times faster: the two minutes are 1.2 seconds. The
    # attempts at 0, 5 and 35 s fall in the outage and are refused; the next, at 2 min
    # 35 s, finds the front end back.
    speed_up = 100
    settings.FRONTEND_WEBHOOK_RETRY_SCHEDULE = [
        delay / speed_up for delay in base_settings.FRONTEND_WEBHOOK_RETRY_SCHEDULE
    ]
    attempt_times = itertools.accumulate([0, *base_settings.FRONTEND_WEBHOOK_RETRY_SCHEDULE])
    refused = sum(1 for at in attempt_times if at < 2 * 60)
    assert refused == 3
    webhooks.statuses = [503] * refused

    first = NewsPageFactory(title="Down release", live=False)
    with committed():
        publish(first)
    run_webhook_worker()
    assert len(webhooks.deliveries) == 1, "the retry waits in the queue"
    # More events while it is down: they wait behind the first.
    second = NewsPageFactory(title="Second release", live=False)
    with committed():
        publish(second)
    testimonial = TestimonialFactory(live=False)
    with committed():
        publish(testimonial)
    run_worker_until_sent()

    received = [
        (d.event, d.payload["id"], d.headers.get("webhook-id")) for d in webhooks.deliveries
    ]
    first_id, second_id, third_id = Change.objects.order_by("pk").values_list(
        "webhook_id", flat=True
    )
    assert received == [
        *[("page.published", first.pk, first_id)] * (refused + 1),
        ("page.published", second.pk, second_id),
        ("snippet.published", testimonial.pk, third_id),
    ]
    assert all(delivery.signed_with(WEBHOOK_SECRET) for delivery in webhooks.deliveries)
    attempts = Delivery.objects.get(change__webhook_id=first_id).attempts.all()
    assert [attempt.outcome for attempt in attempts] == ["HTTP 503"] * refused + ["HTTP 200"]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}


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

    run_webhook_worker()

    assert [delivery.event for delivery in webhooks.deliveries] == ["page.unpublished"]
    failed = Delivery.objects.get(url=unreachable)
    assert failed.state == "failed"
    assert [attempt.error for attempt in failed.attempts.all()] == ["ConnectionError"] * 3
    failures = [record for record in webhook_log() if record.webhook["url"] == unreachable]
    assert [r.levelno for r in failures] == [logging.WARNING, logging.WARNING, logging.ERROR]
    assert "giving up" in failures[-1].getMessage()


# Administrators: the deliveries, their attempts, a re-send -----------------------------------


def test_an_administrator_sees_the_failed_attempts_and_re_sends(webhooks, committed, admin_client):
    webhooks.statuses = [500, 500, 500]
    page = NewsPageFactory(title="Refused release", live=False)
    with committed():
        publish(page)
    run_webhook_worker()
    delivery = Delivery.objects.get()
    assert delivery.state == "failed"

    listing = admin_client.get(reverse("webhook_deliveries:index"))
    assert listing.status_code == 200
    row = listing.content.decode()
    assert f"page.published news.NewsPage {page.pk}" in row
    assert "failed (gave up)" in row

    inspect_url = reverse("webhook_deliveries:inspect", args=[delivery.pk])
    inspected = admin_client.get(inspect_url).content.decode()
    assert inspected.count("HTTP 500") == 3
    assert delivery.webhook_id in inspected
    resend_url = reverse("webhook_deliveries:resend", args=[delivery.pk])
    assert resend_url in inspected

    assert admin_client.get(resend_url).status_code == 200  # asks to confirm
    with committed():
        response = admin_client.post(resend_url)
    assert response.status_code == 302
    assert response.url == inspect_url
    run_webhook_worker()

    resent = webhooks.deliveries[-1]
    assert resent.webhook_id == delivery.webhook_id
    assert resent.signed_with(WEBHOOK_SECRET)
    delivery.refresh_from_db()
    assert delivery.state == "delivered"
    assert [attempt.outcome for attempt in delivery.attempts.all()] == ["HTTP 500"] * 3 + [
        "HTTP 200"
    ]
    assert "HTTP 200" in admin_client.get(inspect_url).content.decode()


def test_a_delivery_waiting_to_be_sent_is_not_queued_twice(
    webhooks, settings, committed, admin_client
):
    settings.FRONTEND_WEBHOOK_RETRY_SCHEDULE = [60]
    webhooks.statuses = [503]
    with committed():
        publish(NewsPageFactory(title="Waiting", live=False))
    run_webhook_worker()
    delivery = Delivery.objects.get(state="pending")
    tasks_before = webhook_tasks().count()

    admin_client.post(reverse("webhook_deliveries:resend", args=[delivery.pk]))

    assert webhook_tasks().count() == tasks_before


def test_deliveries_are_for_administrators_and_those_given_permission(
    webhooks, committed, client, django_user_model
):
    with committed():
        publish(NewsPageFactory(title="Seen by few", live=False))
    run_webhook_worker()
    delivery = Delivery.objects.get()
    index_url = reverse("webhook_deliveries:index")
    resend_url = reverse("webhook_deliveries:resend", args=[delivery.pk])
    editors = Group.objects.create(name="Delivery viewers")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    editor = django_user_model.objects.create_user("editor", password="x" * 20)
    editor.groups.add(editors)
    client.force_login(editor)

    assert client.get(index_url).status_code != 200

    editors.permissions.add(Permission.objects.get(codename="view_delivery"))
    assert client.get(index_url).status_code == 200
    inspected = client.get(reverse("webhook_deliveries:inspect", args=[delivery.pk]))
    assert resend_url not in inspected.content.decode()
    client.post(resend_url)
    assert not webhook_tasks().filter(status="READY").exists()

    editors.permissions.add(Permission.objects.get(codename="resend_delivery"))
    with committed():
        assert client.post(resend_url).status_code == 302
    assert webhook_tasks().filter(status="READY").exists()


@pytest.mark.parametrize("view", ["add", "edit", "delete"])
def test_no_one_adds_edits_or_deletes_a_delivery(view):
    with pytest.raises(NoReverseMatch):
        reverse(f"webhook_deliveries:{view}", args=[1])


# Configuration -------------------------------------------------------------------------------


def webhook_check_ids():
    return [message.id for message in checks.run_checks() if message.id.startswith("webhooks.")]


def test_the_checks_name_what_is_wrong_with_the_settings(settings):
    settings.FRONTEND_WEBHOOK_URLS = ["ftp://example.org/hook"]
    settings.FRONTEND_WEBHOOK_SECRET = "whsec_not base64!"
    # The test settings' tasks run at once: no retry could be queued for later.
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")
    assert webhook_check_ids() == ["webhooks.E001", "webhooks.E002", "webhooks.E003"]

    settings.TASKS = base_settings.TASKS
    settings.FRONTEND_WEBHOOK_URLS = ["https://www.example.org/api/revalidate"]
    settings.FRONTEND_WEBHOOK_SECRET = ""
    assert webhook_check_ids() == ["webhooks.W001"]
    settings.FRONTEND_WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    assert webhook_check_ids() == []


@pytest.mark.parametrize("secret", [None, " "], ids=["unset", "blank"])
def test_production_refuses_to_start_with_webhook_urls_and_no_secret(tmp_path, secret):
    env = production_env(
        tmp_path,
        FRONTEND_WEBHOOK_URLS="https://www.example.org/api/revalidate",
        FRONTEND_WEBHOOK_SECRET=secret,
    )
    started = run(env, "-c", "from cms.wsgi import application")
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr
    assert "FRONTEND_WEBHOOK_SECRET" in started.stderr


def test_production_starts_with_webhook_urls_and_a_secret(tmp_path):
    env = production_env(
        tmp_path,
        FRONTEND_WEBHOOK_URLS="https://www.example.org/api/revalidate",
        FRONTEND_WEBHOOK_SECRET="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    )
    started = run(env, "-c", "from cms.wsgi import application")
    assert started.returncode == 0, started.stderr


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
    run_webhook_worker()

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
    run_webhook_worker()

    page.refresh_from_db()
    assert not page.live
    assert page.expired
    assert [delivery.event for delivery in webhooks.deliveries] == ["page.unpublished"]
