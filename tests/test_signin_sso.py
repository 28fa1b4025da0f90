"""Single sign-on through a real OpenID provider (panva's certified oidc-provider, started
by these tests on a free port, tests/support/oidc.py): an account made on first sign-in
with exactly the mapped roles, roles following the provider's groups at every sign-in,
refusals that change nothing, sign-out at the provider too, and every step recorded."""

import io
import json
import logging
import os

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from principles.models import PrinciplePage
from signin.models import SignInEvent, SignInIdentity
from tests.support.factories import UserFactory
from tests.support.oidc import (
    CLIENT_SECRET,
    RealProvider,
    callback_path,
    provider_missing,
    sign_in_at_provider,
    start_sign_in,
    use_provider,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

CALLBACK = "http://testserver/admin/sso/callback/"
SIGNED_OUT = "http://testserver/admin/login/"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    missing = provider_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"The sign-in tests need {missing}.")
        pytest.skip(f"The sign-in tests need {missing}.")
    with RealProvider(tmp_path_factory.mktemp("oidc"), [CALLBACK], [SIGNED_OUT]) as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    use_provider(settings, provider.issuer)
    provider.accounts.clear()
    provider.set_account("ada.editor", ["cms-editors", "staff-all"])
    provider.set_account("mo.moderator", ["cms-moderators"])
    provider.set_account("no.access", ["staff-all"])
    return provider


def sign_in(client, login):
    """The whole round: the CMS's start, the provider's sign-in, the CMS's callback."""
    authorize_url, _ = start_sign_in(client)
    return client.get(callback_path(sign_in_at_provider(authorize_url, login)))


def roles_of(username):
    user = get_user_model().objects.get(username=username)
    return sorted(user.groups.values_list("name", flat=True))


def reasons(kind=SignInEvent.REFUSED):
    return list(SignInEvent.objects.filter(kind=kind).values_list("reason", flat=True))


def test_the_sign_in_page_offers_single_sign_on_only_when_it_is_on(client, settings, sso):
    assert b'id="signin-sso"' in client.get("/admin/login/").content
    settings.SSO_ENABLED = False
    assert b'id="signin-sso"' not in client.get("/admin/login/").content
    assert client.get("/admin/sso/start/").status_code == 404
    assert client.get("/admin/sso/callback/?code=x&state=y").status_code == 404


def test_the_request_carries_state_nonce_and_a_pkce_challenge(client, sso):
    _, query = start_sign_in(client)
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43  # base64url of a SHA-256
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["redirect_uri"] == CALLBACK


def test_an_editor_is_made_on_first_sign_in_with_exactly_the_editors_role(client, sso):
    response = sign_in(client, "ada.editor")

    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    user = get_user_model().objects.get(username="ada.editor")
    assert roles_of("ada.editor") == ["Editors"]  # "staff-all" maps to nothing
    assert not user.has_usable_password() and not user.is_superuser
    assert user.email == "ada.editor@southwark.example"
    assert SignInIdentity.objects.get(user=user).issuer == sso.issuer
    page = PrinciplePage.objects.get(slug="fair")
    assert page.permissions_for_user(user).can_edit()
    assert not page.permissions_for_user(user).can_publish()
    kinds = list(SignInEvent.objects.order_by("id").values_list("kind", "method", "detail"))
    assert kinds == [
        (SignInEvent.ROLES_CHANGED, "sso", "none -> Editors"),
        (SignInEvent.SIGNED_IN, "sso", ""),
    ]


@pytest.mark.parametrize(
    ("asked", "landed"),
    [("/admin/pages/", "/admin/pages/"), ("https://elsewhere.example/", "/admin/")],
)
def test_the_page_asked_for_is_where_a_sign_in_ends_if_it_is_here(client, sso, asked, landed):
    authorize_url, _ = start_sign_in(client, next_url=asked)
    response = client.get(callback_path(sign_in_at_provider(authorize_url, "ada.editor")))
    assert response["Location"] == landed


