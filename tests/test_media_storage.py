"""Media in an S3-compatible bucket, as every app server in production shares them.

The storage settings are read from cms/settings/base.py under the environment a
deployment gives, and point at a real S3 API: moto's server on a local port, started
once for the module. Each test has a bucket of its own.
"""

import logging
import runpy
import uuid
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.module_loading import import_string
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, CollectionViewRestriction

from cms.settings import base as base_settings
from tests.support.app_server import free_port
from tests.support.factories import (
    CollectionFactory,
    DocumentFactory,
    ImageFactory,
    NewsIndexPageFactory,
    NewsPageFactory,
)
from tests.support.s3_server import (
    ACCESS_KEY,
    REGION,
    SECRET_KEY,
    create_bucket,
    s3_client,
    s3_server,
)

MEDIA_DOMAIN = "media.example.org"


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    with s3_server(tmp_path_factory.mktemp("moto") / "moto.log") as endpoint:
        yield endpoint


def storage_settings(monkeypatch, **variables):
    """base.py's settings under this environment (the media variables unset otherwise)."""
    for name in ["AWS_S3_CUSTOM_DOMAIN", "AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(base_settings.__file__)


def use_bucket(monkeypatch, settings, endpoint, bucket):
    """Media of this test to `bucket` at `endpoint`, by the storage settings base.py makes."""
    values = storage_settings(
        monkeypatch,
        AWS_STORAGE_BUCKET_NAME=bucket,
        AWS_S3_ENDPOINT_URL=endpoint,
        AWS_S3_REGION_NAME=REGION,
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_S3_CUSTOM_DOMAIN=MEDIA_DOMAIN,
    )
    settings.STORAGES = values["STORAGES"]


@pytest.fixture
def bucket(monkeypatch, settings, s3_endpoint):
    """A new bucket on the S3 server, where this test's media go; yields what it holds."""
    name = f"media-{uuid.uuid4().hex[:12]}"
    create_bucket(s3_endpoint, name)
    use_bucket(monkeypatch, settings, s3_endpoint, name)
    client = s3_client(s3_endpoint)

    def objects():
        listed = client.list_objects_v2(Bucket=name).get("Contents", [])
        return {item["Key"]: client.get_object(Bucket=name, Key=item["Key"]) for item in listed}

    return objects


# Settings


def test_media_stay_on_the_filesystem_without_a_bucket(monkeypatch):
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    values = storage_settings(monkeypatch)
    assert values["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_a_bucket_needs_the_public_media_domain(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="AWS_S3_CUSTOM_DOMAIN"):
        storage_settings(monkeypatch, AWS_STORAGE_BUCKET_NAME="media")


def test_a_bucket_that_does_not_answer_holds_a_request_seconds_not_minutes(monkeypatch):
    values = storage_settings(
        monkeypatch, AWS_STORAGE_BUCKET_NAME="media", AWS_S3_CUSTOM_DOMAIN=MEDIA_DOMAIN
    )
    media = values["STORAGES"]["default"]
    config = import_string(media["BACKEND"])(**media["OPTIONS"]).client_config
    assert (config.connect_timeout, config.read_timeout) == (2, 10)
    assert config.retries == {"mode": "standard", "max_attempts": 2}


@pytest.mark.django_db
def test_a_deleted_image_leaves_the_bucket_too(bucket):
    """Wagtail deletes the file in a background task, handed the storage as JSON."""
    image = ImageFactory(file__filename="deleted.png")
    assert any(key.endswith("deleted.png") for key in bucket())
    with mock.patch("django.db.transaction.on_commit", side_effect=lambda run: run()):
        image.delete()
    assert not any(key.endswith("deleted.png") for key in bucket())


# Images and renditions


def upload(filename):
    png = get_test_image_file(filename=filename).file.getvalue()
    return SimpleUploadedFile(filename, png, content_type="image/png")


@pytest.mark.django_db
def test_an_uploaded_image_and_its_rendition_are_in_the_bucket_at_public_urls(
    bucket, admin_client, graphql
):
    uploaded = admin_client.post(
        reverse("wagtailimages:add"),
        {
            "title": "Foster carers",
            "file": upload("foster-carers.png"),
            "description": "Two foster carers at a table",
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert uploaded.status_code == 302
    image = get_image_model().objects.get(title="Foster carers")

    data = graphql(
        "query ($id: ID) { image(id: $id) { url rendition(width: 320) { url } } }",
        {"id": image.pk},
    )
    assert "errors" not in data, data
    original_url = data["data"]["image"]["url"]
    rendition_url = data["data"]["image"]["rendition"]["url"]
    # Plain URLs on the public media domain: no signature to expire in a cached response.
    assert original_url == f"https://{MEDIA_DOMAIN}/original_images/foster-carers.png"
    assert rendition_url.startswith(f"https://{MEDIA_DOMAIN}/images/foster-carers.")
    assert "?" not in rendition_url

    stored = bucket()
    assert set(stored) == {
        "original_images/foster-carers.png",
        rendition_url.removeprefix(f"https://{MEDIA_DOMAIN}/"),
    }
    assert stored["original_images/foster-carers.png"]["ContentType"] == "image/png"


@pytest.mark.django_db
def test_a_second_upload_of_a_file_name_does_not_replace_the_first(bucket):
    first = ImageFactory(file__filename="team.png", file__color="red")
    second = ImageFactory(file__filename="team.png", file__color="blue")
    assert first.file.name != second.file.name
    assert set(bucket()) == {first.file.name, second.file.name}


# Documents


@pytest.mark.django_db
def test_a_private_document_is_served_through_wagtail_never_from_the_bucket(
    bucket, client, django_user_model
):
    private = CollectionFactory(name="Case files")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    document = DocumentFactory(
        collection=private, file__filename="case-notes.txt", file__data=b"Case notes."
    )
    assert set(bucket()) == {"documents/case-notes.txt"}  # stored in the bucket,
    assert document.url == f"/documents/{document.pk}/case-notes.txt"  # linked to the view

    anonymous = client.get(document.url)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"/_util/login/?next={document.url}"  # Wagtail's sign-in

    client.force_login(django_user_model.objects.create_user("caseworker", password="x" * 20))
    served = client.get(document.url)
    assert served.status_code == 200  # the file itself, not a redirect to the bucket
    assert b"".join(served.streaming_content) == b"Case notes."


# The bucket out of reach


@pytest.mark.django_db
def test_pages_are_served_without_their_images_while_the_bucket_is_unreachable(
    bucket, monkeypatch, settings, client, caplog
):
    hero = ImageFactory(title="Hero")
    NewsIndexPageFactory(title="News", slug="news")
    NewsPageFactory(title="Ofsted rates us good", slug="ofsted", hero_image=hero)
    # The bucket's address now refuses connections: no new rendition can be made.
    use_bucket(monkeypatch, settings, f"http://127.0.0.1:{free_port()}", "gone")

    query = (
        '{ newsItem(slug: "ofsted") { title summary '
        "heroImage { description rendition(width: 320) { url } } } }"
    )
    with caplog.at_level(logging.ERROR, logger="cms.graphql"):
        response = client.post("/graphql/", {"query": query}, content_type="application/json")

    assert response.status_code == 200
    data = response.json()
    assert "errors" not in data
    item = data["data"]["newsItem"]
    assert item["title"] == "Ofsted rates us good"
    assert item["summary"] == "What happened: Ofsted rates us good."
    assert item["heroImage"]["description"] == "Alt text for Hero"
    assert item["heroImage"]["rendition"] is None
    (logged,) = [record for record in caplog.records if record.name == "cms.graphql"]
    assert logged.getMessage() == f"Rendition width-320 of image {hero.pk} unavailable"
    assert logged.exc_info  # the cause, with its traceback
