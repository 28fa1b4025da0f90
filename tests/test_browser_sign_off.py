"""Sign-off in a real browser: the dev editor submits a principle, the dev moderator approves
it, and only then do the API and the front end see it.

The dev logins are those `manage.py ensure_dev_admin` makes. As in
tests/test_browser_admin.py, Chromium (driven by Playwright) works against the live server
and the test commits for real; screenshots go to test-artifacts/browser/<vendor>/.
"""

import re
from io import StringIO
from pathlib import Path

import pytest
import requests
from django.core.management import call_command
from django.db import connection

from tests.support.admin import LIVE, sign_in
from tests.support.chromium import CHROMIUM_ARGS
from tests.support.webhook_receiving import run_webhook_worker_in_a_thread

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # reported by the chromium_path fixture: skipped, or failed under CI
    sync_playwright = None

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"
TIMEOUT_MS = 15_000
FAIR = '{ page(urlPath: "/principles/fair/") { id ... on PrinciplePage { summary } } }'
APPROVALS = ["Approve and publish", "Approve and publish, with a comment"]


@pytest.fixture
def dev_logins(transactional_db, live_server, settings, tmp_path, southwark_rows):
    """The Southwark content (its rows as the session first loaded them), committed, and
    the dev editor's and moderator's passwords."""
    southwark_rows.restore()
    settings.DEBUG = True  # ensure_dev_admin is for development only
    settings.BASE_DIR = tmp_path  # where it keeps the passwords
    call_command("ensure_dev_admin", stdout=StringIO())
    settings.DEBUG = False
    return {
        username: (tmp_path / f".dev-{username}-password").read_text().strip()
        for username in ("editor", "moderator")
    }


@pytest.fixture
def browser(chromium_path, live_server, dev_logins, settings):
    settings.WAGTAIL_GRAVATAR_PROVIDER_URL = None
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def signed_in(browser, live_server, username, password):
    """A tab of a browser context of its own, signed in as `username`."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    sign_in(tab, username, password)
    return tab


def snap(tab, name):
    folder = SCREENSHOTS / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=folder / f"{name}.png", full_page=True)


def read_fair(live_server):
    response = requests.post(f"{live_server.url}/graphql/", json={"query": FAIR}, timeout=10)
    return response.json()["data"]["page"]


def explorer_row(tab, title):
    return tab.get_by_role("row").filter(has=tab.get_by_role("link", name=title, exact=True))


def test_the_editor_submits_a_principle_and_the_moderator_signs_it_off(
    browser, live_server, dev_logins, webhooks
):
    fair = read_fair(live_server)
    edited = "Fair: we treat every child and family fairly, and we check that we do."

    # The editor edits and submits: there is no Publish for them, nor the settings.
    editor = signed_in(browser, live_server, "editor", dev_logins["editor"])
    editor.goto(f"/admin/pages/{fair['id']}/edit/")
    editor.locator("#id_summary").fill(edited)
    editor.get_by_role("button", name="More actions").click()
    submit = editor.get_by_role("button", name="Submit to Moderators approval")
    expect(submit).to_be_visible()
    expect(editor.get_by_role("button", name="Publish", exact=True)).to_have_count(0)
    snap(editor, "sign-off-1-editor-has-no-publish")
    submit.click()
    expect(editor).to_have_url(re.compile(r"/admin/pages/\d+/$"))
    expect(explorer_row(editor, "Fair").locator(".w-status")).to_contain_text("in moderation")
    snap(editor, "sign-off-2-editor-submitted")

    editor.goto("/admin/settings/home/organisationsettings/")
    expect(editor).to_have_url(re.compile(r"/admin/$"))  # turned away, to the dashboard
    expect(editor.locator("#id_organisation_name")).to_have_count(0)
    snap(editor, "sign-off-3-editor-turned-away-from-settings")
    assert read_fair(live_server)["summary"] == fair["summary"], "not live before sign-off"

    # The moderator finds it on the dashboard, its approval named as in the editor.
    moderator = signed_in(browser, live_server, "moderator", dev_logins["moderator"])
    awaiting = moderator.locator("section").filter(has_text="Awaiting your review")
    awaiting.get_by_role("row").filter(has_text="Fair").get_by_role(
        "button", name="Actions"
    ).click()
    for approval in APPROVALS:
        expect(awaiting.get_by_role("button", name=approval, exact=True)).to_be_visible()
    snap(moderator, "sign-off-4-moderator-dashboard")

    # In the editor, the approval is offered alone: no plain Publish beside it, which
    # would publish without signing off. Approving says the page is live, and where.
    moderator.goto(f"/admin/pages/{fair['id']}/edit/")
    expect(moderator.locator("#id_summary")).to_have_value(edited)
    moderator.get_by_role("button", name="More actions").click()
    for approval in APPROVALS:
        expect(moderator.get_by_role("button", name=approval, exact=True)).to_be_visible()
    expect(moderator.get_by_role("button", name="Publish", exact=True)).to_have_count(0)
    snap(moderator, "sign-off-5-moderator-reviews")
    moderator.get_by_role("button", name="Approve and publish", exact=True).click()
    expect(moderator).to_have_url(re.compile(r"/admin/pages/\d+/$"))
    expect(explorer_row(moderator, "Fair").locator(".w-status")).to_have_text(LIVE)
    expect(moderator.locator(".messages")).to_have_text(
        re.compile(
            r"^\s*Page 'Fair' approved and published: it is live at http://\S+/principles/fair/"
        )
    )
    snap(moderator, "sign-off-6-moderator-approved")

    assert read_fair(live_server)["summary"] == edited
    run_webhook_worker_in_a_thread("sign-off-test-worker")
    [delivery] = webhooks.deliveries
    assert (delivery.event, delivery.payload["id"]) == ("page.published", int(fair["id"]))
    assert delivery.payload["change"] == "minor"
