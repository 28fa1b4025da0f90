"""The Content-Security-Policy: strict for the server-rendered pages, what Wagtail needs in
its admin, and nothing either of them does is blocked.

The browser test drives headless Chromium (Playwright) against the app on pytest-django's
live server: the admin's login page, its dashboard, a page editor and a page of every
type, each checked for a policy violation (a `securitypolicyviolation` event or
Chromium's console report) and for a request that failed. Chromium comes from the
system; without it the browser test is skipped, and fails under CI.
"""

import base64
import hashlib
import re
import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from cms.settings import base as base_settings
from news.models import NewsPage
from tests.support.chromium import CHROMIUM_ARGS
from tests.support.factories import (
    BenefitsPageFactory,
    ImageFactory,
    NewsIndexPageFactory,
    NewsPageFactory,
    PrinciplePageFactory,
    PrinciplesIndexPageFactory,
    StandardPageFactory,
    VisionPageFactory,
)

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # reported by the chromium_path fixture: skipped, or failed under CI
    sync_playwright = None

EDITOR, PASSWORD = "editor", "a-long-editor-passphrase"
HEADER = "content-security-policy"
BASE_DIR = Path(__file__).resolve().parents[1]

# Collects the page's violation reports, from before its first script runs.
LISTEN_FOR_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


# The header, in-process


@pytest.mark.django_db
def test_server_rendered_pages_allow_scripts_from_this_origin_and_their_own_styles_only(
    client,
):
    NewsIndexPageFactory()
    response = client.get("/news/")
    policy = response[HEADER]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "script-src" not in policy  # default-src: 'self'
    assert "unsafe-inline" not in policy
    # The page's own <style>, by the nonce made for this response.
    nonce = re.search(r"<style nonce=\"([^\"]+)\">", response.content.decode()).group(1)
    assert f"style-src 'self' 'nonce-{nonce}' {settings.ERROR_PAGE_STYLE_HASH}" in policy


def test_the_error_page_style_is_the_one_its_hash_allows():
    # templates/500.html is rendered with no request, so with no nonce: its <style> is
    # allowed by its hash, which must change with it.
    page = (BASE_DIR / "templates" / "500.html").read_text()
    (style,) = re.findall(r"<style>(.*?)</style>", page, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" == settings.ERROR_PAGE_STYLE_HASH


@pytest.fixture
def preview_front_end(settings):
    settings.WAGTAIL_HEADLESS_PREVIEW = {
        "CLIENT_URLS": {"default": "https://preview.example.org:8443/preview"}
    }
    return "https://preview.example.org:8443"


@pytest.mark.django_db
def test_the_admin_may_run_its_inline_scripts_and_frame_the_preview_front_end(
    admin_client, preview_front_end
):
    policy = admin_client.get("/admin/")[HEADER]
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert f"frame-src 'self' {preview_front_end}" in policy
    # The "Front end" preview asks the front end whether it answers.
    assert f"connect-src 'self' {preview_front_end}" in policy


@pytest.mark.django_db
def test_a_preview_made_inside_the_admin_gets_the_admins_policy(preview_front_end):
    # Wagtail makes a preview by a request of its own to the page's path, whose header
    # the admin's response keeps: it must be the admin's, to frame the front end.
    news = NewsIndexPageFactory()
    policy = news.make_preview_request(preview_mode="front-end")[HEADER]
    assert f"frame-src 'self' {preview_front_end}" in policy


def test_images_may_come_from_the_media_domain_when_media_are_in_a_bucket(monkeypatch):
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "media")
    monkeypatch.setenv("AWS_S3_CUSTOM_DOMAIN", "media.example.org")
    values = runpy.run_path(base_settings.__file__)
    img_src = values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert "https://media.example.org/" in img_src


# In Chromium


@pytest.fixture
def site(transactional_db, live_server, settings):
    """A page of every type (with images), and an editor, on the live server, which
    serves the uploaded images too."""
    settings.ROOT_URLCONF = "tests.support.media_urls"
    get_user_model().objects.create_superuser(EDITOR, "editor@example.org", PASSWORD)
    StandardPageFactory(title="About us", slug="about")
    VisionPageFactory(slug="vision")
    PrinciplesIndexPageFactory(slug="principles")
    PrinciplePageFactory(slug="child-centred", icon=ImageFactory())
    BenefitsPageFactory(slug="working-here")
    NewsIndexPageFactory(slug="news")
    news = NewsPageFactory(title="Ofsted rates us good", slug="ofsted", hero_image=ImageFactory())
    return live_server.url, news.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_the_admin_or_the_pages_do_is_blocked(chromium_path, site):
    base_url, news_id = site
    pages = [
        "/",
        "/about/",
        "/vision/",
        "/principles/",
        "/principles/child-centred/",
        "/working-here/",
        "/news/",
        "/news/ofsted/",
    ]
    assert NewsPage.objects.get(pk=news_id).url == "/news/ofsted/"
    problems = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.add_init_script(LISTEN_FOR_VIOLATIONS)
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text
                and problems.append(f"console: {message.text}")
            ),
        )
        page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
        page.on(
            "response",
            lambda response: (
                response.status >= 400 and problems.append(f"{response.status}: {response.url}")
            ),
        )

        def visit(path, then=None):
            response = page.goto(base_url + path) if then is None else then()
            page.wait_for_load_state("networkidle")
            assert HEADER in response.headers, path  # a policy was in force
            problems.extend(f"{path}: {found}" for found in page.evaluate("cspViolations"))

        visit("/admin/login/")
        page.fill("#id_username", EDITOR)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation() as signed_in:
            page.click("button[type=submit]")
        visit("/admin/", then=lambda: signed_in.value)
        assert page.url == base_url + "/admin/"
        visit(f"/admin/pages/{news_id}/edit/")
        expect(page.locator("#id_title")).to_have_value("Ofsted rates us good")
        for path in pages:
            visit(path)
        browser.close()

    assert problems == []
