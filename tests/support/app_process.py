"""Running the app in another process, as production would.

An app server starts with the environment its deployment gives it and nothing of the
machine's own settings variables: `production_env` builds that environment, `probe`
starts the app under it and sends it requests through Django's test client, and
`migrated_sqlite_url` gives such a process a database of its own, a copy of a migrated
SQLite file with the site in it.

The app process answers through tests/support/probe.py, run as a module from the
project directory.
"""

import json
import os
import re
import secrets
import shutil
import sqlite3
import string
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import NamedTuple

from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]

# Environment variables the settings read (all listed in .env.example, which
# tests/test_env_example.py holds complete): a subprocess gets only the ones a test sets.
SETTINGS_ENV = set(
    re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", (BASE_DIR / ".env.example").read_text(), re.MULTILINE)
)


def random_secret_key():
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(50))


def app_env(**variables):
    """This machine's environment without the settings variables, plus `variables`.

    A variable given as None is left unset.
    """
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS_ENV}
    env.update(variables)
    return {name: value for name, value in env.items() if value is not None}


def production_env(directory, **variables):
    """What a deployment sets for an app server under production settings.

    Its files (SQLite database, cache, media) are kept in `directory`; `variables` add to
    or replace these, and one given as None is left unset.
    """
    return app_env(
        **{
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "SECRET_KEY": random_secret_key(),
            "ALLOWED_HOSTS": "cms.example.org",
            "WAGTAILADMIN_BASE_URL": "https://cms.example.org",
            "DATABASE_URL": f"sqlite:///{directory / 'x.sqlite3'}",
            "CACHE_DIR": str(directory / "cache"),
            "MEDIA_ROOT": str(directory / "media"),
            **variables,
        }
    )


def run(env, *args, timeout=120):
    """Run Python with `args` in the project directory under `env`; capture its output."""
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class Probed(NamedTuple):
    """What a probe found: the `settings` asked for, by name; the `responses`, each with
    its status, headers (names lower-cased), body and the seconds it took; and the `log`,
    what the process wrote to stdout (where production settings log)."""

    settings: dict
    responses: list
    log: str


def probe(env, directory, *requests, settings=()):
    """Answer `requests` in a fresh app process under `env`, reading the named `settings`.

    A request is a dict: "path", and optionally "method", "data", "content_type",
    "headers" and "secure" (default true). The report is written in `directory`.
    """
    out = directory / f"probe-{secrets.token_hex(4)}.json"
    arguments = [json.dumps(requests), json.dumps(list(settings)), str(out)]
    probed = run(env, "-m", "tests.support.probe", *arguments)
    assert probed.returncode == 0, probed.stderr
    report = json.loads(out.read_text())
    return Probed(report["settings"], report["responses"], probed.stdout)


def graphql_post(query, **headers):
    """A probe request POSTing `query` to the GraphQL endpoint, with these headers."""
    return {
        "method": "POST",
        "path": "/graphql/",
        "data": json.dumps({"query": query}),
        "content_type": "application/json",
        "headers": headers,
    }


def migrated_sqlite(path, django_db_blocker):
    """A migrated SQLite file with its site (the home page at /) at `path`.

    A copy of the suite's SQLite test database while that still has its site (a
    transactional test empties it), else freshly migrated.
    """
    if path.exists():
        return path
    if connection.vendor == "sqlite":
        with django_db_blocker.unblock():
            connection.ensure_connection()
            with closing(sqlite3.connect(path)) as copy:
                connection.connection.backup(copy)
                sites = copy.execute("SELECT count(*) FROM wagtailcore_site").fetchone()[0]
        if sites:
            return path
        path.unlink()
    env = app_env(DJANGO_SETTINGS_MODULE="cms.settings.test", DATABASE_URL=f"sqlite:///{path}")
    migrated = run(env, "manage.py", "migrate", "--noinput", "-v0", timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    return path


def migrated_sqlite_url(directory, tmp_path_factory, django_db_blocker):
    """A database URL for an app process: its own copy, in `directory`, of the migrated
    SQLite file, which is made once a session and shared by every test module."""
    migrated = migrated_sqlite(
        tmp_path_factory.getbasetemp() / "migrated.sqlite3", django_db_blocker
    )
    database = directory / "db.sqlite3"
    shutil.copy(migrated, database)
    return f"sqlite:///{database}"
