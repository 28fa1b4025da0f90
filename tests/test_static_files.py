"""The release step, and the static files it collects served by whitenoise in production.

`manage.py release` runs under production settings in another process, as a deployment
runs it, on a database of its own; the admin is then served by gunicorn from what it
collected, with no proxy or CDN serving /static/.
"""

import re

import pytest

from tests.support.app_process import production_env, run
from tests.support.app_server import app_server, get

# The admin's login page links its stylesheets and scripts with these.
pytestmark = pytest.mark.sqlite_pass_only  # its database is a file of its own

ASSET_URL = re.compile(r'<(?:link rel="stylesheet" href|script src)="(/static/[^"]+)"')


def release(directory, **variables):
    """Run `manage.py release` on an empty SQLite database, with STATIC_ROOT in `directory`."""
    env = production_env(
        directory,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        STATIC_ROOT=str(directory / "static"),
        **variables,
    )
    return env, run(env, "manage.py", "release", timeout=300)


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    directory = tmp_path_factory.mktemp("release")
    env, released = release(directory)
    assert released.returncode == 0, released.stderr
    return env, directory, released.stdout


def test_release_collects_static_files_migrates_trusts_the_documented_queries_then_checks(
    released,
):
    _, directory, output = released
    steps = [
        output.index("static files copied"),
        output.index("Applying wagtailcore.0001"),
        output.index("Trusted documents:"),
        output.index("System check identified no issues"),
    ]
    assert steps == sorted(steps)
    assert (directory / "static" / "staticfiles.json").is_file()  # the manifest


def test_release_stops_loudly_at_a_deployment_warning(released):
    # Without HSTS, `check --deploy` warns (security.W004): a warning fails the release (run
    # again where the first one ran: its files collected and its database migrated already).
    _, directory, _ = released
    _, released = release(directory, SECURE_HSTS_SECONDS="0")
    assert released.returncode != 0
    assert "SystemCheckError" in released.stderr
    assert "security.W004" in released.stderr


def test_admin_login_page_gets_its_css_and_javascript(released):
    env, directory, _ = released
    with app_server(env, directory / "gunicorn.log") as base_url:
        login = get(base_url, "/admin/login/")
        assert login.status_code == 200
        assets = ASSET_URL.findall(login.text)
        stylesheets = [url for url in assets if ".css" in url]
        assert stylesheets, login.text
        for url in assets:
            # Hashed names from the manifest: a new release never meets a stale copy.
            assert re.search(r"\.[0-9a-f]{12}\.(css|js)\b", url), url
            asset = get(base_url, url, **{"Accept-Encoding": "gzip"})
            assert asset.status_code == 200, url
            assert asset.headers["Content-Encoding"] == "gzip", url
            assert "immutable" in asset.headers["Cache-Control"], url
        for url in stylesheets:
            css = get(base_url, url)
            assert css.headers["Content-Type"].startswith("text/css"), url
            assert len(css.content) > 1000, url
