"""Bad answers at the single sign-on callback: each gets a page saying what went wrong in
plain words, its reason recorded, no account made or changed, and never a 500.

The tokens come from a rogue provider (tests/support/oidc.py), on purpose: a certified
provider never signs with the wrong key, for another audience, or with `alg: none`."""

import json
import time

import jwt
import pytest
from django.contrib.auth import get_user_model

from signin.models import SignInEvent
from tests.support.oidc import RogueProvider, new_key, start_sign_in, use_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def rogue(settings):
    with RogueProvider() as running:
        use_provider(settings, running.issuer)
        yield running


def callback(client, rogue):
    """The CMS's start, then the provider's answer for that sign-in's nonce."""
    _, query = start_sign_in(client)
    rogue.nonce = query["nonce"]
    return client.get(f"/admin/sso/callback/?code=a-code&state={query['state']}")


def assert_refused(response, reason, status=400):
    assert response.status_code == status, response.content
    assert f'data-reason="{reason}"'.encode() in response.content
    assert not get_user_model().objects.exists()
    assert list(SignInEvent.objects.values_list("kind", "reason")) == [
        (SignInEvent.REFUSED, reason)
    ]


def test_a_well_made_token_signs_in(client, rogue):
    """The rogue's good answer is accepted: the refusals below are each for their flaw."""
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce)))
    assert callback(client, rogue).status_code == 302
    user = get_user_model().objects.get(username="rogue.user")
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]


def test_a_wrong_nonce(client, rogue):
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims("another-sign-ins-nonce")))
    assert_refused(callback(client, rogue), "nonce")


def test_no_nonce(client, rogue):
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(None)))
    assert_refused(callback(client, rogue), "nonce")


def test_a_bad_signature(client, rogue):
    """Signed with another key under the provider's key id."""
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce), key=new_key()))
    assert_refused(callback(client, rogue), "bad_signature")


def test_a_key_the_provider_does_not_publish(client, rogue):
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce), kid="someone-elses"))
    assert_refused(callback(client, rogue), "bad_signature")


def test_the_wrong_audience(client, rogue):
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce, aud="another-app")))
    assert_refused(callback(client, rogue), "wrong_audience")


def test_the_wrong_issuer(client, rogue):
    rogue.answer_with(
        lambda nonce: rogue.sign(rogue.claims(nonce, iss="https://elsewhere.example"))
    )
    assert_refused(callback(client, rogue), "wrong_issuer")


def test_an_expired_token(client, rogue):
    an_hour_ago = int(time.time()) - 3600
    rogue.answer_with(
        lambda nonce: rogue.sign(rogue.claims(nonce, iat=an_hour_ago - 300, exp=an_hour_ago))
    )
    assert_refused(callback(client, rogue), "expired")


def test_a_token_not_yet_valid(client, rogue):
    in_an_hour = int(time.time()) + 3600
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce, nbf=in_an_hour)))
    assert_refused(callback(client, rogue), "not_yet_valid")


def test_a_token_issued_in_the_future(client, rogue):
    in_an_hour = int(time.time()) + 3600
    rogue.answer_with(
        lambda nonce: rogue.sign(rogue.claims(nonce, iat=in_an_hour, exp=in_an_hour + 300))
    )
    assert_refused(callback(client, rogue), "not_yet_valid")


def test_a_token_without_an_expiry(client, rogue):
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce, exp=None)))
    assert_refused(callback(client, rogue), "invalid_token")


def test_alg_none(client, rogue):
    rogue.answer_with(
        lambda nonce: jwt.encode(
            rogue.claims(nonce), None, algorithm="none", headers={"kid": rogue.kid}
        )
    )
    assert_refused(callback(client, rogue), "unsupported_algorithm")


def test_an_algorithm_other_than_the_configured_one(client, rogue):
    """HS256 with the client secret, as a key-confusion attack would send it."""
    from tests.support.oidc import CLIENT_SECRET

    rogue.answer_with(
        lambda nonce: jwt.encode(
            rogue.claims(nonce), CLIENT_SECRET, algorithm="HS256", headers={"kid": rogue.kid}
        )
    )
    assert_refused(callback(client, rogue), "unsupported_algorithm")


def test_a_token_that_is_not_a_jwt(client, rogue):
    rogue.answer_with(lambda nonce: "not.a.token")
    assert_refused(callback(client, rogue), "invalid_token")


def test_a_token_endpoint_answering_html(client, rogue):
    rogue.token_answer = lambda nonce: (200, "text/html", "<html>Service unavailable</html>")
    assert_refused(callback(client, rogue), "provider_garbage", status=502)


