import os
import socket
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from core import memo
from core.models import Retirement
from tests.support.chromium import chromium_executable
from tests.support.content import load_southwark_content
from tests.support.factories import UserFactory
from tests.support.front_end import FrontEnd
from tests.support.snapshot import rows_made_by, rows_now
from tests.support.webhook_receiving import send_webhooks_to

SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"
TEST_REDIS = ("127.0.0.1", 6379, 15)  # host, port, database: Redis on this machine


IN_THE_POSTGRESQL_PASS = os.environ.get("DATABASE_URL", "").startswith(
    ("postgres://", "postgresql://")
)


def pytest_collection_modifyitems(config, items):
    """`make test` runs the suite on SQLite and again on PostgreSQL. The second pass leaves
    out what reads no database of its own (`sqlite_pass_only`), and the admin in Chromium
    (`chromium_path`): what a browser test proves is the admin's, and the production suite
    drives Chromium against PostgreSQL."""
    if not IN_THE_POSTGRESQL_PASS:
        return
    for item in items:
        if item.get_closest_marker("sqlite_pass_only"):
            item.add_marker(pytest.mark.skip(reason="in the SQLite pass: it reads no database"))
        elif "chromium_path" in item.fixturenames:
            item.add_marker(
                pytest.mark.skip(reason="in the SQLite pass and the production suite (Chromium)")
            )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as pytest-django migrates it, and a cheaper reset for each
    transactional test (`django_db(transaction=True, serialized_rollback=True)`).

    After such a test Django empties every table: on PostgreSQL with one TRUNCATE, which
    makes new files for each table and index (about a second a test); here their rows
    (a few hundred at most) are deleted instead, the foreign keys (deferrable) checked
    as the flush commits. Before the next, Django saved each migrated row again, one
    object at a time (another second on PostgreSQL, half one on SQLite); here they are
    written back as copied once after migrating (tests/support/snapshot.py).
    """
    with django_db_blocker.unblock():
        migrated = rows_now()
    with pytest.MonkeyPatch.context() as patch:
        # Django's serialized copy of the same rows is still made, and left unread.
        patch.setattr(
            connection.creation, "deserialize_db_from_string", lambda _: migrated.restore()
        )
        if connection.vendor == "postgresql":
            from django.db.backends.postgresql.operations import DatabaseOperations

            truncate = DatabaseOperations.sql_flush

            def delete_rows(ops, style, tables, *, reset_sequences=False, allow_cascade=False):
                if reset_sequences:  # none of the suite's tests asks: TRUNCATE restarts them
                    return truncate(
                        ops, style, tables, reset_sequences=True, allow_cascade=allow_cascade
                    )
                return [f"DELETE FROM {ops.quote_name(table)};" for table in tables]  # noqa: S608

            patch.setattr(DatabaseOperations, "sql_flush", delete_rows)
        yield


@pytest.fixture(scope="session")
def southwark_rows(django_db_setup, django_db_blocker):
    """The rows loading the Southwark content makes, loaded once for the session (in a
    transaction rolled back at once) and copied: loading it costs seconds, writing the
    rows back a fraction of that (tests/support/snapshot.py)."""

    def load():
        load_southwark_content()
        # Loaded in a transaction that never commits: there is nothing to retire.
        Retirement.objects.all().delete()

    with django_db_blocker.unblock():
        return rows_made_by(load)


@pytest.fixture(scope="module")
def southwark(southwark_rows, django_db_blocker):
    """The Southwark content, as loaded, once per test module and rolled back after it.

    Every test of a module that uses it sees the content, so tests that need an
    empty site live in modules of their own. Its images' files are the session's first
    load's (under MEDIA_ROOT, which no rollback empties).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        southwark_rows.restore()
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache and nothing kept in this process's memory
    (core/memo.py): no response cached, no fact remembered by an earlier test.

    (Inside a test's transaction, publishing cannot retire cached responses: that
    happens on commit. Tests of the response cache commit for real.)
    """
    cache.clear()
    memo.clear_all()


@pytest.fixture
def news_page_form():
    """The admin's news page form as an editor who presses Publish sends it; each test
    gives the fields it is about (title, slug, date and summary at least)."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    def fill(**fields):
        blank = {"tags": "", "body": streamfield([]), "source_url": "", "change_kind": "minor"}
        publish = {"comments": inline_formset([]), "action-publish": "action-publish"}
        return nested_form_data({**blank, **fields, **publish})

    return fill


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a change as if its transaction committed: what waits for the commit (the
    content version and surrogate keys it retires, the events it records) happens then."""

    def commit(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return commit


@pytest.fixture
def graphql(client):
    """Run a query over HTTP as an anonymous front end would; return the decoded response."""

    def run(query, variables=None, **extra):
        response = client.post(
            "/graphql/",
            {"query": query, "variables": variables or {}},
            content_type="application/json",
            **extra,
        )
        assert response["Content-Type"].startswith("application/json"), response.content
        return response.json()

    return run


@pytest.fixture(scope="session")
def seed_text():
    """The seed documents' words with white space folded, for checking wording is kept."""
    if not SEEDS_DIR.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"The seed documents are missing from {SEEDS_DIR}.")
        pytest.skip(f"The seed documents are not beside this checkout ({SEEDS_DIR}).")
    return " ".join(
        " ".join(path.read_text(encoding="utf-8").split()) for path in sorted(SEEDS_DIR.glob("*"))
    )


def redis_answers(host, port):
    try:
        with socket.create_connection((host, port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(params=["file cache", "Redis"])
def shared_cache(request, settings):
    """The test runs once on each shared cache the app supports: the embedded file
    cache, and Redis as in production (under keys of this test's own, as the SQLite and
    PostgreSQL passes of the suite share one Redis)."""
    if request.param == "Redis":
        host, port, database = TEST_REDIS
        if not redis_answers(host, port):
            if os.environ.get("CI"):
                pytest.fail(f"Redis is not answering on {host}:{port}.")
            pytest.skip(f"Redis is not answering on {host}:{port}.")
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": f"redis://{host}:{port}/{database}",
                "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            },
        }
        yield request.param
        cache.delete_pattern("*")  # this test's keys only (the prefix applies)
    else:
        yield request.param


@pytest.fixture
def front_end(settings):
    """A stand-in headless front end on a local port (tests/support/front_end.py): it
    records the webhooks it receives and serves the preview route the admin frames."""
    with FrontEnd(settings.FRONTEND_WEBHOOK_SECRET) as running:
        yield running


@pytest.fixture
def webhooks(settings, front_end):
    """Webhooks go to the front end through the database queue, as in production, and
    are retried at once; returns the front end, whose `deliveries` are those received."""
    send_webhooks_to(settings, front_end.webhook_url)
    return front_end


@pytest.fixture
def editor():
    """A member of Editors: drafts and submits, never publishes."""
    return UserFactory(username="an-editor", role="Editors")


@pytest.fixture
def moderator():
    """A member of Moderators: approves what Editors submit."""
    return UserFactory(username="a-moderator", role="Moderators")


@pytest.fixture
def chromium_path():
    """The system's Chromium, for Playwright (tests/support/chromium.py): without it, or
    without Playwright, the test is skipped, and fails under CI."""
    return chromium_executable()
