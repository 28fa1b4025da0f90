"""Fixtures of the production end-to-end suite.

`deployment` starts the reference deployment once for the session (tests/production/
deployment.py) and stops all of it at the end, whatever failed; a module may start one of
its own under that name (`started`), which the fixtures here then use for its tests.
After every test, what the processes logged meanwhile must be JSON lines, and every
response a test received from nginx must have carried an X-Request-ID.

What the suite needs from the machine (nginx, Varnish, Chromium, the Node packages, PostgreSQL,
redis-server) `make test` installs or expects; run alone without them, the suite is skipped,
except under CI, where that is a failure.
"""

import contextlib
import os
import shutil
import signal
from urllib.parse import urlparse

import pytest
import requests

from tests.support.chromium import CHROMIUM_ARGS

from .deployment import POSTGRES_URL, ROOT, VENV_BIN, Deployment

NODE_MODULES = ROOT / "tests" / "production" / "clients" / "node_modules"
TIMEOUT_MS = 20_000


def missing_tools():
    import psycopg

    missing = [
        f"{tool} (make test installs it)"
        for tool in ("nginx", "varnishd", "openssl", "chromium", "node")
        if shutil.which(tool) is None
    ]
    if shutil.which("redis-server") is None:
        missing.append("redis-server (the deployment runs a Redis of its own)")
    if not (VENV_BIN / "moto_server").exists():
        missing.append("moto_server (requirements-dev.lock)")
    if not NODE_MODULES.is_dir():
        missing.append(f"the Node packages (npm ci in {NODE_MODULES.parent})")
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.Error:
        missing.append(f"PostgreSQL at {POSTGRES_URL}")
    return missing


@contextlib.contextmanager
def started(kind):
    """A deployment of `kind` (a Deployment class) started, and all of it stopped at the
    end, whatever failed; the test skipped where the machine lacks what the suite needs
    (failed under CI)."""
    missing = missing_tools()
    if missing:
        message = "The production suite needs " + ", ".join(missing) + "."
        if os.environ.get("CI"):
            pytest.fail(message + " Under CI that is a failure.")
        pytest.skip(message)
    # Its processes run in sessions of their own, so nothing stops them with this one:
    # SIGTERM (make or CI giving up) ends the run like Ctrl-C, through the teardown.
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    running = kind()
    try:
        running.start()
    except BaseException as error:
        logs = running.logs_tail()
        running.stop()
        signal.signal(signal.SIGTERM, previous)
        pytest.fail(f"The deployment did not start: {error}\n{logs}")
    try:
        yield running
    finally:
        running.stop()
        signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="session")
def deployment():
    with started(Deployment) as running:
        yield running


@pytest.fixture(autouse=True)
def logs_and_request_ids(deployment):
    """What every test leaves true: each log line written meanwhile (app servers, task
    worker, nginx's access log) parses as a JSON object, and each response from nginx
    carried an X-Request-ID."""
    yield
    not_json = deployment.json_logs.lines_not_json()
    without_id = list(deployment.responses_without_request_id)
    deployment.responses_without_request_id.clear()
    assert not_json == [], "log lines that are not JSON:\n" + "\n".join(map(str, not_json))
    assert without_id == [], f"responses without an X-Request-ID: {without_id}"


def note_request_id(deployment, url, status, headers):
    """Record a response from nginx (any of its ports) that has no X-Request-ID."""
    if urlparse(url).port in deployment.app_ports() and "x-request-id" not in headers:
        deployment.responses_without_request_id.append((url, status))


@pytest.fixture
def http(deployment):
    """A requests session trusting the deployment's certificate, checking request ids."""
    session = requests.Session()
    # Only this certificate; and neither a proxy nor a CA bundle named in the environment.
    session.trust_env = False
    session.verify = str(deployment.certificate)

    def check(response, *args, **kwargs):
        headers = {name.lower() for name in response.headers}
        note_request_id(deployment, response.url, response.status_code, headers)

    session.hooks["response"].append(check)
    with session:
        yield session


@pytest.fixture
def graphql(http, deployment):
    """POST a query to the GraphQL API at `base_url` (nginx, or an app server's route), by
    default as the keyed front-end server (whose budget is unlimited); the response."""

    def run(base_url, query, variables=None, key=deployment.frontend_key, **kwargs):
        headers = {"X-Frontend-Key": key} if key else {}
        body = {"query": query, "variables": variables or {}}
        return http.post(f"{base_url}/graphql/", json=body, headers=headers, timeout=15, **kwargs)

    return run


@pytest.fixture(scope="session")
def chromium(deployment):
    """Debian's Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_context(chromium, deployment):
    """A function making browser contexts (a fresh profile each: no cookies) whose
    responses are checked for request ids; all closed after the test."""
    contexts = []

    def make(base_url):
        context = chromium.new_context(base_url=base_url, ignore_https_errors=True)
        context.set_default_timeout(TIMEOUT_MS)
        context.on(
            "response",
            lambda response: note_request_id(
                deployment, response.url, response.status, response.headers
            ),
        )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
