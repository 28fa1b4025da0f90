"""What nginx in front of the app must keep true: static files from the app (whitenoise)
with their cache headers, conditional GETs, request ids end to end, the scheme and the
client address set by nginx alone, and request bodies up to 20 MiB passed on."""

import json
import re

import pytest
import requests

from .deployment import wait_until

HASHED_CSS = re.compile(r"/static/[\w/.-]+\.[0-9a-f]{12}\.css")
ONE_YEAR = 365 * 24 * 60 * 60


def test_static_files_come_from_the_app_through_nginx_cached_for_ever(deployment, http):
    sign_in_page = http.get(f"{deployment.url}/admin/login/", timeout=15).text
    stylesheet = HASHED_CSS.search(sign_in_page)
    assert stylesheet, "the admin links no stylesheet with a hashed name"
    served = http.get(deployment.url + stylesheet[0], timeout=15)
    assert served.status_code == 200
    assert served.headers["Content-Type"].startswith("text/css")
    max_age = re.search(r"max-age=(\d+)", served.headers["Cache-Control"])
    assert int(max_age[1]) >= ONE_YEAR


@pytest.mark.parametrize("path", ["/api/v2/pages/", "/news/feed/", "/sitemap.xml"])
def test_conditional_gets_answer_304_through_nginx(deployment, http, path):
    key = {"X-Frontend-Key": deployment.frontend_key}
    first = http.get(deployment.url + path, headers=key, timeout=15)
    assert first.status_code == 200
    assert "Cache-Control" in first.headers
    again = http.get(
        deployment.url + path, headers={**key, "If-None-Match": first.headers["ETag"]}, timeout=15
    )
    assert again.status_code == 304


def test_a_request_id_sent_by_the_client_is_answered_and_logged_by_nginx(deployment, http):
    request_id = f"e2e-{deployment.token}-request"
    answered = http.get(
        f"{deployment.url}/healthz", headers={"X-Request-ID": request_id}, timeout=15
    )
    assert answered.headers["X-Request-ID"] == request_id

    def logged():  # nginx writes its log line once the response has gone
        lines = (json.loads(line) for line in (deployment.logs / "nginx-access.log").open())
        return [entry["uri"] for entry in lines if entry["request_id"] == request_id]

    assert wait_until(logged, "nginx's log line", 5) == ["/healthz"]


def test_the_scheme_is_nginx_s_to_say_not_the_client_s(deployment, http):
    # Over HTTPS, a client claiming plain HTTP is not redirected to HTTPS.
    page = http.get(
        f"{deployment.url}/admin/login/",
        headers={"X-Forwarded-Proto": "http"},
        allow_redirects=False,
        timeout=15,
    )
    assert page.status_code == 200


def test_request_bodies_up_to_20_mib_reach_the_app(deployment, http):
    # The app refuses so big a query itself (its own JSON error, with a request id) ...
    body = b"x" * (19 * 2**20)
    headers = {"Content-Type": "application/json", "X-Frontend-Key": deployment.frontend_key}
    answered = http.post(f"{deployment.url}/graphql/", data=body, headers=headers, timeout=60)
    assert 400 <= answered.status_code < 500
    assert answered.headers["Content-Type"].startswith("application/json")
    # ... while nginx refuses a bigger one before it reaches any app server (an answer of
    # nginx's own, so without a request id: not through the `http` session, which checks).
    with requests.Session() as plain:
        plain.trust_env, plain.verify = False, http.verify
        refused = plain.post(
            f"{deployment.url}/graphql/", data=body + b"x" * (2 * 2**20), timeout=60
        )
    assert refused.status_code == 413
