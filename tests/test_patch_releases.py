"""tools/patch_releases.py, `make audit`'s listing where pip-audit cannot run, against a
fake package index on 127.0.0.1 (PEP 503 pages) that pip is pointed at through its own
configuration (PIP_INDEX_URL), as the script leaves the index to pip.

It needs no database, so it runs in the SQLite pass of `make test` only.
"""

import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from packaging.version import Version

from tools import patch_releases

pytestmark = pytest.mark.sqlite_pass_only

# Each project's releases on the fake index, one wheel each.
RELEASES = {
    "demo-web": ["1.2.3", "1.2.4", "1.2.5", "1.3.0", "2.0.0"],
    "demo-minor": ["2.0.1", "2.1.0", "3.0.0"],
    "demo-pre": ["1.0.0", "1.0.1rc1", "1.0.2.dev1", "1.1.0b1"],
    "demo-tool": ["0.4.0", "0.4.1"],
    "demo-current": ["3.1.0"],
}
# Its page is answered only once the test is over: a lookup that would wait for it.
SLOW = "demo-slow"


def page(project):
    wheel = project.replace("-", "_")
    links = "".join(
        f'<a href="/files/{wheel}-{version}-py3-none-any.whl">{wheel}-{version}</a>\n'
        for version in RELEASES[project]
    )
    return f"<!DOCTYPE html><html><body>\n{links}</body></html>\n".encode()


@pytest.fixture(scope="module")
def index():
    """The fake index's URL: /simple/<project>/ for each project of RELEASES, 404 for others."""
    test_over = threading.Event()

    class Index(BaseHTTPRequestHandler):
        def do_GET(self):
            project = self.path.strip("/").removeprefix("simple/")
            if project == SLOW:
                test_over.wait(60)
            if project not in RELEASES:
                self.send_error(404)
                return
            body = page(project)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Index)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/simple/"
    test_over.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def pip_asks(monkeypatch):
    """Point the pip processes the script starts at an index URL, and nowhere else."""

    def point_at(index_url):
        # pip.conf here adds other indexes and find-links: none is read.
        monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
        for variable in ("PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX", "CI"):
            monkeypatch.delenv(variable, raising=False)
        monkeypatch.setenv("PIP_INDEX_URL", index_url)
        monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
        # An index that refuses connections is not asked again and again.
        monkeypatch.setenv("PIP_RETRIES", "0")

    return point_at


def lock(path, pins):
    path.write_text(
        "".join(
            f"{name}=={version} \\\n    --hash=sha256:{'0' * 64}\n    # via -r runtime.in\n"
            for name, version in pins.items()
        )
    )
    return path


def run(tmp_path, capsys, production, dev=(), time_limit=60):
    """The script's exit status and {package: (pinned, newest patch, lock)} of its table,
    for locks pinning `production` and, besides those, `dev` ({name: version})."""
    status = patch_releases.main(
        [
            "--production",
            str(lock(tmp_path / "requirements.lock", production)),
            "--dev",
            str(lock(tmp_path / "requirements-dev.lock", {**production, **dict(dev)})),
            "--time-limit",
            str(time_limit),
        ]
    )
    output = capsys.readouterr()
    rows = [re.split(r"\s{2,}", line) for line in output.out.splitlines()]
    table = {row[0]: tuple(row[1:]) for row in rows if len(row) == 4 and row[0] != "package"}
    return status, table, output


@pytest.mark.parametrize(
    ("pinned", "versions", "newest"),
    [
        ("1.2.3", ["1.2.4", "1.2.5", "1.2.4.post1"], "1.2.5"),
        ("4.0", ["4.0.1", "4.1"], "4.0.1"),
        ("4", ["4.0.2", "4.1.0"], "4.0.2"),
        ("2026.10.18", ["2026.10.19.post1", "2026.11.1"], "2026.10.19.post1"),
        ("1.2.3", ["1.2.3", "1.2.2", "1.3.0", "2.0"], None),
        ("1.2.3", ["1.2.4rc1", "1.2.5.dev0", "1.2.4a1"], None),
        ("1.2.3", ["1!1.2.4"], None),
    ],
)
def test_the_newest_patch_is_the_newest_release_of_the_pin_s_major_minor(pinned, versions, newest):
    found = patch_releases.newest_patch(Version(pinned), [Version(v) for v in versions])
    assert found == (Version(newest) if newest else None)


