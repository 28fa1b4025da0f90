"""deploy/gunicorn.conf.py's post_request: a body the app answered without reading is read
to its end before the connection closes (so it closes, rather than resets, under the
proxy still sending it), for at most DRAIN_SECONDS."""

import runpy
import socket
import threading
import time
from types import SimpleNamespace

import pytest
from gunicorn.http.body import Body, LengthReader
from gunicorn.http.unreader import SocketUnreader

from tests.support.app_process import BASE_DIR

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