def test_roles_follow_the_providers_groups_at_every_sign_in(client, sso):
    sign_in(client, "ada.editor")
    client.logout()

    sso.set_account("ada.editor", ["cms-moderators", "cms-editors"])
    sign_in(client, "ada.editor")
    assert roles_of("ada.editor") == ["Editors", "Moderators"]
    client.logout()

    sso.set_account("ada.editor", ["cms-moderators"])
    sign_in(client, "ada.editor")
    assert roles_of("ada.editor") == ["Moderators"]
    details = SignInEvent.objects.filter(kind=SignInEvent.ROLES_CHANGED).order_by("id")
    assert list(details.values_list("detail", flat=True)) == [
        "none -> Editors",
        "Editors -> Editors, Moderators",
        "Editors, Moderators -> Moderators",
    ]
    assert get_user_model().objects.filter(username="ada.editor").count() == 1


def test_a_user_removed_from_every_mapped_group_loses_their_roles_and_is_refused(client, sso):
    sign_in(client, "ada.editor")
    client.logout()

    sso.set_account("ada.editor", ["staff-all"])
    response = sign_in(client, "ada.editor")

    assert response.status_code == 403
    assert b"not in any group that gives access" in response.content
    assert roles_of("ada.editor") == []
    assert client.get(reverse("wagtailadmin_home")).status_code == 302  # not signed in
    assert reasons() == ["no_mapped_group"]


def test_someone_in_no_mapped_group_is_refused_and_no_account_is_made(client, sso):
    response = sign_in(client, "no.access")

    assert response.status_code == 403
    assert b"no CMS account was made" in response.content
    assert not get_user_model().objects.filter(username="no.access").exists()
    assert reasons() == ["no_mapped_group"]
    assert SignInEvent.objects.get(kind=SignInEvent.REFUSED).username == "no.access"


def test_a_local_account_of_the_same_name_is_never_taken_over(client, sso):
    UserFactory(username="ada.editor", role="Moderators")
    response = sign_in(client, "ada.editor")
    assert response.status_code == 403
    assert roles_of("ada.editor") == ["Moderators"]
    assert not SignInIdentity.objects.exists()
    assert reasons() == ["username_taken"]


def test_a_switched_off_account_is_signed_out_and_refused(client, sso):
    sign_in(client, "ada.editor")
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    get_user_model().objects.filter(username="ada.editor").update(is_active=False)
    assert client.get(reverse("wagtailadmin_home")).status_code == 302  # its session ends
    response = sign_in(client, "ada.editor")
    assert response.status_code == 403
    assert reasons() == ["inactive"]


def test_a_callback_used_twice_is_refused_the_second_time(client, sso):
    authorize_url, _ = start_sign_in(client)
    callback = callback_path(sign_in_at_provider(authorize_url, "ada.editor"))
    assert client.get(callback).status_code == 302
    client.logout()
    roles_before = roles_of("ada.editor")

    replayed = client.get(callback)

    assert replayed.status_code == 400
    assert b"already been used" in replayed.content
    assert client.get(reverse("wagtailadmin_home")).status_code == 302
    assert roles_of("ada.editor") == roles_before
    assert reasons() == ["state"]


def test_a_callback_with_a_state_this_browser_never_started_is_refused(client, sso):
    authorize_url, _ = start_sign_in(client)
    callback = callback_path(sign_in_at_provider(authorize_url, "ada.editor"))
    forged = callback.replace("state=", "state=forged")
    assert client.get(forged).status_code == 400
    # And from another browser, with no sign-in under way at all.
    other = client.__class__()
    assert other.get(callback).status_code == 400
    assert not get_user_model().objects.filter(username="ada.editor").exists()
    assert reasons() == ["state", "state"]


def test_a_code_for_another_sign_in_is_refused_by_the_provider(client, sso):
    """The state and nonce of one sign-in with the code of another: PKCE's verifier (and
    the nonce) do not match, and the provider refuses the code."""
    first_url, _ = start_sign_in(client)
    first = callback_path(sign_in_at_provider(first_url, "ada.editor"))
    second_url, _ = start_sign_in(client)
    second = callback_path(sign_in_at_provider(second_url, "ada.editor"))
    code_of_first = first.split("code=")[1].split("&")[0]
    code_of_second = second.split("code=")[1].split("&")[0]

    response = client.get(second.replace(code_of_second, code_of_first))

    assert response.status_code == 400
    assert reasons() == ["code_refused"]
    assert not get_user_model().objects.filter(username="ada.editor").exists()


