"""What nginx in front of the app must keep true: static files from the app (whitenoise)
with their cache headers, conditional GETs, request ids end to end, the scheme and the
client address set by nginx alone, and request bodies: each location passes them on up
to the app's limit for it (the admin's: the largest upload), refuses bigger ones itself
in the app's own words, and no body, however big, ever gets a 5xx, through Varnish too."""

import json
import re
import threading
import time
from collections import Counter
from typing import NamedTuple

import pytest
import requests

from deploy.nginx import BODY_LIMITS

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


GRAPHQL_LIMIT = BODY_LIMITS["graphql_body_bytes"]
ADMIN_LIMIT = BODY_LIMITS["admin_body_bytes"]
CI_BODY_BYTES = 19 * 2**20  # the GraphQL body CI got nginx's 502 for (issue 26)
# Bodies sent in a row while readers keep the app servers busy: at most this many rounds
# of REFUSALS, and none begun after this long.
ROUNDS = 50
ROUNDS_SECONDS = 120
READERS = 2


class Refusal(NamedTuple):
    path: str
    size: int
    content_type: str
    status: int
    code: str | None  # the API's error code; None off the APIs


REFUSALS = [
    # Refused by nginx, from the Content-Length: CI's body among them.
    Refusal("/graphql/", CI_BODY_BYTES, "application/json", 413, "BODY_TOO_LARGE"),
    Refusal(
        "/api/v2/pages/", BODY_LIMITS["api_body_bytes"] + 1, "text/plain", 413, "BODY_TOO_LARGE"
    ),
    Refusal("/admin/login/", ADMIN_LIMIT + 1, "text/plain", 413, None),
    # Passed on by nginx, and refused by the app without reading them: the app server
    # must not close the connection nginx is still sending them on.
    Refusal("/graphql/", GRAPHQL_LIMIT, "text/plain", 415, "UNSUPPORTED_MEDIA"),
    Refusal("/admin/login/", CI_BODY_BYTES, "text/plain", 403, None),  # no CSRF token
]


@pytest.fixture
def front_end(http, deployment):
    """The `http` session with a front-end server's key (an unlimited budget)."""
    http.headers["X-Frontend-Key"] = deployment.frontend_key
    return http


def post(session, url, size, content_type):
    return session.post(url, data=b"x" * size, headers={"Content-Type": content_type}, timeout=60)


def answered(response):
    """(status, the error's code if it came in the API's error shape, whether it came
    with an X-Request-ID, the same as the error's)."""
    request_id = response.headers.get("X-Request-ID")
    media_type = response.headers.get("Content-Type", "").partition(";")[0]
    is_json = media_type == "application/json"
    errors = response.json().get("errors") if is_json else None
    if not errors:
        return response.status_code, None, request_id is not None
    [error] = errors
    code, error_s_id = error["extensions"]["code"], error["extensions"]["requestId"]
    return response.status_code, code, request_id is not None and request_id == error_s_id


def test_bodies_up_to_each_location_s_limit_reach_the_app_and_bigger_ones_nginx_refuses(
    deployment, front_end
):
    # The app reads a GraphQL body of its limit (and finds no JSON in it) ...
    graphql = f"{deployment.url}/graphql/"
    sent = post(front_end, graphql, GRAPHQL_LIMIT, "application/json")
    assert answered(sent) == (400, "BAD_REQUEST", True)
    # ... while one byte more is nginx's to refuse, in the app's words.
    sent = post(front_end, graphql, GRAPHQL_LIMIT + 1, "application/json")
    assert answered(sent) == (413, "BODY_TOO_LARGE", True)
    # The admin's limit (the largest upload, and its form) reaches the app, which wants a
    # CSRF token first ...
    admin = f"{deployment.url}/admin/login/"
    sent = post(front_end, admin, ADMIN_LIMIT, "application/x-www-form-urlencoded")
    assert answered(sent) == (403, None, True)
    assert "CSRF" in sent.text
    # ... and one byte more, nginx refuses.
    sent = post(front_end, admin, ADMIN_LIMIT + 1, "application/x-www-form-urlencoded")
    assert answered(sent) == (413, None, True)
    assert sent.headers["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("way_in", ["nginx", "varnish"])
def test_oversized_bodies_sent_in_a_row_under_load_never_get_a_5xx(deployment, front_end, way_in):
    base_url = deployment.url if way_in == "nginx" else deployment.cdn_url
    stop = threading.Event()
    reads = Counter()

    def read():  # as front ends do meanwhile, through nginx to the app servers
        with requests.Session() as session:
            session.trust_env, session.verify = False, front_end.verify
            session.headers.update(front_end.headers)
            while not stop.wait(0.02):
                try:
                    response = session.get(f"{deployment.url}/api/v2/pages/?limit=5", timeout=30)
                    reads[response.status_code] += 1
                except requests.RequestException as error:
                    reads[repr(error)] += 1

    readers = [threading.Thread(target=read, daemon=True) for _ in range(READERS)]
    for reader in readers:
        reader.start()
    wrong, sent = Counter(), 0
    deadline = time.monotonic() + ROUNDS_SECONDS
    try:
        for _ in range(ROUNDS):
            if time.monotonic() > deadline:
                break
            for refusal in REFUSALS:
                response = post(
                    front_end, base_url + refusal.path, refusal.size, refusal.content_type
                )
                came_back = answered(response)
                sent += 1
                if came_back != (refusal.status, refusal.code, True):
                    wrong[(refusal.path, refusal.size, came_back)] += 1
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=60)

    assert not wrong, f"{wrong.total()} of {sent} answers not as expected: {wrong}"
    assert reads.keys() == {200}, f"the readers meanwhile: {reads}"
