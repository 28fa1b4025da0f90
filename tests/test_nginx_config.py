"""The nginx config deploy/nginx.py writes, read as text (no nginx needed): each location
takes bodies up to the app's own limit for it, and refuses bigger ones as the app would,
with the request id that the app and nginx's log carry."""

import json
import re

import pytest
from django.conf import settings

from core.errors import error_body
from core.request_context import REQUEST_ID
from deploy import nginx

LOCATION = re.compile(r"^ *location (\S+) \{\n(.*?)^ *\}$", re.MULTILINE | re.DOTALL)
REQUEST_ID_MAP = re.compile(r'^map \$http_x_request_id \$cms_request_id \{\n *"~(\S+)"', re.M)
SAMPLE_ID = "a-request.id_1"


def site():
    return nginx.site(
        listen=443,
        server_name="cms.example.org",
        certificate="/etc/ssl/certs/cms.pem",
        certificate_key="/etc/ssl/private/cms.key",
        app_servers=["10.0.0.11:8000", "10.0.0.12:8000"],
        access_log="/var/log/nginx/cms.access.log",
    )


SERVERS = {
    "site": site,
    "origin": lambda: nginx.origin(
        listen="10.0.0.5:8080", server_name="cms.example.org", access_log="/l", trusted_proxies=[]
    ),
    "app server": lambda: nginx.app_server_route(
        listen=8443,
        server_name="cms.example.org",
        certificate="/c",
        certificate_key="/k",
        app_server="10.0.0.11:8000",
        access_log="/l",
    ),
}


def locations(conf):
    return {match[1]: match[2] for match in LOCATION.finditer(conf)}


def directive(block, name):
    found = re.search(rf"^ *{name} (.+);$", block, re.MULTILINE)
    return found[1] if found else None


@pytest.fixture(params=SERVERS, ids=str)
def server_locations(request):
    return locations(SERVERS[request.param]())


def test_each_location_takes_bodies_up_to_the_app_s_limit_for_it(server_locations):
    limits = {
        path: int(directive(block, "client_max_body_size"))
        for path, block in server_locations.items()
        if directive(block, "proxy_pass")
    }
    largest_upload = max(
        settings.WAGTAILDOCS_MAX_UPLOAD_SIZE, settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    )
    assert limits.keys() == {"/graphql/", "/api/", "/admin/", "/"}
    assert limits["/graphql/"] == settings.GRAPHQL_MAX_BODY_BYTES
    assert limits["/api/"] <= 1024  # read-only
    assert largest_upload < limits["/admin/"] <= largest_upload + 2**20
    assert limits["/"] == settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_nginx_refuses_a_body_too_large_for_the_apis_as_the_app_does(server_locations, rf):
    for path in ("/graphql/", "/api/"):
        assert directive(server_locations[path], "error_page") == "413 = @api_body_too_large"
    refusal = server_locations["@api_body_too_large"]
    assert directive(refusal, "default_type") == "application/json"
    assert directive(refusal, "add_header") == "X-Request-ID $cms_request_id always"
    status, body = re.fullmatch(r"(\d+) '(.*)'", directive(refusal, "return")).groups()
    answered = json.loads(body.replace("$cms_request_id", SAMPLE_ID))
    request = rf.post("/graphql/", HTTP_X_REQUEST_ID=SAMPLE_ID)
    assert status == "413"
    assert answered == error_body("The request body is too large.", "BODY_TOO_LARGE", request)


def test_elsewhere_nginx_s_refusal_is_plain_text_with_the_request_id(server_locations):
    for path in ("/admin/", "/"):
        assert directive(server_locations[path], "error_page") is None  # the server's
    refusal = server_locations["@body_too_large"]
    assert directive(refusal, "default_type") == '"text/plain; charset=utf-8"'
    assert directive(refusal, "add_header") == "X-Request-ID $cms_request_id always"
    assert directive(refusal, "return").startswith("413 ")


def test_every_server_sends_its_refusals_to_nginx_s_own_answer():
    for make in SERVERS.values():
        server_level = LOCATION.sub("", make())
        assert directive(server_level, "error_page") == "413 = @body_too_large"
        assert directive(server_level, "client_max_body_size") is None  # each location's


def test_nginx_takes_the_client_s_request_id_only_when_the_app_would():
    # Else its own: so nginx's log, its own answers (whose JSON the id is written into
    # unescaped) and the app agree on one id.
    assert REQUEST_ID_MAP.search(site())[1] == REQUEST_ID.pattern
