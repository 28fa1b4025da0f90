"""Front-end GraphQL clients, Apollo Client and urql, from Node over HTTPS through nginx:
every example query in docs/queries/ answers without errors, exactly as documented.

Both clients add `__typename` to every selection, so it is left out of the comparison;
ids (primary keys) and media addresses (S3's here, the app's in the docs) are compared
by shape, as in tests/test_graphql_contract.py.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import PurePosixPath
from urllib.parse import urlparse

import pytest

from .deployment import ROOT

QUERIES_DIR = ROOT / "docs" / "queries"
QUERY_FILES = sorted(QUERIES_DIR.glob("*.graphql"))
CLIENTS_DIR = ROOT / "tests" / "production" / "clients"
URL = re.compile(r"https?://[^\s\"]+")
# Django's storage adds "_" and 7 characters to a file name that is taken.
TAKEN_NAME_SUFFIX = re.compile(r"_[A-Za-z0-9]{7}(?=\.)")


def media_path(match):
    """A media URL as the part of its path from `images/` or `original_images/` on,
    without the storage's suffix or a signature: the same file, wherever it is served."""
    parts = PurePosixPath(urlparse(match[0]).path).parts
    for index, part in enumerate(parts):
        if part in ("images", "original_images", "documents"):
            return "<media>/" + TAKEN_NAME_SUFFIX.sub("", "/".join(parts[index:]))
    return match[0]


def comparable(value):
    if isinstance(value, dict):
        return {
            key: "<id>" if key == "id" else comparable(item)
            for key, item in value.items()
            if key != "__typename"
        }
    if isinstance(value, list):
        return [comparable(item) for item in value]
    if isinstance(value, str):
        return URL.sub(media_path, value)
    return value


@pytest.fixture(scope="module")
def client_results(deployment):
    ran = subprocess.run(
        [
            shutil.which("node"),
            str(CLIENTS_DIR / "run-queries.mjs"),
            f"{deployment.url}/graphql/",
            QUERIES_DIR,
        ],
        cwd=CLIENTS_DIR,
        env={
            **os.environ,
            "FRONTEND_KEY": deployment.frontend_key,
            "NODE_EXTRA_CA_CERTS": str(deployment.certificate),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout)


@pytest.mark.parametrize("client", ["apollo", "urql"])
@pytest.mark.parametrize("query_file", QUERY_FILES, ids=lambda path: path.stem)
def test_client_gets_the_documented_response(client_results, client, query_file):
    result = client_results[client][query_file.stem]
    expected = json.loads(query_file.with_suffix(".json").read_text())
    assert result["errors"] == []
    assert comparable(result["data"]) == comparable(expected["data"])


def test_every_client_response_was_a_success_with_a_request_id(client_results):
    responses = client_results["responses"]
    assert {response["client"] for response in responses} == {"apollo", "urql"}
    assert len(responses) == 2 * len(QUERY_FILES)
    assert [r for r in responses if r["status"] != 200 or not r["requestId"]] == []
