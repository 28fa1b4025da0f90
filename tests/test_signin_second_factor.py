"""Local password accounts: a second factor (authenticator app, recovery codes) for
superusers always and for everyone while single sign-on is on; SSO_ONLY keeps passwords
to break-glass superusers; django-axes' lockouts still apply; sessions end after
SIGNIN_SESSION_MAX_AGE; every sign-in recorded."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from signin import events
from signin.models import SignInEvent
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-passphrase"
HOME = "/admin/"
SECOND_FACTOR = "/admin/second-factor/"


@pytest.fixture(autouse=True)
def second_factor_on(settings):
    """As in production (the test settings switch it off for the rest of the suite)."""
    settings.SIGNIN_SECOND_FACTOR_REQUIRED = True
    settings.SIGNIN_SECOND_FACTOR_EXEMPT = []


@pytest.fixture
def superuser():
    return UserFactory(username="break-glass", is_superuser=True, is_staff=True)


def sign_in(client, username, password=PASSWORD, address="192.0.2.10"):
    return client.post(
        "/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def code_for(device, steps_ahead=0):
    """The app's code now (or a later step's: each code is taken once only)."""
    device.refresh_from_db()
    number = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead
    )
    return f"{number:0{device.digits}d}"


def set_up_app(client):
    """Through the set-up page: returns the recovery codes shown."""
    page = client.get(SECOND_FACTOR)
    assert b"Set up your authenticator app" in page.content
    device = TOTPDevice.objects.get(confirmed=False)
    shown = client.post(SECOND_FACTOR, {"code": code_for(device), "next": HOME})
    assert shown.status_code == 200
    return re.findall(r"<li><code>([a-z0-9]+)</code></li>", shown.content.decode())


def test_a_superuser_signs_in_with_password_then_sets_up_and_uses_an_app(client, superuser):
    assert sign_in(client, "break-glass").status_code == 302
    # Nothing but the second factor (and signing out) until it is passed.
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{SECOND_FACTOR}?next=%2Fadmin%2F"
    assert client.get("/admin/pages/").status_code == 302

    page = client.get(SECOND_FACTOR)
    assert b"<svg" in page.content  # the QR code, drawn here
    secret = re.search(rb'id="signin-secret">([A-Z2-7]+)<', page.content)[1]
    assert len(secret) == 32

    wrong = client.post(SECOND_FACTOR, {"code": "000000"})
    assert wrong.status_code == 400 and b"not right" in wrong.content
    assert client.get(HOME).status_code == 302
    # After a wrong code, even the right one is refused for a while (django-otp's
    # throttle, doubling with each failure): here, the wait is over.
    device = TOTPDevice.objects.get(user=superuser)
    assert client.post(SECOND_FACTOR, {"code": code_for(device)}).status_code == 400
    TOTPDevice.objects.update(throttling_failure_count=0)

    codes = set_up_app(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(HOME).status_code == 200
    assert TOTPDevice.objects.get(user=superuser).confirmed
    events_recorded = SignInEvent.objects.order_by("id").values_list("kind", "method", "reason")
    assert list(events_recorded) == [
        (SignInEvent.SIGNED_IN, "password", ""),
        (SignInEvent.REFUSED, "second-factor", "wrong_second_factor"),
        (SignInEvent.REFUSED, "second-factor", "wrong_second_factor"),
        (SignInEvent.SIGNED_IN, "second-factor", ""),
    ]


def test_next_time_the_app_or_a_recovery_code_once_lets_them_in(client, superuser):
    sign_in(client, "break-glass")
    codes = set_up_app(client)
    device = TOTPDevice.objects.get(user=superuser)
    client.logout()

    sign_in(client, "break-glass")
    page = client.get(SECOND_FACTOR)
    assert b"Enter your code" in page.content and b"<svg" not in page.content
    response = client.post(SECOND_FACTOR, {"code": code_for(device, 1), "next": "/admin/pages/"})
    assert response["Location"] == "/admin/pages/"
    client.logout()

    for attempt in ("first", "second"):
        sign_in(client, "break-glass")
        client.post(SECOND_FACTOR, {"code": codes[0]})
        assert client.get(HOME).status_code == (200 if attempt == "first" else 302)
        client.logout()


def test_a_signed_in_and_verified_user_is_sent_on(client, superuser):
    sign_in(client, "break-glass")
    set_up_app(client)
    assert client.get(f"{SECOND_FACTOR}?next=https://elsewhere.example/").url == HOME
    assert client.post(SECOND_FACTOR, {"code": "x"}).url == HOME


def test_the_second_factor_page_needs_a_password_first(client):
    response = client.get(SECOND_FACTOR)
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_editor_needs_no_second_factor_while_single_sign_on_is_off(client):
    UserFactory(username="local-editor", role="Editors")
    sign_in(client, "local-editor")
    assert client.get(HOME).status_code == 200


def test_every_local_account_needs_one_while_single_sign_on_is_on(client, settings):
    settings.SSO_ENABLED = True
    UserFactory(username="local-editor", role="Editors")
    sign_in(client, "local-editor")
    assert client.get(HOME)["Location"].startswith(SECOND_FACTOR)


def test_an_exempt_login_needs_none(client, settings, superuser):
    settings.SIGNIN_SECOND_FACTOR_EXEMPT = ["break-glass"]
    sign_in(client, "break-glass")
    assert client.get(HOME).status_code == 200


def test_dev_logins_are_exempt_in_development_settings_only():
    from cms.settings import base

    assert base.SIGNIN_SECOND_FACTOR_EXEMPT == []  # unless the environment names some
    source = (base.BASE_DIR / "cms" / "settings" / "dev.py").read_text()
    assert 'SIGNIN_SECOND_FACTOR_EXEMPT = ["admin", "editor", "moderator"]' in source
    from home.management.commands.ensure_dev_admin import DEV_LOGINS

    assert sorted(DEV_LOGINS) == ["admin", "editor", "moderator"]


def test_sso_only_keeps_passwords_to_break_glass_superusers(client, settings, superuser):
    settings.SSO_ENABLED = True
    settings.SSO_ONLY = True
    UserFactory(username="local-editor", role="Editors")
    refused = sign_in(client, "local-editor")
    assert refused.status_code == 200  # the form again
    assert client.get(HOME).status_code == 302
    assert sign_in(client, "break-glass").status_code == 302
    assert client.get(HOME)["Location"].startswith(SECOND_FACTOR)
    page = client.get("/admin/login/")
    assert b"break-glass administrator accounts only" not in page.content  # signed in
    client.logout()
    assert b"break-glass administrator accounts only" in client.get("/admin/login/").content


def test_lockouts_still_apply_and_are_recorded(client, superuser):
    for _ in range(5):
        sign_in(client, "break-glass", "wrong-password")
    locked = sign_in(client, "break-glass")
    assert locked.status_code == 429
    refused = SignInEvent.objects.filter(kind=SignInEvent.REFUSED).order_by("id")
    # The fifth wrong password locks the pair out; the sixth try is refused for that.
    assert list(refused.values_list("reason", flat=True)) == [
        *["wrong_password"] * 4,
        "locked_out",
        "locked_out",
    ]
    assert all(event.username == "break-glass" for event in SignInEvent.objects.all())


def test_a_session_ends_after_its_maximum_age(client, settings):
    user = UserFactory(username="local-editor", role="Editors")
    sign_in(client, "local-editor")
    assert client.get(HOME).status_code == 200
    session = client.session
    session[events.SIGNED_IN_AT_KEY] = time.time() - settings.SIGNIN_SESSION_MAX_AGE - 1
    session.save()

    response = client.get(HOME)

    assert response["Location"] == reverse("wagtailadmin_login")
    assert client.get(HOME).status_code == 302
    ended = SignInEvent.objects.get(kind=SignInEvent.SIGNED_OUT)
    assert (ended.user, ended.reason) == (user, "session_max_age")


def test_a_session_from_before_the_rule_starts_its_time_now(client):
    user = UserFactory(username="local-editor", role="Editors")
    client.force_login(user)
    session = client.session
    del session[events.SIGNED_IN_AT_KEY]
    session.save()
    assert client.get(HOME).status_code == 200
    assert events.SIGNED_IN_AT_KEY in client.session


def test_signing_out_a_password_session_stays_here(client):
    UserFactory(username="local-editor", role="Editors")
    sign_in(client, "local-editor")
    response = client.post("/admin/logout/")
    assert response["Location"] == reverse("wagtailadmin_login")
    signed_out = SignInEvent.objects.get(kind=SignInEvent.SIGNED_OUT)
    assert (signed_out.username, signed_out.method) == ("local-editor", "password")


def test_an_account_made_by_single_sign_on_has_no_password_way_in(client):
    from signin.models import SignInIdentity

    user = UserFactory(username="sso-person", role="Editors")
    SignInIdentity.objects.create(user=user, issuer="https://idp.example", subject="s")
    assert sign_in(client, "sso-person").status_code == 200  # refused: the form again
    assert not get_user_model().objects.get(username="sso-person").last_login


def test_a_forwarded_entry_that_is_no_address_is_not_taken_for_the_client(client, settings):
    """Its own peer is recorded, and django-axes can look it up on PostgreSQL (an
    address column refuses "unknown": a 500 before)."""
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        "/admin/login/",
        {"username": "nobody", "password": "x"},
        HTTP_X_FORWARDED_FOR="unknown",
    )
    event = SignInEvent.objects.get()
    assert (event.reason, event.ip_address) == ("wrong_password", "127.0.0.1")  # the peer's


def test_a_switched_off_local_account_cannot_sign_in(client):
    UserFactory(username="left", role="Editors", is_active=False)
    assert sign_in(client, "left").status_code == 200  # the form again
    assert client.get(HOME).status_code == 302


def test_signing_out_when_not_signed_in_records_nothing(client):
    assert client.post("/admin/logout/").status_code == 302
    assert not SignInEvent.objects.exists()


def test_what_the_second_factor_page_loads_is_served_before_it_is_passed(client, superuser):
    sign_in(client, "break-glass")
    assert client.get(reverse("wagtailadmin_sprite")).status_code == 200  # its icons
    assert client.get(reverse("wagtailadmin_javascript_catalog")).status_code == 200
    assert client.get("/admin/pages/").status_code == 302


def test_sso_only_ends_the_password_sessions_of_all_but_superusers(client, settings):
    UserFactory(username="local-editor", role="Editors")
    sign_in(client, "local-editor")
    assert client.get(HOME).status_code == 200
    settings.SSO_ONLY = True  # alone, it does nothing: single sign-on is off
    assert client.get(HOME).status_code == 200
    settings.SSO_ENABLED = True
    assert client.get(HOME).status_code == 302
