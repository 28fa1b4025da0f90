"""Council sign-in's settings, from the environment only: off unless asked for, and a
start-up error naming what single sign-on lacks."""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

BASE_SETTINGS = Path(__file__).resolve().parents[1] / "cms" / "settings" / "base.py"
SSO_VARIABLES = {
    "SSO_ENABLED": "1",
    "SSO_ISSUER": "https://login.microsoftonline.com/0000-tenant/v2.0",
    "SSO_CLIENT_ID": "cms-client",
    "SSO_CLIENT_SECRET": "cms-secret",
    "SSO_GROUP_ROLES": "1a2b-editors:Editors, 3c4d-moderators:Moderators",
}


def base_settings(monkeypatch, **variables):
    """The settings every environment shares (base.py, where sign-in's are read), run
    afresh under the given environment."""
    for name in [*SSO_VARIABLES, "SSO_ONLY", "SSO_GROUPS_CLAIM", "SIGNIN_SESSION_MAX_AGE"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_SETTINGS))


def test_single_sign_on_is_off_by_default_and_sessions_last_eight_hours(monkeypatch):
    values = base_settings(monkeypatch)
    assert values["SSO_ENABLED"] is False
    assert values["SIGNIN_SESSION_MAX_AGE"] == values["SESSION_COOKIE_AGE"] == 8 * 60 * 60
    assert values["SIGNIN_SECOND_FACTOR_REQUIRED"] is True
    assert values["SIGNIN_SECOND_FACTOR_EXEMPT"] == []
    assert values["OIDC_USE_PKCE"] is True and values["OIDC_USE_NONCE"] is True
    assert values["WAGTAIL_PASSWORD_RESET_ENABLED"] is True
    assert values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"] == ["'self'"]


def test_single_sign_on_from_the_environment(monkeypatch):
    values = base_settings(
        monkeypatch,
        **SSO_VARIABLES,
        SSO_ONLY="1",
        SSO_GROUPS_CLAIM="roles",
        SIGNIN_SESSION_MAX_AGE="3600",
    )
    assert values["SSO_ENABLED"] is True and values["SSO_ONLY"] is True
    assert values["SSO_ISSUER"] == SSO_VARIABLES["SSO_ISSUER"]
    assert values["OIDC_RP_CLIENT_ID"] == "cms-client"
    assert values["SSO_GROUPS_CLAIM"] == "roles"
    assert values["SSO_GROUP_ROLES"] == {
        "1a2b-editors": "Editors",
        "3c4d-moderators": "Moderators",
    }
    assert values["SESSION_COOKIE_AGE"] == 3600
    assert values["WAGTAIL_PASSWORD_RESET_ENABLED"] is False
    # Signing out ends at the provider's end-session page, after a form's post.
    form_action = values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"]
    assert form_action == ["'self'", "https://login.microsoftonline.com"]


@pytest.mark.parametrize(
    "missing", ["SSO_ISSUER", "SSO_CLIENT_ID", "SSO_CLIENT_SECRET", "SSO_GROUP_ROLES"]
)
def test_start_up_stops_when_single_sign_on_lacks_a_setting(monkeypatch, missing):
    variables = {**SSO_VARIABLES, missing: ""}
    with pytest.raises(ImproperlyConfigured, match=missing):
        base_settings(monkeypatch, **variables)