def test_the_provider_saying_no_is_a_page_not_an_error(client, sso):
    _, query = start_sign_in(client)
    response = client.get(f"/admin/sso/callback/?error=access_denied&state={query['state']}")
    assert response.status_code == 400
    assert b"did not sign you in" in response.content
    assert reasons() == ["provider_error"]


def test_signing_out_ends_the_session_and_the_providers(client, sso):
    sign_in(client, "ada.editor")

    response = client.post("/admin/logout/")

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{sso.issuer}/session/end?")
    assert "id_token_hint=" in location and "post_logout_redirect_uri=" in location
    assert client.get(reverse("wagtailadmin_home")).status_code == 302
    signed_out = SignInEvent.objects.get(kind=SignInEvent.SIGNED_OUT)
    assert (signed_out.username, signed_out.method) == ("ada.editor", "sso")


def test_signing_out_when_the_provider_is_down_still_ends_the_local_session(client, sso, settings):
    sign_in(client, "ada.editor")
    settings.SSO_ISSUER = "http://127.0.0.1:9"  # nothing answers there
    response = client.post("/admin/logout/")
    assert response["Location"] == reverse("wagtailadmin_login")
    assert client.get(reverse("wagtailadmin_home")).status_code == 302


def test_a_provider_that_does_not_answer_is_a_page_not_an_error(client, settings, sso):
    settings.SSO_ISSUER = "http://127.0.0.1:9"
    response = client.get("/admin/sso/start/")
    assert response.status_code == 502
    assert b"could not be reached" in response.content
    assert reasons() == ["provider_unreachable"]


def test_each_sign_in_is_a_json_log_line_with_the_request_id_and_no_secret(client, sso, caplog):
    caplog.set_level(logging.INFO, logger="cms.signin")
    authorize_url, query = start_sign_in(client)
    location = sign_in_at_provider(authorize_url, "ada.editor")
    response = client.get(callback_path(location))

    event = SignInEvent.objects.get(kind=SignInEvent.SIGNED_IN)
    assert event.request_id == response["X-Request-ID"]
    lines = [record for record in caplog.records if record.name == "cms.signin"]
    assert [(line.event, line.username) for line in lines] == [
        (SignInEvent.ROLES_CHANGED, "ada.editor"),
        (SignInEvent.SIGNED_IN, "ada.editor"),
    ]
    code = location.split("code=")[1].split("&")[0]
    secrets = [code, query["state"], query["nonce"], CLIENT_SECRET]
    session_token = client.session.get("oidc_id_token")
    assert session_token
    text = json.dumps([vars(record) for record in caplog.records], default=str)
    for secret in [*secrets, session_token]:
        assert secret not in text


def test_the_sign_ins_report_lists_them_for_those_allowed(client, sso):
    sign_in(client, "no.access")
    admin = UserFactory(username="an-admin", is_superuser=True)
    client.force_login(admin)
    report = client.get("/admin/reports/sign-ins/")
    assert report.status_code == 200
    assert b"no_mapped_group" in report.content and b"no.access" in report.content
    editor = UserFactory(username="just-an-editor", role="Editors")
    client.force_login(editor)
    assert client.get("/admin/reports/sign-ins/").status_code == 302  # permission denied


def test_the_log_line_production_writes_is_json_with_the_request_id(client, sso, monkeypatch):
    """Through the formatter and filter of production's LOGGING (cms/settings/production.py)."""
    from django.utils.module_loading import import_string

    from core.request_context import RequestIdLogFilter
    from tests.test_production_settings import production_settings

    json_config = dict(production_settings(monkeypatch)["LOGGING"]["formatters"]["json"])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(import_string(json_config.pop("()"))(**json_config))
    handler.addFilter(RequestIdLogFilter())
    logger = logging.getLogger("cms.signin")
    logger.addHandler(handler)
    try:
        response = sign_in(client, "ada.editor")
    finally:
        logger.removeHandler(handler)

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    [signed_in] = [line for line in lines if line["event"] == SignInEvent.SIGNED_IN]
    assert signed_in["logger"] == "cms.signin"
    assert signed_in["request_id"] == response["X-Request-ID"]
    assert (signed_in["username"], signed_in["method"]) == ("ada.editor", "sso")
