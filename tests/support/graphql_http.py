"""graphql-http's audits of the GraphQL-over-HTTP specification (tests/graphql_http/,
npm's, pinned in its package-lock.json; `make install-dev` installs it), run with Node
against a GraphQL endpoint."""

import json
import os
import shutil
import subprocess

import pytest

from tests.support.app_process import BASE_DIR

AUDITS_DIR = BASE_DIR / "tests" / "graphql_http"


def require_audits():
    """Skip the test (fail it under CI) unless Node and graphql-http are installed."""
    missing = [
        what
        for what, there in (
            ("node", shutil.which("node")),
            (f"graphql-http (npm ci in {AUDITS_DIR})", (AUDITS_DIR / "node_modules").is_dir()),
        )
        if not there
    ]
    if missing:
        message = (
            "The GraphQL-over-HTTP audits need " + ", ".join(missing) + ": `make install-dev`."
        )
        if os.environ.get("CI"):
            pytest.fail(message + " Under CI that is a failure.")
        pytest.skip(message)


def audit(url, **env):
    """Each audit's result for the endpoint at `url`: a dict of its id, name (which begins
    with its level: MUST, SHOULD or MAY), status ("ok" or not) and, when it failed, the
    reason and the response's status and content type. `env` adds to Node's environment
    (FRONTEND_KEY, NODE_EXTRA_CA_CERTS)."""
    require_audits()
    ran = subprocess.run(  # noqa: S603
        [shutil.which("node"), str(AUDITS_DIR / "audit.mjs"), url],
        cwd=AUDITS_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout)


def failed(results, level):
    """The audits of `level` (MUST, SHOULD or MAY) that failed, as id -> what happened."""
    return {
        result["id"]: f"{result['name']}: {result['reason']} ({result['response']})"
        for result in results
        if result["status"] != "ok" and result["name"].startswith(level + " ")
    }
