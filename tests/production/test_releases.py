"""A press office's release day in the production profile, in Chromium through nginx.

An editor imports a press release from Word under the news index and submits it; a
moderator approves it, which leaves it for its release. The editor edits the Fair
principle, submits it and adds both to a release; the moderator approves Fair; the editor
schedules the release a few seconds ahead. The Procfile's `scheduler` process publishes
it when it is due. Meanwhile Apollo Client reads both, in one query, through Varnish and
nginx, until the answer changes: every read shows both as they were or both as
released, never one without the other. A front end's webhook receiver gets one
`release.published` event listing both, then each item's event with the release's id.
"""

import datetime
import json
import os
import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from deploy import local
from tests.support.admin import sign_in
from tests.support.front_end import FrontEnd
from tests.support.word_documents import press_release

from .deployment import ARTIFACTS, START_SECONDS, Process, wait_until
from .documented import CLIENTS_DIR

EDITOR, MODERATOR = "release-editor", "release-moderator"
PASSWORD = "a-long-release-day-passphrase"
WEBHOOK_SECRET = "release-day-webhook-secret"
NEWS_SLUG = "fostering-in-southwark-rated-outstanding"  # the imported release's title
NEWS_TITLE = "Fostering in Southwark rated outstanding"
RELEASE_NAME = "Ofsted report day"
# What a front end reads: both items in one document, so each read is one moment.
BOTH = f"""{{
  page(urlPath: "/principles/fair/") {{ id ... on PrinciplePage {{ summary }} }}
  newsItem(slug: "{NEWS_SLUG}") {{ title }}
}}"""
GO_LIVE_AHEAD = datetime.timedelta(seconds=5)
# The scheduler runs `publish_scheduled` every minute (the Procfile), each run after the
# last has finished: it may take two minutes on a machine running three suites.
PUBLISHED_WITHIN_MS = 150_000
TIME_ZONE = "Europe/London"  # the admin's (cms/settings/base.py), as the editor types it
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def data_of(response):
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def shell(deployment, code):
    deployment.manage("shell", "-c", code, log="release-day")


@pytest.fixture
def release_day(deployment, graphql):
    """An editor and a moderator (the Editors and Moderators groups), Fair as it was, and
    afterwards: Fair published again as it was, the imported news page deleted."""
    shell(
        deployment,
        "from django.contrib.auth.models import Group, User\n"
        f"for name, group in (({EDITOR!r}, 'Editors'), ({MODERATOR!r}, 'Moderators')):\n"
        f"    user = User.objects.create_user(name, f'{{name}}@example.org', {PASSWORD!r})\n"
        "    user.groups.add(Group.objects.get(name=group))",
    )
    fair = data_of(graphql(deployment.url, BOTH))["page"]
    yield fair
    shell(
        deployment,
        "from news.models import NewsPage\n"
        "from principles.models import PrinciplePage\n"
        f"NewsPage.objects.filter(slug={NEWS_SLUG!r}).delete()\n"
        "page = PrinciplePage.objects.get(slug='fair')\n"
        f"page.summary = {fair['summary']!r}\n"
        "page.save_revision().publish()",
    )


@pytest.fixture
def front_end(deployment):
    """A front end's webhook receiver; the task worker signs with its secret meanwhile."""
    with FrontEnd(WEBHOOK_SECRET) as receiver:
        deployment.worker.restart(FRONTEND_WEBHOOK_SECRET=WEBHOOK_SECRET)
        try:
            yield receiver
        finally:
            deployment.worker.restart()


@pytest.fixture
def scheduler(deployment, front_end):
    """The Procfile's `scheduler`, running before anything is due, sending webhooks to the
    front end; stopped after."""
    env = deployment.env(
        FRONTEND_WEBHOOK_URLS=front_end.webhook_url, FRONTEND_WEBHOOK_SECRET=WEBHOOK_SECRET
    )
    command = local.procfile()["scheduler"]
    process = Process("scheduler", command, env, deployment.logs / "scheduler.log").start()
    yield process
    process.kill()


def signed_in(browser_context, deployment, username):
    tab = browser_context(deployment.url).new_page()
    sign_in(tab, username, PASSWORD)
    return tab


def submit_for_sign_off(tab):
    """Submit the open page editor's draft to Moderators approval: done once the explorer
    lists the page in moderation."""
    tab.get_by_role("button", name="More actions").click()
    tab.get_by_role("button", name="Submit to Moderators approval").click()
    expect(tab).to_have_url(re.compile(r"/admin/pages/\d+/$"))
    expect(tab.locator(".w-status").filter(has_text="in moderation").first).to_be_visible()


def add_to_release(tab, page_id, new_release=None):
    """From the page's editor, add its latest draft to the release (a new one if named):
    done on the release's page, listing it."""
    tab.goto(f"/admin/pages/{page_id}/edit/")
    tab.get_by_role("button", name="More actions").click()
    tab.get_by_role("link", name="Add to a release").click()
    if new_release:
        tab.locator("#id_new_release_name").fill(new_release)
    else:
        tab.locator("#id_release").select_option(label=RELEASE_NAME)
    tab.get_by_role("button", name="Add to the release").click()
    expect(tab).to_have_url(re.compile(r"/admin/releases/edit/\d+/$"))


def approve(tab, title):
    """The moderator approves the draft awaiting review on the dashboard (as is: the
    editor's form would save a new draft if it found a change): done once it is no
    longer awaiting."""
    tab.goto("/admin/")
    awaiting = tab.locator("section").filter(has_text="Awaiting your review")
    row = awaiting.get_by_role("row").filter(has_text=title)
    row.get_by_role("button", name="Actions").click()
    awaiting.get_by_role("button", name="Approve and publish", exact=True).click()
    expect(row).to_have_count(0)  # the release's page says it is signed off


