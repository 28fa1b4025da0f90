"""An S3-compatible server for the tests: moto's standalone server, started on a free
port of 127.0.0.1 and stopped afterwards. Media go to it over HTTP through
django-storages and boto3, as they go to a bucket in production."""

import subprocess
import sys
import time
from contextlib import contextmanager

import boto3
import requests

from tests.support.app_server import free_port

REGION = "eu-west-2"
ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"  # noqa: S105
START_TIMEOUT = 30  # seconds


@contextmanager
def s3_server(log_path):
    """Yield the endpoint URL of a moto server that answers S3's API; what it writes goes
    to `log_path`."""
    port = free_port()
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "moto.server", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert server.poll() is None, f"moto stopped:\n{log_path.read_text()}"
            assert time.monotonic() < deadline, f"moto did not answer:\n{log_path.read_text()}"
            try:
                requests.get(endpoint, timeout=1)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


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
