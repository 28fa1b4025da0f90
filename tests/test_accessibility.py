"""Every page type's server-rendered template passes axe-core's WCAG 2.0, 2.1 and 2.2 A and
AA rules (core/accessibility.py WCAG_TAGS) with no violation, in Chromium, in English and
in a language written right to left (Arabic).

The pages are those of the Southwark content, one of each type, a standard page whose body
holds every block kind, each of those in an Arabic translation (its fields copied from the
English, as the translation workflow starts it: no words invented), the page-not-found
page in both languages and the server-error page, served by the
app on pytest-django's live server (with its uploaded images) and read as an anonymous
visitor. axe-core is npm's, pinned in tests/accessibility/package-lock.json (`make test`
installs it), injected into each page; axe's own best-practice rule for skipped heading
levels runs too. A screenshot of each page checked goes to
test-artifacts/browser/<database vendor>/accessibility/.

Without Chromium, Playwright or axe-core the test is skipped, and fails under CI.
"""

import os
from pathlib import Path

import pytest
from django.db import connection
from django.template.loader import render_to_string
from wagtail.models import Locale, Page, Site

from core.accessibility import WCAG_TAGS
from news.models import NewsPage
from tests.support.chromium import CHROMIUM_ARGS
from tests.support.factories import EveryBlockPageFactory, translate

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # reported by the chromium_path fixture: skipped, or failed under CI
    sync_playwright = None

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BASE_DIR = Path(__file__).resolve().parents[1]
AXE_SCRIPT = BASE_DIR / "tests" / "accessibility" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = BASE_DIR / "test-artifacts" / "browser"
TIMEOUT_MS = 15_000
# WCAG's rules, and a skipped heading level, which axe files under best practice.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "rules": {"heading-order": {"enabled": True}},
}
RUN_AXE = "options => axe.run(document, options)"
SCROLLS_SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


@pytest.fixture
def axe_script():
    if not AXE_SCRIPT.is_file():
        message = f"The accessibility test needs axe-core ({AXE_SCRIPT}): `make install-dev`."
        if os.environ.get("CI"):
            pytest.fail(message + " Under CI that is a failure.")
        pytest.skip(message)
    return AXE_SCRIPT


@pytest.fixture
def site(transactional_db, live_server, settings, southwark_rows):
    """The Southwark content (its rows as the session first loaded them) and a page of
    every block kind, committed, each also in Arabic, on the live server (which serves the
    uploaded images too); returns its address and the path of a page of every type in
    each language."""
    settings.ROOT_URLCONF = "tests.support.media_urls"
    southwark_rows.restore()
    every_block = EveryBlockPageFactory(slug="every-block-kind")
    news = NewsPage.objects.live().order_by("-date").first()
    pages = {
        "home page": "/",
        "vision page": "/vision/",
        "principles index page": "/principles/",
        "principle page": "/principles/fair/",
        "benefits page": "/working-here/",
        "standard page": "/about/",
        "news index page": "/news/",
        "news page": news.url,
        "page of every block kind": every_block.url,
    }
    arabic = Locale.objects.get_or_create(language_code="ar")[0]
    root = Site.objects.get(is_default_site=True).root_page
    in_arabic = {  # each after its parent: translated under its parent's translation
        f"{name} in Arabic": translate(
            Page.objects.get(url_path=root.url_path + path[1:]).specific, arabic
        ).url
        for name, path in pages.items()
    }
    # Its words are English, and it says so, under the Arabic prefix too.
    not_found = {"page not found": "/no-such-page/", "page not found under /ar/": "/ar/nowhere/"}
    return live_server.url, {**pages, **in_arabic, **not_found}


def violations_of(results):
    """axe's violations, one line each: the rule, what it says, and where."""
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}: "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results["violations"]
    ]


def test_every_page_type_passes_the_wcag_a_and_aa_rules(chromium_path, axe_script, site):
    base_url, paths = site
    # Django renders it with no request when a view fails: it is checked as it is sent.
    server_error = render_to_string("500.html")
    screenshots = SCREENSHOTS / connection.vendor / "accessibility"
    screenshots.mkdir(parents=True, exist_ok=True)
    found = {}

    def check(name):
        # Evaluated, not added as a <script>: the page's Content-Security-Policy, which
        # stays in force so that axe sees the page as a visitor does, refuses inline scripts.
        tab.evaluate(axe_script.read_text())
        tab.screenshot(path=screenshots / f"{name.replace(' ', '-')}.png", full_page=True)
        violations = violations_of(tab.evaluate(RUN_AXE, AXE_OPTIONS))
        if tab.evaluate(SCROLLS_SIDEWAYS):  # WCAG 1.4.10 Reflow, which axe cannot judge
            violations.append("the page scrolls sideways")
        if violations:
            found[name] = violations

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        tab = browser.new_page(base_url=base_url)
        tab.set_default_timeout(TIMEOUT_MS)
        try:
            for name, path in paths.items():
                tab.goto(path)  # once loaded, images and all
                expect(tab.locator("h1")).to_be_visible()
                if name.endswith("in Arabic"):
                    expect(tab.locator("html")).to_have_attribute("dir", "rtl")
                check(name)
            tab.set_content(server_error)
            expect(tab.locator("h1")).to_be_visible()
            check("server error page")
        finally:
            browser.close()

    assert found == {}