def test_a_token_endpoint_answering_json_without_a_token(client, rogue):
    rogue.token_answer = lambda nonce: (200, "application/json", json.dumps({"ok": True}))
    assert_refused(callback(client, rogue), "provider_garbage", status=502)


def test_a_token_endpoint_failing(client, rogue):
    rogue.token_answer = lambda nonce: (503, "text/plain", "down for maintenance")
    assert_refused(callback(client, rogue), "provider_unreachable", status=502)


def test_a_code_the_provider_refuses(client, rogue):
    rogue.token_answer = lambda nonce: (
        400,
        "application/json",
        json.dumps({"error": "invalid_grant"}),
    )
    assert_refused(callback(client, rogue), "code_refused")


def test_keys_answering_garbage(client, rogue):
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce)))
    rogue.overrides["/jwks"] = (200, "application/json", "{not json")
    assert_refused(callback(client, rogue), "provider_garbage", status=502)


def test_keys_of_the_wrong_shape(client, rogue):
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce)))
    rogue.overrides["/jwks"] = (200, "application/json", json.dumps({"keys": "none"}))
    assert_refused(callback(client, rogue), "provider_garbage", status=502)


def test_keys_not_answering(client, rogue):
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce)))
    rogue.overrides["/jwks"] = (500, "text/plain", "error")
    assert_refused(callback(client, rogue), "provider_unreachable", status=502)


def test_discovery_answering_garbage(client, rogue):
    rogue.overrides["/.well-known/openid-configuration"] = (200, "application/json", "[1, 2")
    response = client.get("/admin/sso/start/")
    assert_refused(response, "provider_garbage", status=502)


def test_discovery_naming_another_issuer(client, rogue):
    document = {**rogue.discovery(), "issuer": "https://elsewhere.example"}
    rogue.overrides["/.well-known/openid-configuration"] = (
        200,
        "application/json",
        json.dumps(document),
    )
    assert_refused(client.get("/admin/sso/start/"), "provider_garbage", status=502)


def test_discovery_without_endpoints(client, rogue):
    document = {"issuer": rogue.issuer, "token_endpoint": "not a url"}
    rogue.overrides["/.well-known/openid-configuration"] = (
        200,
        "application/json",
        json.dumps(document),
    )
    assert_refused(client.get("/admin/sso/start/"), "provider_garbage", status=502)


def test_a_token_endpoint_that_does_not_answer(client, rogue):
    document = {**rogue.discovery(), "token_endpoint": "http://127.0.0.1:9/token"}
    rogue.overrides["/.well-known/openid-configuration"] = (
        200,
        "application/json",
        json.dumps(document),
    )
    assert_refused(callback(client, rogue), "provider_unreachable", status=502)


def test_a_token_without_a_mapped_group_changes_nothing(client, rogue):
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce, groups="staff-all")))
    assert_refused(callback(client, rogue), "no_mapped_group", status=403)


def test_groups_of_the_wrong_shape_map_to_nothing(client, rogue):
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce, groups={"a": 1})))
    assert_refused(callback(client, rogue), "no_mapped_group", status=403)


def test_a_single_group_given_as_a_string_maps(client, rogue):
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce, groups="cms-moderators")))
    assert callback(client, rogue).status_code == 302
    user = get_user_model().objects.get(username="rogue.user")
    assert list(user.groups.values_list("name", flat=True)) == ["Moderators"]


def test_an_empty_subject(client, rogue):
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce, sub=" ")))
    assert_refused(callback(client, rogue), "invalid_token")


def test_a_person_known_only_by_their_subject_is_named_by_it(client, rogue):
    claims = {"preferred_username": None, "email": None, "sub": "0b1c-subject"}
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce, **claims)))
    assert callback(client, rogue).status_code == 302
    user = get_user_model().objects.get()
    assert (user.username, user.email) == ("0b1c-subject", "")
    assert str(user.signin_identity) == f"0b1c-subject at {rogue.issuer}"


def test_where_accounts_are_not_made_at_sign_in_a_new_person_is_refused(client, rogue, settings):
    settings.OIDC_CREATE_USER = False  # the library's switch: pre-made accounts only
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce)))
    assert_refused(callback(client, rogue), "no_account", status=403)


def test_signing_out_where_the_provider_offers_no_end_session(client, rogue):
    rogue.answer_with(lambda nonce: rogue.sign(rogue.claims(nonce)))
    callback(client, rogue)
    response = client.post("/admin/logout/")
    assert response["Location"] == "/admin/login/"
    assert client.get("/admin/").status_code == 302
    assert str(SignInEvent.objects.order_by("-id").first()) == "signed out rogue.user"
