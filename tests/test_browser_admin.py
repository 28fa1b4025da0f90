"""Editors in a real browser: preview a draft both ways (and without a front end, or with one
down), publish, create news (autosaved as it is built, a list's points numbered), tell the
front end; the sign-in page, and the due-for-review report with nothing due.

Headless Chromium, driven by Playwright, against the app on pytest-django's live server,
with a stand-in front end (tests/support/front_end.py) for the preview route and the
webhooks. Each test commits for real (transactional, with the HomePage and Site restored
afterwards), so the response cache and the webhooks see what they see in production.

Playwright's synchronous API keeps an event loop running in this thread, in which Django
refuses database calls: the fixtures do what needs the ORM before the browser starts, the
tests read through the APIs, and the task worker runs in a thread of its own.

Screenshots of every step go to test-artifacts/browser/<database vendor>/. Chromium comes
from the system (`make install` installs it as root); without it these tests are skipped,
and fail under CI.
"""

import datetime
import re
import socket
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import requests
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format

from governance.models import a_year_after
from tests.support.admin import publish, sign_in
from tests.support.chromium import CHROMIUM_ARGS
from tests.support.front_end import PREVIEW_QUERY
from tests.support.webhook_receiving import WEBHOOK_SECRET, run_webhook_worker_in_a_thread

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # reported by the chromium_path fixture: skipped, or failed under CI
    sync_playwright = None

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"
VIEWPORT = {"width": 1400, "height": 900}
TIMEOUT_MS = 15_000
EDITOR, PASSWORD = "editor", "a-long-editor-passphrase"
NEWS_ITEM_QUERY = """
query NewsItem($slug: String!) {
  newsItem(slug: $slug) {
    id
    title
    date
    summary
    url
    heroImage { title }
    body { blockType ... on QuoteBlock { quote attribution role } }
  }
}
"""


# Chromium, the front end, the editor ---------------------------------------------------------


@pytest.fixture
def site(transactional_db, live_server, southwark_rows):
    """The Southwark content (its rows as the session first loaded them: loading it
    again for each test took seconds) and an editor, committed, on the live server."""
    southwark_rows.restore()
    get_user_model().objects.create_superuser(EDITOR, "editor@example.org", PASSWORD)
    return live_server


@pytest.fixture
def previews(settings, live_server, front_end):
    """The admin's "Front end" preview frames the stand-in front end (tests/conftest.py),
    whose preview route reads the live server's GraphQL API across origins."""
    front_end.graphql_url = f"{live_server.url}/graphql/"
    settings.WAGTAIL_HEADLESS_PREVIEW = {"CLIENT_URLS": {"default": front_end.preview_url}}
    settings.CORS_ALLOWED_ORIGINS = [front_end.origin]
    return front_end


@pytest.fixture
def api(live_server):
    """Query the live server's GraphQL API as an anonymous front end; return `data`."""

    def run(query, variables=None):
        response = requests.post(
            f"{live_server.url}/graphql/",
            json={"query": query, "variables": variables or {}},
            timeout=10,
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]

    return run


@pytest.fixture
def editor(chromium_path, site, previews, settings):
    """An editor in Chromium, on the live server (relative URLs work), signed out."""
    settings.WAGTAIL_GRAVATAR_PROVIDER_URL = None  # avatars without calling gravatar.com
    media_root = Path(settings.MEDIA_ROOT)
    # `make test` runs the suite on SQLite and on PostgreSQL at once: a folder for each.
    screenshots = SCREENSHOTS / connection.vendor
    screenshots.mkdir(parents=True, exist_ok=True)

    def serve_media(route):
        # The live server serves static files but not media (DEBUG is off): the browser
        # reads the images and their renditions from MEDIA_ROOT instead.
        path = media_root / unquote(urlparse(route.request.url).path).removeprefix("/media/")
        if path.is_file():
            route.fulfill(path=path)
        else:
            route.fulfill(status=404)

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=site.url, viewport=VIEWPORT)
        context.set_default_timeout(TIMEOUT_MS)
        context.route(f"{site.url}/media/**", serve_media)
        try:
            yield Editor(context.new_page(), screenshots)
        finally:
            browser.close()


# Steps an editor takes -----------------------------------------------------------------------


