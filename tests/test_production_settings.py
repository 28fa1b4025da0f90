"""Production settings: what they refuse, what they switch off, and the headers they set.

Most tests start the app under cms.settings.production in a subprocess, as an app server
would, with the environment a deployment gives it; the sign-in throttling and the
default CORS allowlist (set in base.py, so the same everywhere) are tested in-process.
"""

import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.support.app_process import (
    SETTINGS_ENV,
    app_env,
    graphql_post,
    migrated_sqlite_url,
    probe,
    production_env,
    random_secret_key,
    run,
)

BASE_URL = "https://cms.example.org"
ALLOWED_ORIGIN = "https://www.example.org"
OTHER_ORIGIN = "https://elsewhere.example.com"
PAGE_URL_QUERY = '{ page(urlPath: "/") { url } }'


# Start-up


def test_check_deploy_is_clean(tmp_path):
    checked = run(production_env(tmp_path), "manage.py", "check", "--deploy")
    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues" in checked.stdout


@pytest.mark.parametrize(
    "name", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "WAGTAILADMIN_BASE_URL"]
)
@pytest.mark.parametrize("value", [None, " "], ids=["unset", "blank"])
def test_start_up_stops_without_a_required_variable(tmp_path, name, value):
    started = run(
        production_env(tmp_path, **{name: value}), "-c", "from cms.wsgi import application"
    )
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr
    assert f"The {name} environment variable is not set" in started.stderr


def test_the_wsgi_application_defaults_to_production_settings(tmp_path):
    # An app server started with no DJANGO_SETTINGS_MODULE gets production settings,
    # which stop it for want of a secret key, rather than development settings.
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE=None, SECRET_KEY=None)
    started = run(env, "-c", "from cms.wsgi import application")
    assert started.returncode != 0
    assert "ImproperlyConfigured: The SECRET_KEY environment variable is not set" in (
        started.stderr
    )


def test_manage_py_defaults_to_development_settings():
    code = "from django.conf import settings; print(settings.SETTINGS_MODULE)"
    shown = run(app_env(), "manage.py", "shell", "--no-imports", "-c", code)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "cms.settings.dev"


def production_settings(monkeypatch, **variables):
    """The production settings module's values under the given environment."""
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", random_secret_key())
    monkeypatch.setenv("ALLOWED_HOSTS", "cms.example.org")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent/x.sqlite3")
    monkeypatch.setenv("WAGTAILADMIN_BASE_URL", BASE_URL)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_module("cms.settings.production")


