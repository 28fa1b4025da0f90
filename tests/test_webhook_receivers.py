"""Front ends check the CMS's webhooks with the Standard Webhooks libraries: the Python
package `standardwebhooks` and the npm package of the same name (tests/webhook_receivers/,
a Node script run here as a front end would run it).

Real deliveries, made by publishing and sent by the task worker to a local receiver, are
accepted by both; a delivery altered, signed with another secret, or replayed once its
timestamp is older than the libraries' tolerance (five minutes) is refused by both.
"""

import base64
import datetime
import json
import subprocess
from pathlib import Path
from unittest import mock

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from home import models as home
from tests.support.factories import NewsPageFactory, TestimonialFactory, publish
from tests.support.webhook_receiving import Delivery, run_webhook_worker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

RECEIVERS = Path(__file__).resolve().parent / "webhook_receivers"
# A Standard Webhooks secret, as FRONTEND_WEBHOOK_SECRET holds it: whsec_ and base64.
SECRET = "whsec_" + base64.b64encode(b"southwark test signing key, 32 b").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"another front end's secret key!!").decode()
REPLAY_DELAY = datetime.timedelta(minutes=10)  # past the libraries' tolerance of 5


@pytest.fixture(scope="module")
def node_verify():
    """Verify deliveries with the npm library: [{ok, payload} or {ok: false, error}]."""
    if not (RECEIVERS / "node_modules").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],  # noqa: S607
            cwd=RECEIVERS,
            check=True,
            timeout=300,
        )

    def verify(secret, deliveries, later=datetime.timedelta(0)):
        request = {
            "secret": secret,
            "deliveries": [received(delivery) for delivery in deliveries],
            "clockOffsetSeconds": later.total_seconds(),
        }
        done = subprocess.run(
            ["node", "verify.js"],  # noqa: S607
            cwd=RECEIVERS,
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return json.loads(done.stdout)

    return verify


def received(delivery):
    """A delivery as a front end's handler has it: the headers, and the raw body."""
    return {"headers": dict(delivery.headers.items()), "body": delivery.body.decode()}


def python_verify(secret, delivery, later=datetime.timedelta(0)):
    """The Python library's verdict on a delivery, received `later` than it was sent."""

    class Later(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime.now(tz) + later

    key = secret if secret.startswith("whsec_") else secret.encode()
    with mock.patch("standardwebhooks.webhooks.datetime", Later):
        return Webhook(key).verify(delivery.body, dict(delivery.headers.items()))


@pytest.fixture
def deliveries(webhooks, settings, django_capture_on_commit_callbacks):
    """Real deliveries signed with SECRET: a page, a snippet and the settings changed."""
    settings.FRONTEND_WEBHOOK_SECRET = SECRET
    testimonial = TestimonialFactory(live=False)
    organisation = home.OrganisationSettings.objects.get()
    for change in (
        lambda: publish(NewsPageFactory(title="Verified release", live=False)),
        lambda: publish(testimonial),
        organisation.save,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            change()
    run_webhook_worker()
    assert [d.event for d in webhooks.deliveries] == [
        "page.published",
        "snippet.published",
        "settings.saved",
    ]
    return webhooks.deliveries


def test_real_deliveries_verify_with_the_python_library(deliveries):
    for delivery in deliveries:
        assert python_verify(SECRET, delivery) == json.loads(delivery.body)


def test_real_deliveries_verify_with_the_npm_library(deliveries, node_verify):
    assert node_verify(SECRET, deliveries) == [
        {"ok": True, "payload": json.loads(delivery.body)} for delivery in deliveries
    ]


def test_both_libraries_refuse_another_secret_and_an_altered_body(deliveries, node_verify):
    delivery = deliveries[0]
    altered = Delivery(delivery.path, delivery.headers, delivery.body.replace(b"/news/", b"/x/"))

    for secret, sent in ((OTHER_SECRET, delivery), (SECRET, altered)):
        with pytest.raises(WebhookVerificationError, match="No matching signature"):
            python_verify(secret, sent)
        assert node_verify(secret, [sent]) == [
            {"ok": False, "error": "No matching signature found"}
        ]


def test_both_libraries_refuse_a_replayed_delivery(deliveries, node_verify):
    """An attacker who captured a delivery sends it again later: the same id and body,
    the old timestamp, now outside the tolerance; and with the timestamp made fresh, the
    signature no longer matches."""
    delivery = deliveries[0]
    assert python_verify(SECRET, delivery, later=datetime.timedelta(minutes=4))

    with pytest.raises(WebhookVerificationError, match="too old"):
        python_verify(SECRET, delivery, later=REPLAY_DELAY)
    assert node_verify(SECRET, [delivery], later=REPLAY_DELAY) == [
        {"ok": False, "error": "Message timestamp too old"}
    ]

    headers = delivery.headers
    refreshed = dict(headers.items()) | {
        "webhook-timestamp": str(int(headers["webhook-timestamp"]) + 600)
    }
    replay = Delivery(delivery.path, refreshed, delivery.body)
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        python_verify(SECRET, replay, later=REPLAY_DELAY)
    assert node_verify(SECRET, [replay], later=REPLAY_DELAY) == [
        {"ok": False, "error": "No matching signature found"}
    ]


def test_a_plain_secret_set_before_standard_webhooks_still_verifies(
    webhooks, settings, django_capture_on_commit_callbacks, node_verify
):
    """A secret without the whsec_ prefix is used as its own bytes: receivers give it to
    the libraries as raw bytes (Python: bytes; JS: `{format: "raw"}`)."""
    settings.FRONTEND_WEBHOOK_SECRET = "a-long-random-secret-from-before"
    with django_capture_on_commit_callbacks(execute=True):
        publish(NewsPageFactory(title="Plainly signed", live=False))
    run_webhook_worker()

    [delivery] = webhooks.deliveries
    assert python_verify(settings.FRONTEND_WEBHOOK_SECRET, delivery)["event"] == "page.published"
    [verdict] = node_verify(settings.FRONTEND_WEBHOOK_SECRET, [delivery])
    assert verdict["ok"], verdict