class Editor:
    """An editor's Chromium tab, with the script errors its pages raise."""

    def __init__(self, page, screenshots):
        self.page = page
        self.screenshots = screenshots
        self.script_errors = []
        page.on("pageerror", lambda error: self.script_errors.append(error))

    def snap(self, name):
        """A full-page screenshot. The admin scrolls inside <main>, so the window is first
        made as tall as its content (which can reflow as the window grows), at the top."""
        page, height = self.page, VIEWPORT["height"]
        for _ in range(3):
            needed = page.evaluate(
                """() => {
                    const main = document.querySelector("main");
                    const extra = main ? main.scrollHeight - main.clientHeight : 0;
                    return Math.max(document.documentElement.scrollHeight, innerHeight + extra);
                }"""
            )
            if needed <= height:
                break
            height = needed
            page.set_viewport_size({**VIEWPORT, "height": height})
        page.evaluate("() => { scrollTo(0, 0); document.querySelector('main')?.scrollTo(0, 0); }")
        page.screenshot(path=self.screenshots / f"{name}.png", full_page=True)
        page.set_viewport_size(VIEWPORT)

    def log_in(self, screenshot):
        """Once, with the right password (django-axes counts failures)."""
        sign_in(self.page, EDITOR, PASSWORD)
        heading = self.page.get_by_role("heading", name="Southwark Children's Services")
        expect(heading).to_be_visible()
        self.snap(screenshot)


def principle_summaries(api):
    return {p["slug"]: p["summary"] for p in api("{ principles { slug summary } }")["principles"]}


# The flows -----------------------------------------------------------------------------------


def test_an_editor_previews_a_principle_both_ways_then_publishes_it(editor, api, front_end):
    page = editor.page
    fair = api('{ page(urlPath: "/principles/fair/") { id ... on PrinciplePage { summary } } }')
    fair = fair["page"]
    draft = "Fair (draft): we treat every child and family fairly, and check that we do."
    assert principle_summaries(api)["fair"] == fair["summary"] != draft

    editor.log_in("principle-1-signed-in")
    page.goto(f"/admin/pages/{fair['id']}/edit/")
    page.locator("#id_summary").fill(draft)
    page.get_by_role("button", name="Toggle preview").click()

    # "Front end", the default where one is set up: the admin frames the front end's
    # preview route with a token, and the front end fetches the draft with it.
    mode = page.get_by_label("Preview mode")
    expect(mode).to_have_value("front-end")
    panel = page.frame_locator("#w-preview-iframe")
    expect(panel.frame_locator("iframe").locator("#summary")).to_have_text(draft)
    editor.snap("principle-2-preview-front-end")

    src = panel.locator("iframe").get_attribute("src")
    assert src.startswith(front_end.preview_url)
    params = parse_qs(urlparse(src).query)
    assert params["content_type"] == ["principles.principlepage"]
    previewed = api(PREVIEW_QUERY, {"token": params["token"][0]})["page"]
    assert previewed == {"title": "Fair", "summary": draft}
    assert principle_summaries(api)["fair"] == fair["summary"], "a draft is not live"

    # "This site's templates": Wagtail renders the draft itself.
    mode.select_option(label="This site's templates")
    expect(panel.locator("h1")).to_have_text("Fair")
    expect(panel.locator(".lead")).to_have_text(draft)
    editor.snap("principle-3-preview-templates")

    publish(page, "Fair")
    editor.snap("principle-4-published")

    # The read cached before the publish was retired when the publish committed.
    assert principle_summaries(api)["fair"] == draft
    assert editor.script_errors == []


def test_the_sign_in_page_names_the_organisation(editor):
    page = editor.page
    page.goto("/admin/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sign in to Southwark Children’s Services"  # OrganisationSettings' name, not Wagtail
    )
    expect(page).to_have_title("Sign in - Southwark Children’s Services")
    editor.snap("sign-in-page")


def a_port_nothing_answers_on():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def open_the_preview_of_fair(editor, api):
    fair = api('{ page(urlPath: "/principles/fair/") { id } }')["page"]
    editor.log_in("preview-signed-in")
    editor.page.goto(f"/admin/pages/{fair['id']}/edit/")
    editor.page.get_by_role("button", name="Toggle preview").click()
    return editor.page.get_by_label("Preview mode"), editor.page.frame_locator("#w-preview-iframe")


def test_without_a_front_end_set_up_the_preview_shows_this_sites_templates(editor, api, settings):
    settings.WAGTAIL_HEADLESS_PREVIEW = {"CLIENT_URLS": {}}  # HEADLESS_PREVIEW_URL unset
    mode, panel = open_the_preview_of_fair(editor, api)
    expect(mode).to_have_value("")
    expect(panel.locator("h1")).to_have_text("Fair")
    editor.snap("preview-no-front-end-1-templates-by-default")

    # Chosen anyway, "Front end" says why it cannot show the draft, and leads back.
    mode.select_option(label="Front end")
    notice = panel.get_by_role("status")
    expect(notice).to_contain_text("No front end is set up to preview on")
    editor.snap("preview-no-front-end-2-front-end-chosen")
    notice.get_by_role("link", name="Preview with this site's templates").click()
    expect(mode).to_have_value("")
    expect(panel.locator("h1")).to_have_text("Fair")
    assert editor.script_errors == []


