"""Signing in in a real browser: an editor through the council's provider (a real one,
panva's certified oidc-provider, tests/support/oidc.py), and a break-glass superuser with
a password and an authenticator app.

Headless Chromium, driven by Playwright, against pytest-django's live server. Playwright's
synchronous API keeps an event loop running in this thread, in which Django refuses
database calls: the accounts are made before the browser starts and checked after it
closes. Screenshots go to test-artifacts/browser/<database vendor>/signin-*.png.
"""

import base64
import contextlib
import copy
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django_otp.oath import totp

from signin.models import SignInEvent
from tests.support.chromium import CHROMIUM_ARGS
from tests.support.oidc import RealProvider, provider_missing, use_provider

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # reported by the chromium_path fixture: skipped, or failed under CI
    sync_playwright = None

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"
TIMEOUT_MS = 15_000
BREAK_GLASS, PASSWORD = "break-glass", "a-long-break-glass-passphrase"


@pytest.fixture
def provider(live_server, settings, tmp_path):
    missing = provider_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"The sign-in tests need {missing}.")
        pytest.skip(f"The sign-in tests need {missing}.")
    callback = f"{live_server.url}/admin/sso/callback/"
    signed_out = f"{live_server.url}/admin/login/"
    with RealProvider(tmp_path, [callback], [signed_out]) as running:
        use_provider(settings, running.issuer)
        # What base.py adds from SSO_ISSUER at start-up (this test switches it on later):
        # the sign-out form's redirect to the provider's end-session page is allowed.
        policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        policy["DIRECTIVES"]["form-action"].append(running.issuer)
        settings.CONTENT_SECURITY_POLICY = policy
        running.set_account("ada.editor", ["cms-editors"], name="Ada Editor")
        yield running


@pytest.fixture
def browser(chromium_path, live_server):
    """Opens Chromium on the live server: `with browser() as (page, snap):`, the database
    checked after the block, once Playwright's event loop has stopped."""
    screenshots = SCREENSHOTS / connection.vendor
    screenshots.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=TIMEOUT_MS)

    @contextlib.contextmanager
    def opened():
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            context = chromium.new_context(base_url=live_server.url)
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            try:
                yield page, lambda name: page.screenshot(path=screenshots / f"signin-{name}.png")
            finally:
                chromium.close()

    return opened


def test_an_editor_signs_in_through_the_councils_provider(provider, browser):
    with browser() as (page, snap):
        page.goto("/admin/login/")
        page.locator("#signin-sso").click()

        # The provider's own sign-in screen.
        expect(page).to_have_url(re.compile(re.escape(provider.issuer)))
        page.locator("input[name=login]").fill("ada.editor")
        page.locator("input[name=password]").fill("any-password")
        snap("1-provider")
        page.get_by_role("button", name="Sign-in").click()

        expect(page).to_have_url(re.compile(r"/admin/$"))
        expect(page.get_by_role("heading", name="Southwark Children's Services")).to_be_visible()
        snap("2-signed-in")
        # Editors have no Settings > Users: that is for Administrators.
        page.goto("/admin/users/")
        expect(page).not_to_have_url(re.compile(r"/admin/users/$"))

        # Signing out, from the sidebar's account menu, ends at the provider too (which
        # asks whether to end its own session).
        page.goto("/admin/")
        page.get_by_role("button", name=re.compile("Ada Editor")).click()
        page.get_by_role("button", name="Log out").click()
        expect(page).to_have_url(re.compile(re.escape(provider.issuer) + "/session/end"))
        snap("3-signed-out-at-provider")

    user = get_user_model().objects.get(username="ada.editor")
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert SignInEvent.objects.filter(kind=SignInEvent.SIGNED_IN, method="sso").count() == 1
    assert SignInEvent.objects.filter(kind=SignInEvent.SIGNED_OUT, method="sso").count() == 1


def test_a_break_glass_superuser_signs_in_with_a_password_and_an_app(settings, browser):
    settings.SIGNIN_SECOND_FACTOR_REQUIRED = True
    get_user_model().objects.create_superuser(BREAK_GLASS, "it@example.org", PASSWORD)

    with browser() as (page, snap):
        page.goto("/admin/login/")
        page.locator("#id_username").fill(BREAK_GLASS)
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()

        expect(page).to_have_url(re.compile(r"/admin/second-factor/"))
        expect(page.locator(".signin-qr-code svg")).to_be_visible()
        snap("4-set-up-app")
        secret = page.locator("#signin-secret").inner_text()
        code = totp(base64.b32decode(secret))  # what the authenticator app shows
        page.locator("#id_code").fill(f"{code:06d}")
        page.get_by_role("button", name="Confirm").click()

        expect(page.locator(".signin-recovery-codes").locator("li")).to_have_count(10)
        snap("5-recovery-codes")
        page.get_by_role("link", name="Continue").click()
        expect(page).to_have_url(re.compile(r"/admin/$"))
        page.goto("/admin/users/")  # a superuser's
        expect(page).to_have_url(re.compile(r"/admin/users/$"))

    methods = SignInEvent.objects.filter(kind=SignInEvent.SIGNED_IN).order_by("id")
    assert list(methods.values_list("method", flat=True)) == ["password", "second-factor"]
