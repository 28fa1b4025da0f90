"""Media on a one-server deployment: the release step, then one app server with its media
on its own disk (MEDIA_ROOT, no bucket), and nginx in front serving them from there
(deploy/nginx/media.conf), as a council's first deployment often is.

An image put in the library by a management command on the server has its original and
its renditions, at the URLs the GraphQL API gives, served by nginx from the disk with
the image's bytes, kept for a year. A private document's file, on the same disk, is never
served: nginx answers 404 itself, and the document is read only through Wagtail's view,
which sends an anonymous reader to sign in and a signed-in one the file.

`deployment` here is that deployment, started for this module: the suite's fixtures
(http, graphql, the checks of the logs and request ids after each test) use it.
"""

import io
import json
import re
import secrets
import subprocess
import sys

import pytest
from PIL import Image

from .conftest import started
from .deployment import EDITOR, EDITOR_PASSWORD, ROOT, OneServerDeployment, wait_until

ONE_YEAR = 365 * 24 * 60 * 60
IMAGE_QUERY = """
query Image($id: ID!) { image(id: $id) { url rendition(width: 320) { url width height } } }
"""
DOCUMENT_BYTES = b"Case notes: for signed-in staff only."
ADD_IMAGE = """
import json
from django.core.files.images import ImageFile
from wagtail.images import get_image_model

with open({path!r}, "rb") as upload:
    image = get_image_model().objects.create(
        title={title!r}, description="A teal rectangle", file=ImageFile(upload, name="team.png")
    )
print(json.dumps({{"id": image.pk}}))
"""
ADD_PRIVATE_DOCUMENT = """
import json
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

private = Collection.get_first_root_node().add_child(name="Case files")
CollectionViewRestriction.objects.create(
    collection=private, restriction_type=CollectionViewRestriction.LOGIN
)
document = get_document_model().objects.create(
    title="Case notes", collection=private, file=ContentFile({data!r}, name="case-notes.txt")
)
print(json.dumps({{"url": document.url, "file": document.file.name}}))
"""


@pytest.fixture(scope="module")
def deployment():
    """One app server, its media on its disk: this module's own."""
    with started(OneServerDeployment) as running:
        yield running


def run_on_the_server(deployment, code):
    """`code` run by manage.py shell in the deployment's environment; the JSON it printed
    last (the app's log lines come before it)."""
    done = subprocess.run(  # noqa: S603 (this suite's own code)
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=deployment.env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def answered_by_nginx_alone(deployment, request_id):
    """Whether nginx's log has the request `request_id` answered with no app server asked."""

    def logged():  # nginx writes its log line once the response has gone
        lines = (json.loads(line) for line in (deployment.logs / "nginx-access.log").open())
        return [entry["upstream"] for entry in lines if entry["request_id"] == request_id]

    return wait_until(logged, "nginx's log line", 5) == [""]


def get_from_nginx(deployment, http, url):
    """GET `url`; the response, and whether nginx answered it with no app server asked."""
    request_id = secrets.token_hex(8)
    response = http.get(url, headers={"X-Request-ID": request_id}, timeout=15)
    return response, answered_by_nginx_alone(deployment, request_id)


def served_from_disk(deployment, http, url):
    """The bytes nginx serves at the media URL `url`: the file's in MEDIA_ROOT, as a PNG
    that may be kept for a year."""
    path = re.fullmatch(rf"{re.escape(deployment.url)}/media/(.+)", url)[1]
    served, by_nginx_alone = get_from_nginx(deployment, http, url)
    assert served.status_code == 200, url
    assert by_nginx_alone
    assert served.content == (deployment.media_root / path).read_bytes()
    assert served.headers["Content-Type"] == "image/png"
    cache_control = set(served.headers["Cache-Control"].split(", "))
    assert cache_control == {"public", "immutable", f"max-age={ONE_YEAR}"}
    return served.content


@pytest.fixture(scope="module")
def picture():
    png = io.BytesIO()
    Image.new("RGB", (640, 400), (0, 120, 110)).save(png, format="PNG")
    return png.getvalue()


def test_an_image_and_its_rendition_are_served_by_nginx_from_the_disk(
    deployment, graphql, http, picture
):
    upload = deployment.run_dir / "upload.png"
    upload.write_bytes(picture)
    title = f"One-server upload {deployment.token}"
    added = run_on_the_server(deployment, ADD_IMAGE.format(path=str(upload), title=title))

    image = graphql(deployment.url, IMAGE_QUERY, {"id": added["id"]}).json()["data"]["image"]

    assert served_from_disk(deployment, http, image["url"]) == picture
    rendition = served_from_disk(deployment, http, image["rendition"]["url"])
    assert Image.open(io.BytesIO(rendition)).size == (320, 200)


@pytest.fixture(scope="module")
def private_document(deployment):
    """A document in a collection only signed-in users may see: its URL and file name."""
    return run_on_the_server(deployment, ADD_PRIVATE_DOCUMENT.format(data=DOCUMENT_BYTES))


@pytest.mark.parametrize("via", ["/media/{file}", "/media/images/%2e%2e/{file}"])
def test_a_private_document_s_file_is_never_served_from_the_disk(
    deployment, http, private_document, via
):
    file = private_document["file"]
    assert file.startswith("documents/")
    assert (deployment.media_root / file).read_bytes() == DOCUMENT_BYTES  # there to serve

    refused, by_nginx_alone = get_from_nginx(
        deployment, http, deployment.url + via.format(file=file)
    )

    assert refused.status_code == 404
    assert DOCUMENT_BYTES not in refused.content
    assert by_nginx_alone


def test_a_private_document_is_read_through_wagtail_s_view_once_signed_in(
    deployment, http, private_document
):
    url = deployment.url + private_document["url"]
    anonymous = http.get(url, allow_redirects=False, timeout=15)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == f"/_util/login/?next={private_document['url']}"

    sign_in = deployment.url + anonymous.headers["Location"]
    form = http.get(sign_in, timeout=15).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    served = http.post(
        sign_in,
        data={"csrfmiddlewaretoken": token, "username": EDITOR, "password": EDITOR_PASSWORD},
        headers={"Origin": deployment.url},
        timeout=15,
    )

    assert served.url == url  # signed in, then sent back to the document
    assert served.status_code == 200
    assert served.content == DOCUMENT_BYTES
