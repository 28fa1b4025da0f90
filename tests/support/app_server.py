"""The app served by gunicorn in another process, as an app server in production runs it.

`app_server(env, log_path)` starts `gunicorn cms.wsgi` on a free local port under `env`
(app_process.production_env builds one), waits until it answers and stops it afterwards;
`get` asks it for a path as the proxy in front of it would, over HTTPS.
"""

import socket
import subprocess
import sys
import time
from contextlib import closing, contextmanager

import requests

from tests.support.app_process import BASE_DIR

START_TIMEOUT = 30  # seconds: a cold start imports Wagtail and builds the GraphQL schema


def free_port():
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def app_server(env, log_path):
    """Yield the base URL of gunicorn serving cms.wsgi under `env`; what it writes to
    stdout and stderr goes to `log_path`. ALLOWED_HOSTS in `env` must allow 127.0.0.1."""
    port = free_port()
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "cms.wsgi"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(server, base_url, log_path)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_until_answering(server, base_url, log_path):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn stopped:\n{log_path.read_text()}")
        try:
            requests.get(f"{base_url}/healthz", timeout=1)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening, or still loading
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer in {START_TIMEOUT} s:\n{log_path.read_text()}")


def get(base_url, path, **headers):
    """GET `path` as the TLS-terminating proxy passes it on (X-Forwarded-Proto: https)."""
    return requests.get(
        base_url + path,
        headers={"X-Forwarded-Proto": "https", **headers},
        allow_redirects=False,
        timeout=10,
    )
