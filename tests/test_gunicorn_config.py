"""deploy/gunicorn.conf.py: its post_request, by which a body the app answered without
reading is read to its end before the connection closes (so it closes, rather than resets,
under the proxy still sending it), for at most DRAIN_SECONDS; and its sync workers, by
which a request stuck past the timeout is cut off and its worker replaced."""

import json
import runpy
import socket
import sys
import threading
import time
from types import SimpleNamespace

import pytest
import requests
from gunicorn.http.body import Body, LengthReader
from gunicorn.http.unreader import SocketUnreader

from tests.support.app_process import BASE_DIR
from tests.support.app_server import free_port, running

BODY_BYTES = 3 * 2**20


@pytest.fixture
def config():
    return runpy.run_path(str(BASE_DIR / "deploy" / "gunicorn.conf.py"))


@pytest.fixture
def connection():
    """(the app server's end, the proxy's end) of a connection."""
    server, proxy = socket.socketpair()
    with server, proxy:
        yield server, proxy


def request_reading(server, length):
    """A request whose body of `length` bytes gunicorn reads from `server`."""
    unreader = SocketUnreader(server)
    return SimpleNamespace(unreader=unreader, body=Body(LengthReader(unreader, length)))


def test_the_rest_of_an_unread_body_is_read_before_the_connection_closes(config, connection):
    server, proxy = connection
    sender = threading.Thread(target=proxy.sendall, args=(b"x" * BODY_BYTES,))
    sender.start()
    request = request_reading(server, BODY_BYTES)
    assert request.body.read(1024)  # what the app read before it answered

    config["post_request"](None, request, {}, None)

    sender.join(timeout=10)
    assert not sender.is_alive()  # all of it was taken
    server.setblocking(False)
    with pytest.raises(BlockingIOError):  # and nothing is left unread
        server.recv(1)


def test_a_body_that_stops_coming_is_waited_for_no_longer_than_drain_seconds(config, connection):
    server, proxy = connection
    proxy.sendall(b"x" * 1024)  # of a body said to be much longer, then nothing
    config["post_request"].__globals__["DRAIN_SECONDS"] = 0.5
    started = time.monotonic()

    config["post_request"](None, request_reading(server, BODY_BYTES), {}, None)

    assert time.monotonic() - started < 2


STUCK_APP = """
import time


def application(environ, start_response):
    if environ["PATH_INFO"] == "/stuck":
        time.sleep(30)  # far past the test's timeout (and answered, were it not cut off)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"answered"]
"""


def test_a_request_stuck_past_the_timeout_is_cut_off_and_its_worker_replaced(tmp_path):
    """What `timeout` promises holds with sync workers only: a threaded (gthread) worker
    tells the master it is alive from its own loop while a request is stuck in a thread
    (gunicorn's docs, settings: timeout), and the request would run on."""
    (tmp_path / "stuck_app.py").write_text(STUCK_APP)
    base_url = f"http://127.0.0.1:{free_port()}"
    command = [
        sys.executable, "-m", "gunicorn", "stuck_app:application",
        "--config", str(BASE_DIR / "deploy" / "gunicorn.conf.py"),
        "--pythonpath", str(tmp_path),
        "--bind", base_url.removeprefix("http://"),
        "--workers", "1",
        "--timeout", "2",  # production's 30 s, shortened
    ]  # fmt: skip
    log = tmp_path / "gunicorn.log"
    with running(command, base_url, log, cwd=tmp_path):
        stuck = requests.get(f"{base_url}/stuck", timeout=120)
        after = requests.get(f"{base_url}/", timeout=120)

    assert stuck.status_code == 500
    assert after.text == "answered"  # by the worker started in its place
    records = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(
        r["level"] == "CRITICAL" and r["message"].startswith("WORKER TIMEOUT") for r in records
    ), records
