"""An S3-compatible server for the tests: moto's standalone server, started on a free
port of 127.0.0.1 and stopped afterwards. Media go to it over HTTP through
django-storages and boto3, as they go to a bucket in production."""

import sys
from contextlib import contextmanager

import boto3

from tests.support.app_server import free_port, running

REGION = "eu-west-2"
ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"  # noqa: S105


@contextmanager
def s3_server(log_path):
    """Yield the endpoint URL of a moto server that answers S3's API; what it writes goes
    to `log_path`."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "moto.server", "--host", "127.0.0.1", "--port", str(port)]
    with running(command, endpoint, log_path):
        yield endpoint


def s3_client(endpoint):
    """A boto3 client for the server at `endpoint`, to look at what the app stored."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def create_bucket(endpoint, name):
    s3_client(endpoint).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
