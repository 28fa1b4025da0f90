"""Front-end GraphQL clients, Apollo Client and urql, from Node over HTTPS through nginx:
every example query in docs/queries/ answers without errors, exactly as documented.

Both clients add `__typename` to every selection, so answers are compared as
`documented.comparable` makes them.
"""

import json
import os
import shutil
import subprocess

import pytest

from .documented import CLIENTS_DIR, QUERIES_DIR, QUERY_FILES, comparable


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
