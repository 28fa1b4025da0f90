"""The nginx config deploy/nginx.py writes, read as text (no nginx needed): each location
takes bodies up to the app's own limit for it, and refuses bigger ones as the app would,
with the request id that the app and nginx's log carry; with media on the machine's disk,
it serves their images and renditions from there, cached for a year, and never a document."""

import json
import re

import pytest
from django.conf import settings

from core.errors import error_body
from core.request_context import REQUEST_ID
from deploy import nginx
from tests.support.app_process import app_env, run

# A location's name: its path, after the modifier if any (`^~ /media/`).
LOCATION = re.compile(r"^ *location ((?:\S+ )?\S+) \{\n(.*?)^ *\}$", re.MULTILINE | re.DOTALL)
REQUEST_ID_MAP = re.compile(r'^map \$http_x_request_id \$cms_request_id \{\n *"~(\S+)"', re.M)
SAMPLE_ID = "a-request.id_1"
MEDIA_ROOT = "/srv/cms/media"
ONE_YEAR = 365 * 24 * 60 * 60


def site(**options):
    return nginx.site(
        listen=443,
        server_name="cms.example.org",
        certificate="/etc/ssl/certs/cms.pem",
        certificate_key="/etc/ssl/private/cms.key",
        app_servers=["10.0.0.11:8000", "10.0.0.12:8000"],
        access_log="/var/log/nginx/cms.access.log",
        **options,
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


# Media on the machine's disk (one app server, no bucket)

MEDIA_SERVERS = {
    "site": lambda: site(media_root=MEDIA_ROOT),
    "origin": lambda: nginx.origin(
        listen="10.0.0.5:8080",
        server_name="cms.example.org",
        access_log="/l",
        trusted_proxies=[],
        media_root=MEDIA_ROOT,
    ),
}
IMAGE_URIS = ["/media/original_images/team.png", "/media/images/team.2e16d0ba.fill-160x160.webp"]
CLI_ARGUMENTS = [
    *["-m", "deploy.nginx", "--server-name", "cms.example.org"],
    *["--certificate", "/c", "--certificate-key", "/k", "--app-server", "127.0.0.1:8000"],
]


@pytest.fixture(params=MEDIA_SERVERS, ids=str)
def media_conf(request):
    return MEDIA_SERVERS[request.param]()


def answering(conf, uri):
    """(path, block) of the location nginx answers `uri` from: the longest prefix of it,
    as no location is a regular expression or an exact match (checked here)."""
    found = locations(conf)
    assert all(name.startswith(("/", "^~ /", "@")) for name in found)
    path = max((name for name in found if uri.startswith(name.split()[-1])), key=len)
    return path.split()[-1], found[path]


def served_file(conf, uri):
    """The file nginx answers `uri` with, or None if it answers without one from disk."""
    path, block = answering(conf, uri)
    alias = directive(block, "alias")
    return alias + uri.removeprefix(path) if alias else None


def test_images_and_renditions_come_from_the_media_folder(media_conf):
    for uri in IMAGE_URIS:
        assert served_file(media_conf, uri) == MEDIA_ROOT + uri.removeprefix("/media")


def test_nothing_else_is_read_from_disk(media_conf):
    read_from_disk = {
        path: directive(block, "alias")
        for path, block in locations(media_conf).items()
        if directive(block, "alias") or directive(block, "root")
    }
    assert read_from_disk == {
        "^~ /media/original_images/": f"{MEDIA_ROOT}/original_images/",
        "^~ /media/images/": f"{MEDIA_ROOT}/images/",
    }
    assert directive(LOCATION.sub("", media_conf), "root") is None


@pytest.mark.parametrize(
    "uri", ["/media/documents/case-notes.pdf", "/media/documents/", "/media/other.txt"]
)
def test_documents_and_the_rest_of_the_media_folder_get_nginx_s_404(media_conf, uri):
    # A document is read through Wagtail's view, which checks its collection's restrictions.
    path, block = answering(media_conf, uri)
    assert path == "/media/"
    assert directive(block, "return") == "404"
    assert directive(block, "add_header") == "X-Request-ID $cms_request_id always"


def test_images_and_renditions_may_be_kept_for_a_year(media_conf):
    for uri in IMAGE_URIS:
        _, block = answering(media_conf, uri)
        headers = dict(re.findall(r"^ *add_header (\S+) (.+);$", block, re.MULTILINE))
        cache_control = headers["Cache-Control"].strip('"').split(", ")
        assert set(cache_control) == {"public", "immutable", f"max-age={ONE_YEAR}"}
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Request-ID"] == "$cms_request_id always"


def test_with_media_in_a_bucket_nothing_is_served_from_disk(server_locations):
    assert [path for path in server_locations if "/media/" in path] == []


def test_the_command_takes_the_media_folder_from_the_app_s_environment():
    on_disk = run(app_env(MEDIA_ROOT=MEDIA_ROOT), *CLI_ARGUMENTS)
    in_bucket = run(
        app_env(
            MEDIA_ROOT=MEDIA_ROOT,
            AWS_STORAGE_BUCKET_NAME="cms-media",
            AWS_S3_CUSTOM_DOMAIN="media.example.org",
        ),
        *CLI_ARGUMENTS,
    )
    assert on_disk.returncode == in_bucket.returncode == 0, on_disk.stderr + in_bucket.stderr
    assert served_file(on_disk.stdout, IMAGE_URIS[1]) == MEDIA_ROOT + IMAGE_URIS[1].removeprefix(
        "/media"
    )
    assert answering(in_bucket.stdout, IMAGE_URIS[1])[0] == "/"  # the app's 404