def test_production_defaults_are_locked_down(monkeypatch):
    values = production_settings(monkeypatch)
    assert values["DEBUG"] is False
    assert values["GRAPHIQL_ENABLED"] is False
    assert values["GRAPHQL_INTROSPECTION_ENABLED"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 60 * 60
    assert values["CSRF_TRUSTED_ORIGINS"] == []
    assert values["CORS_ALLOWED_ORIGINS"] == []
    assert values["LOGGING"]["handlers"]["stdout"]["stream"] == "ext://sys.stdout"


def test_production_settings_read_the_environment(monkeypatch):
    values = production_settings(
        monkeypatch,
        ALLOWED_HOSTS="cms.example.org, cms-internal.example.org",
        GRAPHIQL_ENABLED="1",
        GRAPHQL_INTROSPECTION_ENABLED="1",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="3600",
        CSRF_TRUSTED_ORIGINS="https://cms.example.org,https://cms-internal.example.org",
        WAGTAILADMIN_BASE_URL="https://cms.example.org/",
    )
    assert values["ALLOWED_HOSTS"] == ["cms.example.org", "cms-internal.example.org"]
    # Media URLs are this plus a path: a trailing slash would double theirs.
    assert values["WAGTAILADMIN_BASE_URL"] == "https://cms.example.org"
    assert values["GRAPHIQL_ENABLED"] is True
    assert values["GRAPHQL_INTROSPECTION_ENABLED"] is True
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 3600
    assert values["CSRF_TRUSTED_ORIGINS"] == [
        "https://cms.example.org",
        "https://cms-internal.example.org",
    ]


def test_allowed_hosts_of_only_commas_count_as_missing(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        production_settings(monkeypatch, ALLOWED_HOSTS=" , ")


# The running app under production settings


@pytest.fixture(scope="module")
def production_app(django_db_setup, django_db_blocker, tmp_path_factory):
    """The settings and answers of an app server under production settings."""
    directory = tmp_path_factory.mktemp("production")
    env = production_env(
        directory,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=migrated_sqlite_url(directory, tmp_path_factory, django_db_blocker),
        CORS_ALLOWED_ORIGINS=ALLOWED_ORIGIN,
    )
    preflight = {"Access-Control-Request-Method": "POST"}
    requests = {
        "graphiql": {"path": "/graphiql/"},
        "allowed preflight": {
            "method": "OPTIONS",
            "path": "/graphql/",
            "headers": {"Origin": ALLOWED_ORIGIN, **preflight},
        },
        "other preflight": {
            "method": "OPTIONS",
            "path": "/graphql/",
            "headers": {"Origin": OTHER_ORIGIN, **preflight},
        },
        "allowed post": graphql_post(PAGE_URL_QUERY, Origin=ALLOWED_ORIGIN),
        "other post": graphql_post(PAGE_URL_QUERY, Origin=OTHER_ORIGIN),
        "https page": {"path": "/"},
        "http page": {"path": "/", "secure": False},
        "http probe": {"path": "/healthz", "secure": False},
    }
    names = ["DEBUG", "GRAPHIQL_ENABLED", "GRAPHQL_INTROSPECTION_ENABLED"]
    probed = probe(env, directory, *requests.values(), settings=names)
    return probed.settings, dict(zip(requests, probed.responses, strict=True))


def test_debug_graphiql_and_introspection_are_off(production_app):
    settings, responses = production_app
    assert settings == {
        "DEBUG": False,
        "GRAPHIQL_ENABLED": False,
        "GRAPHQL_INTROSPECTION_ENABLED": False,
    }
    assert responses["graphiql"]["status"] == 404


def test_cors_answers_an_allowed_origin_only(production_app):
    _, responses = production_app
    allowed = responses["allowed preflight"]
    assert allowed["status"] == 200
    assert allowed["headers"]["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert allowed["headers"]["access-control-allow-methods"] == "GET, OPTIONS, POST"
    assert allowed["headers"]["access-control-allow-headers"] == (
        "content-type, if-none-match, x-request-id, x-frontend-key"
    )
    assert "access-control-allow-credentials" not in allowed["headers"]
    assert "access-control-allow-origin" not in responses["other preflight"]["headers"]

    assert responses["allowed post"]["status"] == 200
    assert responses["allowed post"]["headers"]["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert responses["other post"]["status"] == 200
    assert "access-control-allow-origin" not in responses["other post"]["headers"]


def test_https_and_security_headers(production_app):
    _, responses = production_app
    page = responses["https page"]
    assert page["status"] == 200
    assert page["headers"]["strict-transport-security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert page["headers"]["x-content-type-options"] == "nosniff"
    assert page["headers"]["x-frame-options"] == "DENY"
    assert page["headers"]["referrer-policy"] == "same-origin"

    http = responses["http page"]
    assert http["status"] == 301
    assert http["headers"]["location"] == "https://testserver/"
    # Probes may call an app server directly, over plain HTTP.
    assert responses["http probe"]["status"] == 200


# Settings shared by every environment (base.py)


def test_cors_allows_no_origin_by_default(client):
    response = client.options(
        "/graphql/",
        headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.django_db
def test_admin_sign_in_locks_out_a_username_and_address_after_five_failures(
    client, django_user_model
):
    django_user_model.objects.create_superuser("editor", "editor@example.org", "right-password")

    def sign_in(password, address):
        return client.post(
            "/admin/login/",
            {"username": "editor", "password": password},
            REMOTE_ADDR=address,
        )

    for _ in range(4):
        assert sign_in("wrong-password", "192.0.2.1").status_code == 200  # the form again
    # A success before the limit starts the count again.
    assert sign_in("right-password", "192.0.2.1").status_code == 302
    client.logout()
    for _ in range(5):
        sign_in("wrong-password", "192.0.2.1")

    locked = sign_in("right-password", "192.0.2.1")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # The lockout is of that username from that address only, in both admins.
    assert sign_in("right-password", "192.0.2.2").status_code == 302
    client.logout()
    django_admin = client.post(
        "/django-admin/login/",
        {"username": "editor", "password": "right-password"},
        REMOTE_ADDR="192.0.2.1",
    )
    assert django_admin.status_code == 429