def test_a_front_end_that_does_not_answer_is_named_and_the_templates_offered(editor, api, settings):
    front_end = f"http://127.0.0.1:{a_port_nothing_answers_on()}"
    settings.WAGTAIL_HEADLESS_PREVIEW = {"CLIENT_URLS": {"default": f"{front_end}/preview"}}
    mode, panel = open_the_preview_of_fair(editor, api)
    expect(mode).to_have_value("front-end")
    notice = panel.get_by_role("status")
    expect(notice).to_contain_text("The front end is not answering")
    expect(notice).to_contain_text(f"at {front_end},")
    editor.snap("preview-front-end-down-1-said-so")

    notice.get_by_role("link", name="Preview with this site's templates").click()
    expect(mode).to_have_value("")
    expect(panel.locator("h1")).to_have_text("Fair")
    editor.snap("preview-front-end-down-2-templates")
    assert editor.script_errors == []


def test_a_lists_help_and_headers_say_each_point_has_a_box_of_its_own(editor, api):
    news_index = api('{ page(urlPath: "/news/") { id } }')["page"]
    page = editor.page
    editor.log_in("list-signed-in")
    page.goto(f"/admin/pages/add/news/newspage/{news_index['id']}/")
    page.locator("#body-root").get_by_role("button", name="Insert a block").click()
    page.get_by_role("option", name="List").click()

    points = page.locator('[data-contentpath="items"]')
    expect(points).to_contain_text("One point a box: + adds a box for another.")
    headers = points.get_by_role("heading", name=re.compile(r"^Point"))
    expect(headers).to_have_count(1)
    points.get_by_role("button", name="Add").last.click()
    expect(headers).to_have_count(2)  # the box in place before the next "Add" is found
    points.get_by_role("button", name="Add").last.click()
    expect(headers).to_have_count(3)
    for number in (1, 2, 3):  # the number shown beside each box's label
        expect(headers.nth(number - 1)).to_have_accessible_name(re.compile(rf"^Point {number}\b"))
    editor.snap("list-1-points-numbered")

    # The numbers follow the boxes: with the first deleted, the next is point 1.
    points.locator("[data-streamfield-child]").first.get_by_role("button", name="Delete").click()
    expect(headers).to_have_count(2)
    expect(headers.first).to_have_accessible_name(re.compile(r"^Point 1\b"))
    expect(headers.last).to_have_accessible_name(re.compile(r"^Point 2\b"))
    assert editor.script_errors == []


def watched_for_changes(page):
    """Wait until Wagtail's editor watches its form for changes (to autosave them): from
    two seconds after it loads, its w-unsaved controller's start. An edit made sooner is
    taken as where the form started; an editor takes longer, a test need not."""
    page.wait_for_function(
        """() => {
            const form = document.querySelector('[data-controller~="w-unsaved"]');
            const watching = wagtail.app.getControllerForElementAndIdentifier(form, "w-unsaved");
            return Boolean(watching?.initialFormData);
        }"""
    )


def test_autosave_keeps_a_new_news_page_whose_date_is_not_yet_given(editor, api):
    # A news page's date is one the database cannot leave empty, so Wagtail refused every
    # autosave until one was typed in (400: "There are validation errors, click save to
    # highlight them."): blocks added meanwhile were not saved. It starts at today's.
    refused = []
    page = editor.page
    page.on(
        "response",
        lambda response: (
            response.request.method == "POST"
            and response.status >= 400
            and refused.append(f"{response.status} {response.url}: {response.text()}")
        ),
    )
    news_index = api('{ page(urlPath: "/news/") { id } }')["page"]
    quote, point = "We were listened to.", "Foster carers met the panel."
    saved = page.locator("#w-autosave-indicator").get_by_text("Saved", exact=True)

    editor.log_in("autosave-signed-in")
    page.goto(f"/admin/pages/add/news/newspage/{news_index['id']}/")
    expect(page.locator("#id_date")).to_have_value(timezone.localdate().isoformat())
    watched_for_changes(page)
    page.locator("#id_title").fill("Foster carers honoured")
    page.locator("#body-root").get_by_role("button", name="Insert a block").click()
    page.get_by_role("option", name="Quote").click()
    page.locator('[name="body-0-value-quote"]').fill(quote)
    # The first autosave creates the draft, and the address becomes its editor's.
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(saved).to_be_visible()

    page.locator("#body-root").get_by_role("button", name="Insert a block").last.click()
    page.get_by_role("option", name="List").click()
    with page.expect_response(lambda r: r.request.method == "POST" and "/edit/" in r.url):
        page.locator('[name="body-1-value-items-0-value"]').fill(point)
    expect(saved).to_be_visible()
    editor.snap("autosave-1-saved")

    page.reload()  # what autosave kept, as the editor finds it when they come back
    expect(page.locator('[name="body-0-value-quote"]')).to_have_value(quote)
    expect(page.locator('[name="body-1-value-items-0-value"]')).to_have_value(point)
    assert refused == []
    assert editor.script_errors == []


