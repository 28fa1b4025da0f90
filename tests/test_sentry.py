"""Errors go to Sentry when SENTRY_DSN is set, and nowhere else when it is not.

A process under production settings logs an error; the DSN points at a receiver on a
local port that records what sentry-sdk sends it. The process is
tests/support/programs/log_an_error.py.
"""

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler

import pytest

from tests.support.app_process import production_env, run
from tests.support.webhook_receiving import LocalServer


class SentryReceiver(LocalServer):
    """Records the events in the envelopes POSTed to it, as Sentry's ingest would take them."""

    def __init__(self):
        self.events = []
        lock = threading.Lock()
        events = self.events

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                # An envelope: a header line, then each item's header line and payload.
                lines = body.splitlines()
                with lock:
                    for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                        if json.loads(header).get("type") == "event":
                            events.append(json.loads(payload))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.serve(Handler)


def log_an_error(tmp_path, **variables):
    env = production_env(tmp_path, ALLOWED_HOSTS="testserver", **variables)
    logged = run(env, "-m", "tests.support.programs.log_an_error")
    assert logged.returncode == 0, logged.stderr
    return json.loads(logged.stdout.splitlines()[-1])


@pytest.fixture
def sentry():
    with SentryReceiver() as receiver:
        yield receiver


def test_errors_go_to_sentry_when_a_dsn_is_set(tmp_path, sentry):
    port = sentry.server.server_port
    reported = log_an_error(
        tmp_path,
        SENTRY_DSN=f"http://public-key@127.0.0.1:{port}/1",
        SENTRY_RELEASE="2026.12.1",
        SENTRY_ENVIRONMENT="staging",
    )
    assert reported == {"sentry_active": True}
    (event,) = sentry.events
    assert event["logentry"]["message"] == "The rendition service failed"
    assert event["release"] == "2026.12.1"
    assert event["environment"] == "staging"
    assert "django" in event["sdk"]["integrations"]


def test_nothing_goes_to_sentry_without_a_dsn(tmp_path, sentry):
    assert log_an_error(tmp_path, SENTRY_DSN=None) == {"sentry_active": False}
    assert sentry.events == []
