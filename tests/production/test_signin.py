"""Signing in to the deployment, in Chromium through nginx over HTTPS: an editor through a
real OpenID provider (panva's certified oidc-provider, tests/support/oidc.py) lands in
the admin as an Editor and cannot publish; removed from the group, they lose the role at
their next sign-in; a break-glass superuser signs in with a password and an authenticator
app. Sign-out ends at the provider's end-session page (the admin's Content-Security-Policy
lets the form's redirect go there).

App server A is restarted with single sign-on switched on for this module (the others see
the deployment as it was); the browser works through nginx's route to A alone.
"""

import base64
import os
import re
import secrets

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.support.admin import publish, sign_in
from tests.support.oidc import CLIENT_ID, CLIENT_SECRET, RealProvider, provider_missing

BREAK_GLASS = "break-glass"


@pytest.fixture(scope="module")
def provider(deployment, tmp_path_factory):
    missing = provider_missing()
    if missing:  # `make test` installs it: skipped without it, failed under CI
        if os.environ.get("CI"):
            pytest.fail(f"The sign-in tests need {missing}.")
        pytest.skip(f"The sign-in tests need {missing}.")
    with RealProvider(
        tmp_path_factory.mktemp("oidc"),
        [f"{deployment.url_a}/admin/sso/callback/"],
        [f"{deployment.url_a}/admin/login/"],
    ) as running:
        running.set_account("ada.editor", ["cms-editors"], name="Ada Editor")
        running.set_account("mo.moderator", ["cms-moderators"], name="Mo Moderator")
        single_sign_on = {
            "SSO_ENABLED": "1",
            "SSO_ISSUER": running.issuer,
            "SSO_CLIENT_ID": CLIENT_ID,
            "SSO_CLIENT_SECRET": CLIENT_SECRET,
            "SSO_SCOPES": "openid email profile groups",
            "SSO_GROUP_ROLES": "cms-editors:Editors,cms-moderators:Moderators",
        }
        with deployment.app_servers["a"].running_with(**single_sign_on):
            yield running


def roles_of(deployment, username):
    rows = deployment.query(
        "SELECT g.name FROM auth_user u JOIN auth_user_groups ug ON ug.user_id = u.id "
        "JOIN auth_group g ON g.id = ug.group_id WHERE u.username = %s ORDER BY g.name",
        username,
    )
    return [name for (name,) in rows]


def sign_in_at_provider(page, provider, login):
    page.goto("/admin/login/")
    page.locator("#signin-sso").click()
    expect(page).to_have_url(re.compile(re.escape(provider.issuer)))
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any-password")
    page.get_by_role("button", name="Sign-in").click()


def test_an_editor_signs_in_as_an_editor_who_cannot_publish(browser_context, deployment, provider):
    page = browser_context(deployment.url_a).new_page()
    sign_in_at_provider(page, provider, "ada.editor")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    assert roles_of(deployment, "ada.editor") == ["Editors"]

    [(fair,)] = deployment.query("SELECT id FROM wagtailcore_page WHERE slug = 'fair'")
    page.goto(f"/admin/pages/{fair}/edit/")
    page.get_by_role("button", name="More actions").click()
    expect(page.get_by_role("button", name=re.compile("Submit to"))).to_be_visible()
    expect(page.get_by_role("button", name="Publish", exact=True)).to_have_count(0)

    # Signing out, from the sidebar's account menu, ends at the provider too.
    page.goto("/admin/")
    page.get_by_role("button", name=re.compile("Ada Editor")).click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(re.escape(provider.issuer) + "/session/end"))


def test_an_editor_submits_and_a_moderator_approves_both_signed_in_by_the_provider(
    browser_context, deployment, provider
):
    [(fair, summary)] = deployment.query(
        "SELECT p.id, f.summary FROM wagtailcore_page p JOIN principles_principlepage f "
        "ON f.page_ptr_id = p.id WHERE p.slug = 'fair'"
    )
    edited = f"{summary} (signed off through single sign-on)"
    editor = browser_context(deployment.url_a).new_page()
    sign_in_at_provider(editor, provider, "ada.editor")
    editor.goto(f"/admin/pages/{fair}/edit/")
    editor.locator("#id_summary").fill(edited)
    editor.get_by_role("button", name="More actions").click()
    editor.get_by_role("button", name="Submit to Moderators approval").click()
    expect(editor).to_have_url(re.compile(r"/admin/pages/\d+/$"))

    moderator = browser_context(deployment.url_a).new_page()
    sign_in_at_provider(moderator, provider, "mo.moderator")
    expect(moderator).to_have_url(re.compile(r"/admin/$"))
    assert roles_of(deployment, "mo.moderator") == ["Moderators"]
    moderator.goto(f"/admin/pages/{fair}/edit/")
    expect(moderator.locator("#id_summary")).to_have_value(edited)
    moderator.get_by_role("button", name="More actions").click()
    moderator.get_by_role("button", name="Approve and publish", exact=True).click()
    expect(moderator).to_have_url(re.compile(r"/admin/pages/\d+/$"))
    [(live,)] = deployment.query(
        "SELECT summary FROM principles_principlepage WHERE page_ptr_id = %s", fair
    )
    assert live == edited

    # Put back as it was, for the other tests' documented responses.
    moderator.goto(f"/admin/pages/{fair}/edit/")
    moderator.locator("#id_summary").fill(summary)
    publish(moderator, "Fair")


def test_a_user_removed_from_the_group_loses_the_role_at_the_next_sign_in(
    browser_context, deployment, provider
):
    page = browser_context(deployment.url_a).new_page()
    sign_in_at_provider(page, provider, "ada.editor")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    provider.set_account("ada.editor", ["staff-all"], name="Ada Editor")

    page = browser_context(deployment.url_a).new_page()
    sign_in_at_provider(page, provider, "ada.editor")

    expect(page.locator('[data-reason="no_mapped_group"]')).to_be_visible()
    assert roles_of(deployment, "ada.editor") == []
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))


def test_a_break_glass_superuser_signs_in_with_a_password_and_an_app(
    browser_context, deployment, provider
):
    password = secrets.token_urlsafe(18)
    deployment.manage(
        "createsuperuser",
        "--noinput",
        f"--username={BREAK_GLASS}",
        "--email=it@example.org",
        log="content",
        env={"DJANGO_SUPERUSER_PASSWORD": password},
    )
    page = browser_context(deployment.url_a).new_page()
    page.goto("/admin/login/")
    page.locator("#id_username").fill(BREAK_GLASS)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/admin/second-factor/"))
    secret = page.locator("#signin-secret").inner_text()
    page.locator("#id_code").fill(f"{totp(base64.b32decode(secret)):06d}")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".signin-recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    kinds = deployment.query(
        "SELECT kind, method FROM signin_signinevent WHERE username = %s ORDER BY id",
        BREAK_GLASS,
    )
    assert kinds == [("signed-in", "password"), ("signed-in", "second-factor")]


def test_the_editing_suites_superuser_still_signs_in_with_its_password(
    browser_context, deployment, provider
):
    """Its test deployment's exemption (SIGNIN_SECOND_FACTOR_EXEMPT) holds with single
    sign-on on too."""
    from .deployment import EDITOR, EDITOR_PASSWORD

    sign_in(browser_context(deployment.url_a).new_page(), EDITOR, EDITOR_PASSWORD)
