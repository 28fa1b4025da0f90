"""Wagtail's accessibility checker runs the WCAG A and AA rules (core/accessibility.py):
in the editor's Checks panel, over the preview of this site's templates (which carry the
userbar that loads axe into the preview), and in the userbar an editor sees on the site.
Visitors get no userbar.

The first test runs the Checks panel in Chromium (Debian's, driven by Playwright, on
pytest-django's live server; skipped without it, failed under CI) and keeps a screenshot
in test-artifacts/browser/<database vendor>/accessibility/checks-panel.png.
"""

import json
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from core.accessibility import WCAG_TAGS
from tests.support.admin import sign_in
from tests.support.chromium import CHROMIUM_ARGS
from tests.support.factories import ImageFactory, StandardPageFactory

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # reported by the chromium_path fixture: skipped, or failed under CI
    sync_playwright = None

pytestmark = pytest.mark.django_db

SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"
EDITOR, PASSWORD = "checker-editor", "a-long-editor-passphrase"
TIMEOUT_MS = 15_000

# Wagtail's own rules, which stay on beside WCAG's.
WAGTAIL_RULES = [
    "button-name",
    "empty-heading",
    "empty-table-header",
    "frame-title",
    "heading-order",
    "input-button-name",
    "link-name",
    "p-as-heading",
    "alt-text-quality",
    "empty-meta-description",
]


def axe_configuration(html):
    """The checker's configuration as the admin's scripts read it from the page."""
    found = re.search(
        r'<script id="checker-axe-configuration" type="application/json">(.*?)</script>',
        html,
        re.DOTALL,
    )
    assert found, "no accessibility checker on the page"
    return json.loads(found[1])


def assert_runs_wcag_rules(configuration):
    assert configuration["options"]["runOnly"] == WCAG_TAGS
    assert configuration["options"]["rules"] == {rule: {"enabled": True} for rule in WAGTAIL_RULES}


@pytest.fixture
def page_with_a_file_name_for_alt_text(transactional_db, live_server):
    """A page whose image's alt text is its file name (Wagtail's alt-text-quality rule
    reports it), and an editor, committed, on the live server."""
    get_user_model().objects.create_superuser(EDITOR, "checker@example.org", PASSWORD)
    image = ImageFactory(title="Team photo", description="team_photo_2024.jpg")
    return StandardPageFactory(
        title="Meet the team", body=[("image", {"image": image, "caption": "Our team"})]
    )


# Records what the Checks panel's axe run was given and found: the admin's bundle uses the
# axe-core it also puts on `window`.
RECORD_AXE_RUNS = """() => {
    const run = window.axe.run.bind(window.axe);
    window.axeRuns = [];
    window.axe.run = async (context, options) => {
        const results = await run(context, options);
        window.axeRuns.push({
            runOnly: options.runOnly,
            passes: results.passes.map((rule) => rule.id),
            violations: results.violations.map((rule) => rule.id),
        });
        return results;
    };
}"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_checks_panel_reports_an_issue_found_by_the_wcag_run(
    chromium_path, live_server, page_with_a_file_name_for_alt_text, settings, front_end
):
    settings.WAGTAIL_GRAVATAR_PROVIDER_URL = None  # avatars without calling gravatar.com
    # A front end set up, so that the preview starts in its mode, which the checker cannot read.
    settings.WAGTAIL_HEADLESS_PREVIEW = {"CLIENT_URLS": {"default": front_end.preview_url}}
    page_id = page_with_a_file_name_for_alt_text.pk
    screenshots = SCREENSHOTS / connection.vendor / "accessibility"
    screenshots.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                base_url=live_server.url, viewport={"width": 1400, "height": 900}
            )
            context.set_default_timeout(TIMEOUT_MS)
            tab = context.new_page()
            script_errors = []
            tab.on("pageerror", lambda error: script_errors.append(error))
            sign_in(tab, EDITOR, PASSWORD)
            tab.goto(f"/admin/pages/{page_id}/edit/")
            mode = tab.get_by_label("Preview mode")
            expect(mode).to_have_value("front-end")  # the preview's default, with a front end
            tab.evaluate(RECORD_AXE_RUNS)

            tab.get_by_role("button", name="Toggle checks").click()
            checks = tab.locator('[data-side-panel="checks"]')
            expect(checks.locator("[data-content-checker-count]")).to_have_text("1")
            issue = checks.locator("[data-content-checker-row]")
            expect(issue.locator("[data-content-checker-name]")).to_have_text(
                "Image alt text has inappropriate pattern"
            )
            expect(issue.locator("[data-content-checker-selector]")).to_have_text("img")
            expect(checks.locator("[data-content-word-count]")).to_have_text(re.compile(r"^\d+$"))
            # The preview the checker read: this site's templates, with the draft in them.
            expect(mode).to_have_value("")
            preview = tab.frame_locator("#w-preview-iframe")
            expect(preview.locator("h1")).to_have_text("Meet the team")
            tab.screenshot(path=screenshots / "checks-panel.png")

            # The run was the WCAG one: its tags, and so WCAG rules beyond Wagtail's own
            # (image-alt, wcag2a) checked the preview, beside Wagtail's alt-text-quality.
            runs = tab.evaluate("window.axeRuns")
            assert runs, "the Checks panel ran no check"
            for run in runs:  # once, or again if the preview reloaded meanwhile
                assert run["runOnly"] == WCAG_TAGS
                assert "image-alt" in run["passes"]
                assert run["violations"] == ["alt-text-quality"]
            # And the configuration the previewed page's userbar carries.
            carried = preview.locator("wagtail-userbar #checker-axe-configuration")
            assert_runs_wcag_rules(json.loads(carried.text_content()))
            assert script_errors == []
        finally:
            browser.close()


def test_the_editors_checks_panel_runs_the_wcag_rules(admin_client):
    page = StandardPageFactory()
    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert_runs_wcag_rules(axe_configuration(response.content.decode()))


def test_the_preview_of_this_sites_templates_carries_the_checker(admin_client):
    # As the admin's preview panel makes it: a request of Wagtail's own to the page, with
    # the editor's session, marked as in the panel.
    page = StandardPageFactory()
    editor_request = RequestFactory().get(
        "/admin/", HTTP_COOKIE=f"sessionid={admin_client.cookies['sessionid'].value}"
    )
    response = page.make_preview_request(
        editor_request, preview_mode="", extra_request_attrs={"in_preview_panel": True}
    )
    html = response.content.decode()
    assert "<wagtail-userbar>" in html  # loads axe into the preview
    assert_runs_wcag_rules(axe_configuration(html))


def test_an_editor_on_the_site_has_the_checker_in_the_userbar(admin_client):
    page = StandardPageFactory()
    assert_runs_wcag_rules(axe_configuration(admin_client.get(page.url).content.decode()))


def test_visitors_get_no_userbar(client):
    page = StandardPageFactory()
    html = client.get(page.url).content.decode()
    assert page.title in html
    assert "userbar" not in html