def test_a_newer_patch_is_listed_with_its_lock(index, pip_asks, tmp_path, capsys):
    pip_asks(index)
    status, table, _ = run(
        tmp_path,
        capsys,
        production={"demo-web": "1.2.3", "demo-current": "3.1.0"},
        dev={"demo-tool": "0.4.0"},
    )
    assert table == {
        "demo-web": ("1.2.3", "1.2.5", "production"),
        "demo-tool": ("0.4.0", "0.4.1", "dev"),
    }
    assert status == 0


def test_a_newer_minor_or_major_release_is_not_listed(index, pip_asks, tmp_path, capsys):
    pip_asks(index)
    _, table, output = run(tmp_path, capsys, production={"demo-minor": "2.0.1"})
    assert table == {}
    assert "1 pinned packages asked of pip's index: 0 with a newer patch, 0 unknown." in output.out


def test_a_pre_release_is_not_listed(index, pip_asks, tmp_path, capsys):
    pip_asks(index)
    _, table, _ = run(tmp_path, capsys, production={"demo-pre": "1.0.0"})
    assert table == {}


def test_a_package_the_index_does_not_know_is_unknown(index, pip_asks, tmp_path, capsys):
    pip_asks(index)
    status, table, output = run(
        tmp_path, capsys, production={"demo-absent": "1.0.0", "demo-web": "1.2.3"}
    )
    assert table["demo-absent"][:1] == ("1.0.0",)
    assert table["demo-absent"][1].startswith("unknown (")
    assert table["demo-web"] == ("1.2.3", "1.2.5", "production")
    assert "1 with a newer patch, 1 unknown." in output.out


def test_an_unreachable_index_leaves_every_package_unknown(pip_asks, tmp_path, capsys):
    # A port just closed: nothing listens there.
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server.server_close()
    pip_asks(f"http://127.0.0.1:{server.server_port}/simple/")
    status, table, output = run(
        tmp_path, capsys, production={"demo-web": "1.2.3"}, dev={"demo-tool": "0.4.0"}
    )
    assert {name: newest.split(" ")[0] for name, (_, newest, _) in table.items()} == {
        "demo-web": "unknown",
        "demo-tool": "unknown",
    }
    assert "0 with a newer patch, 2 unknown." in output.out
    assert status == 0


def test_a_lookup_the_index_does_not_answer_in_time_is_unknown(index, pip_asks, tmp_path, capsys):
    pip_asks(index)
    started = time.monotonic()
    status, table, _ = run(tmp_path, capsys, production={SLOW: "1.0.0"}, time_limit=5)
    assert time.monotonic() - started < 20
    assert table == {SLOW: ("1.0.0", "unknown (no answer within 5 s)", "production")}
    assert status == 0


def test_under_ci_a_production_package_s_newer_patch_fails(
    index, pip_asks, monkeypatch, tmp_path, capsys
):
    pip_asks(index)
    monkeypatch.setenv("CI", "true")
    status, _, output = run(tmp_path, capsys, production={"demo-web": "1.2.3"})
    assert status == 1
    assert "Under CI a newer patch of a production package fails: demo-web." in output.err


def test_under_ci_a_dev_only_package_s_newer_patch_is_listed_only(
    index, pip_asks, monkeypatch, tmp_path, capsys
):
    pip_asks(index)
    monkeypatch.setenv("CI", "true")
    status, table, _ = run(
        tmp_path, capsys, production={"demo-current": "3.1.0"}, dev={"demo-tool": "0.4.0"}
    )
    assert table == {"demo-tool": ("0.4.0", "0.4.1", "dev")}
    assert status == 0


def test_outside_ci_a_production_package_s_newer_patch_is_listed_only(
    index, pip_asks, tmp_path, capsys
):
    pip_asks(index)
    status, table, _ = run(tmp_path, capsys, production={"demo-web": "1.2.3"})
    assert table == {"demo-web": ("1.2.3", "1.2.5", "production")}
    assert status == 0
