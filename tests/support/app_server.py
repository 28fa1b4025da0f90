"""The app served by gunicorn in another process, as an app server in production runs it.

`app_server(env, log_path)` starts `gunicorn cms.wsgi` on a free local port under `env`
(app_process.production_env builds one), waits until it answers and stops it afterwards;
`get` asks it for a path as the proxy in front of it would, over HTTPS. `running` does
the starting, waiting and stopping for any such server (tests/support/s3_server.py).
"""

import socket
import subprocess
import sys
import time
from contextlib import closing, contextmanager

import requests

from tests.support.app_process import BASE_DIR

START_TIMEOUT = 30  # seconds: gunicorn's cold start imports Wagtail, builds the schema


def free_port():
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def app_server(env, log_path):
    """Yield the base URL of gunicorn serving cms.wsgi under `env`; what it writes to
    stdout and stderr goes to `log_path`. ALLOWED_HOSTS in `env` must allow 127.0.0.1."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "cms.wsgi"]
    with running(command, f"{base_url}/healthz", log_path, cwd=BASE_DIR, env=env):
        yield base_url


@contextmanager
def running(command, answering_url, log_path, **popen_arguments):
    """Run `command` (what it writes going to `log_path`) until the `with` block ends,
    which starts once `answering_url` answers HTTP."""
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603
            command, stdout=log, stderr=subprocess.STDOUT, **popen_arguments
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, f"{command} stopped:\n{log_path.read_text()}"
            assert time.monotonic() < deadline, f"{command} is silent:\n{log_path.read_text()}"
            try:
                requests.get(answering_url, timeout=1)
                break
            except (requests.ConnectionError, requests.Timeout):  # not listening, or loading
                time.sleep(0.2)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(base_url, path, **headers):
    """GET `path` as the TLS-terminating proxy passes it on (X-Forwarded-Proto: https)."""
    return requests.get(
        base_url + path,
        headers={"X-Forwarded-Proto": "https", **headers},
        allow_redirects=False,
        timeout=10,
    )