def poll_until_changed(deployment):
    """Apollo Client (Node) reading BOTH through Varnish until the answer changes; it says
    "read once" on stderr after its first read."""
    return subprocess.Popen(
        [
            shutil.which("node"),
            str(CLIENTS_DIR / "poll-until-changed.mjs"),
            f"{deployment.cdn_url}/graphql/",
            BOTH,
            str(PUBLISHED_WITHIN_MS),
        ],
        cwd=CLIENTS_DIR,
        env={**os.environ, "FRONTEND_KEY": deployment.frontend_key},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_scheduled_release_goes_live_as_one_moment_for_apollo_and_the_webhooks(
    browser_context, deployment, graphql, release_day, front_end, scheduler
):
    fair = release_day
    new_summary = f"Fair, as released on the end-to-end run's release day {deployment.token}."
    news_index = data_of(graphql(deployment.url, '{ page(urlPath: "/news/") { id } }'))["page"]

    # The editor imports the press release: a draft news page, submitted for sign-off,
    # and added to a new release.
    editor = signed_in(browser_context, deployment, EDITOR)
    editor.goto(f"/admin/news/import-from-word/{news_index['id']}/")
    editor.locator("#id_document").set_input_files(
        files=[{"name": "press-release.docx", "mimeType": DOCX, "buffer": press_release()}]
    )
    editor.get_by_role("button", name=re.compile("Import")).click()
    expect(editor).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    news_id = re.search(r"/pages/(\d+)/", editor.url)[1]
    expect(editor.locator("#id_title")).to_have_value(NEWS_TITLE)
    submit_for_sign_off(editor)
    add_to_release(editor, news_id, new_release=RELEASE_NAME)
    release_url = editor.url

    # The moderator approves it: it waits for its release.
    moderator = signed_in(browser_context, deployment, MODERATOR)
    approve(moderator, NEWS_TITLE)

    # The editor edits Fair, submits it and adds it; the moderator approves it.
    editor.goto(f"/admin/pages/{fair['id']}/edit/")
    editor.locator("#id_summary").fill(new_summary)
    submit_for_sign_off(editor)
    add_to_release(editor, fair["id"])
    approve(moderator, "Fair")
    assert data_of(graphql(deployment.url, BOTH)) == {"page": fair, "newsItem": None}

    # Every item signed off: the editor schedules the release a few seconds ahead.
    editor.goto(release_url)
    items = editor.locator("[data-release-item]")
    expect(items).to_have_count(2)
    signed_off = editor.get_by_role("cell", name="signed off", exact=True)
    expect(items.filter(has=signed_off)).to_have_count(2)
    go_live = datetime.datetime.now(ZoneInfo(TIME_ZONE)) + GO_LIVE_AHEAD
    # Set as typed text: the date picker offers whole minutes only.
    editor.locator("#id_go_live_at").evaluate(
        "(field, value) => { field.value = value; }", go_live.strftime("%Y-%m-%d %H:%M:%S")
    )
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor).to_have_url(re.compile(r"/admin/releases/$"))  # the listing
    editor.goto(release_url)
    expect(editor.locator("[data-release-status]")).to_have_text("draft")
    reader = poll_until_changed(deployment)
    assert reader.stderr.readline() == "read once\n"  # the release not yet scheduled
    editor.get_by_role("button", name="Schedule for its go-live time").click()
    expect(editor.locator("[data-release-status]")).to_have_text("scheduled")
    editor.screenshot(path=ARTIFACTS / "release-scheduled.png")

    output, errors = reader.communicate(timeout=PUBLISHED_WITHIN_MS / 1000 + 60)
    assert reader.returncode == 0, errors
    reads = json.loads(output)["reads"]
    before = {"page": fair, "newsItem": None}
    after = {"page": {**fair, "summary": new_summary}, "newsItem": {"title": NEWS_TITLE}}
    # Apollo adds __typename to every selection: compared without it.
    seen = [without_typename(read["data"]) for read in reads]
    assert [read for read in reads if read["status"] != 200 or read["errors"]] == []
    assert seen[0] == before
    assert seen[-2:] == [after, after], f"not released within {PUBLISHED_WITHIN_MS} ms"
    # All or nothing on every read: never one item released without the other.
    assert [data for data in seen if data not in (before, after)] == []
    first_after = seen.index(after)
    assert all(data == after for data in seen[first_after:])
    assert reads[first_after]["began"] / 1000 >= go_live.timestamp()

    # The front end's receiver: one release event listing both, then each item's own.
    expect_deliveries(front_end, 3)
    release_event, *item_events = front_end.deliveries
    assert all(delivery.signed_with(WEBHOOK_SECRET) for delivery in front_end.deliveries)
    assert release_event.event == "release.published"
    listed = {(item["event"], item["id"]) for item in release_event.payload["items"]}
    assert listed == {("page.published", int(news_id)), ("page.published", int(fair["id"]))}
    assert sorted((event.event, event.payload["id"]) for event in item_events) == sorted(listed)
    assert {event.payload["release"] for event in item_events} == {release_event.payload["id"]}
    editor.goto(release_url)
    expect(editor.locator("[data-release-status]")).to_have_text("published")
    editor.screenshot(path=ARTIFACTS / "release-published.png")


def without_typename(value):
    if isinstance(value, dict):
        return {key: without_typename(item) for key, item in value.items() if key != "__typename"}
    return value


def expect_deliveries(front_end, count):
    """Wait until the receiver has `count` deliveries (the worker sends them as queued)."""
    wait_until(
        lambda: len(front_end.deliveries) >= count, f"{count} webhook deliveries", START_SECONDS
    )
    assert len(front_end.deliveries) == count, [d.event for d in front_end.deliveries]
