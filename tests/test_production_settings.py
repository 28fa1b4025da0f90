"""Production settings: what they refuse, what they switch off, and the headers they set.

Most tests start the app under cms.settings.production in a subprocess, as an app server
would, with the environment a deployment gives it; the sign-in throttling and the
default CORS allowlist (set in base.py, so the same everywhere) are tested in-process.
"""

import json
import os
import runpy
import secrets
import shutil
import sqlite3
import string
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[1]
ALLOWED_ORIGIN = "https://www.example.org"
OTHER_ORIGIN = "https://elsewhere.example.com"

# Environment variables the settings read: a subprocess gets only the ones a test sets.
SETTINGS_ENV = {
    "ALLOWED_HOSTS",
    "CACHE_DIR",
    "CORS_ALLOWED_ORIGINS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DJANGO_SETTINGS_MODULE",
    "GRAPHIQL_ENABLED",
    "GRAPHQL_INTROSPECTION_ENABLED",
    "LOG_LEVEL",
    "MEDIA_ROOT",
    "REDIS_URL",
    "SECRET_KEY",
    "SECURE_HSTS_SECONDS",
    "SECURE_SSL_REDIRECT",
}

# Reports the settings named in argv[1] and the responses to the requests in argv[2]
# (Django's test client; over HTTPS unless a request says otherwise) into argv[3].
PROBE = textwrap.dedent(
    """
    import json, sys
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client
    client = Client()
    report = {"settings": {name: getattr(settings, name) for name in json.loads(sys.argv[1])}}
    report["responses"] = []
    for request in json.loads(sys.argv[2]):
        response = client.generic(
            request.get("method", "GET"), request["path"], request.get("data", ""),
            content_type=request.get("content_type", "application/octet-stream"),
            secure=request.get("secure", True), headers=request.get("headers"),
        )
        report["responses"].append({
            "status": response.status_code,
            "headers": {name.lower(): value for name, value in response.items()},
        })
    with open(sys.argv[3], "w") as out:
        json.dump(report, out)
    """
)


def random_secret_key():
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(50))


def deployment_env(directory, **variables):
    """What a deployment sets, with this machine's own settings variables left out."""
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY=random_secret_key(),
        ALLOWED_HOSTS="cms.example.org",
        DATABASE_URL=f"sqlite:///{directory / 'x.sqlite3'}",
        CACHE_DIR=str(directory / "cache"),
        MEDIA_ROOT=str(directory / "media"),
    )
    env.update(variables)
    return {name: value for name, value in env.items() if value is not None}


def run(env, *args):
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


# Start-up


def test_check_deploy_is_clean(tmp_path):
    checked = run(deployment_env(tmp_path), "manage.py", "check", "--deploy")
    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues" in checked.stdout


@pytest.mark.parametrize("name", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
@pytest.mark.parametrize("value", [None, " "], ids=["unset", "blank"])
def test_start_up_stops_without_a_required_variable(tmp_path, name, value):
    started = run(
        deployment_env(tmp_path, **{name: value}), "-c", "from cms.wsgi import application"
    )
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr
    assert f"The {name} environment variable is not set" in started.stderr


def production_settings(monkeypatch, **variables):
    """The production settings module's values under the given environment."""
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", random_secret_key())
    monkeypatch.setenv("ALLOWED_HOSTS", "cms.example.org")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent/x.sqlite3")
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
    )
    assert values["ALLOWED_HOSTS"] == ["cms.example.org", "cms-internal.example.org"]
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
    database = directory / "db.sqlite3"
    migrated = migrated_sqlite(
        tmp_path_factory.getbasetemp() / "migrated.sqlite3", django_db_blocker
    )
    shutil.copy(migrated, database)
    env = deployment_env(
        directory,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{database}",
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
        "allowed post": graphql_post(ALLOWED_ORIGIN),
        "other post": graphql_post(OTHER_ORIGIN),
        "https page": {"path": "/"},
        "http page": {"path": "/", "secure": False},
        "http probe": {"path": "/healthz", "secure": False},
    }
    names = ["DEBUG", "GRAPHIQL_ENABLED", "GRAPHQL_INTROSPECTION_ENABLED"]
    out = directory / "report.json"
    probed = run(env, "-c", PROBE, json.dumps(names), json.dumps(list(requests.values())), str(out))
    assert probed.returncode == 0, probed.stderr
    report = json.loads(out.read_text())
    return report["settings"], dict(zip(requests, report["responses"], strict=True))


def migrated_sqlite(path, django_db_blocker):
    """A migrated SQLite file with its site, shared by the session (as in test_failure_behaviour).

    A copy of the suite's SQLite test database while that still has its site (a
    transactional test empties it), else freshly migrated.
    """
    if path.exists():
        return path
    if connection.vendor == "sqlite":
        with django_db_blocker.unblock():
            connection.ensure_connection()
            with closing(sqlite3.connect(path)) as copy:
                connection.connection.backup(copy)
                sites = copy.execute("SELECT count(*) FROM wagtailcore_site").fetchone()[0]
        if sites:
            return path
        path.unlink()
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS_ENV}
    env.update(DJANGO_SETTINGS_MODULE="cms.settings.test", DATABASE_URL=f"sqlite:///{path}")
    migrated = run(env, "manage.py", "migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    return path


def graphql_post(origin):
    return {
        "method": "POST",
        "path": "/graphql/",
        "data": json.dumps({"query": '{ page(urlPath: "/") { url } }'}),
        "content_type": "application/json",
        "headers": {"Origin": origin},
    }


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
    assert allowed["headers"]["access-control-allow-headers"] == "content-type"
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