def test_with_nothing_due_the_due_for_review_report_says_when_the_next_review_is(editor):
    # The Southwark content, loaded today, is due a year on: nothing within 30 days.
    today = timezone.localdate()
    editor.log_in("reviews-signed-in")
    page = editor.page
    page.get_by_role("button", name="Reports").click()
    page.get_by_role("list", name="Reports").get_by_role("link", name="Due for review").click()
    said = page.get_by_role("main")
    expect(said).to_contain_text(
        "Nothing is overdue or due for review in the next 30 days"
        f" (to {date_format(today + datetime.timedelta(days=30))})."
    )
    expect(said).to_contain_text(
        f"The next review falls due on {date_format(a_year_after(today))}:"
    )
    editor.snap("reviews-1-nothing-due")


def test_an_editor_creates_a_news_page_and_the_front_end_is_told(editor, api, webhooks, settings):
    # Autosave off: whether it has created the page as a draft by the time Publish is
    # pressed is a race (pressed meanwhile, the add form is posted twice and refused: the
    # slug is taken), and on a loaded machine autosave may not have run at all.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    page = editor.page
    title = "Southwark foster carers honoured at borough awards"
    slug = "southwark-foster-carers-honoured-at-borough-awards"
    summary = "Twelve foster carers were thanked for their years of care at a ceremony."
    image = "London Social Work for Children"
    quote = "Our foster carers change children's lives every day."
    attribution, role = "Cllr Jasmine Ali", "Cabinet Member for Children and Families"
    news_index = api('{ page(urlPath: "/news/") { id } }')["page"]

    editor.log_in("news-1-signed-in")
    page.goto(f"/admin/pages/{news_index['id']}/")
    page.get_by_role("link", name="Add child page").click()  # news pages are its only type
    expect(page).to_have_url(re.compile(r"/admin/pages/add/news/newspage/\d+/$"))

    page.locator("#id_title").fill(title)
    page.locator("#id_date").fill("2026-11-20")
    page.locator("#id_summary").fill(summary)
    expect(page.locator("#id_slug")).to_have_value(slug)  # made from the title

    hero = page.locator("#panel-child-content-hero_image-section")
    hero.get_by_role("button", name="Choose an image").click()
    chooser = page.get_by_role("dialog").filter(has_text="Choose an image")
    choice = chooser.locator("a[data-chooser-modal-choice]", has_text=image)
    expect(choice.locator("img")).to_be_visible()
    editor.snap("news-2-image-chooser")
    choice.click()
    expect(chooser).to_be_hidden()
    expect(hero.locator("#id_hero_image-title")).to_have_text(image)

    page.locator("#body-root").get_by_role("button", name="Insert a block").click()
    page.get_by_role("option", name="Quote").click()
    page.locator('[name="body-0-value-quote"]').fill(quote)
    page.locator('[name="body-0-value-attribution"]').fill(attribution)
    page.locator('[name="body-0-value-role"]').fill(role)
    editor.snap("news-3-form-with-quote-block")

    publish(page, title)
    editor.snap("news-4-published")
    assert webhooks.deliveries == [], "queued for the task worker, not sent in the request"

    item = api(NEWS_ITEM_QUERY, {"slug": slug})["newsItem"]
    assert item == {
        "id": item["id"],
        "title": title,
        "date": "2026-11-20",
        "summary": summary,
        "url": f"/news/{slug}/",
        "heroImage": {"title": image},
        "body": [
            {"blockType": "QuoteBlock", "quote": quote, "attribution": attribution, "role": role}
        ],
    }

    run_webhook_worker_in_a_thread("browser-test-worker")
    [delivery] = webhooks.deliveries
    assert delivery.path == "/api/revalidate"
    assert delivery.event == "page.published"
    assert delivery.signed_with(WEBHOOK_SECRET)
    assert {k: delivery.payload[k] for k in ("event", "type", "id", "urlPath")} == {
        "event": "page.published",
        "type": "news.NewsPage",
        "id": int(item["id"]),
        "urlPath": f"/news/{slug}/",
    }

    page.goto(f"{webhooks.origin}/webhooks/")
    expect(page.get_by_role("cell", name="page.published")).to_be_visible()
    editor.snap("news-5-webhook-received")
    assert editor.script_errors == []
