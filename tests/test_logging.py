"""Production logs: one JSON object a line on stdout, each with the request's id.

A process under production settings answers a request with a method the view refuses
(Django logs the 405) and logs an exception with extra fields; everything it writes to
stdout is read back. The process is tests/support/programs/log_records.py.
"""

import json

import pytest

from tests.support.app_process import production_env, run


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    directory = tmp_path_factory.mktemp("logging")
    env = production_env(directory, ALLOWED_HOSTS="testserver")
    logged = run(env, "-m", "tests.support.programs.log_records")
    assert logged.returncode == 0, logged.stderr
    lines = logged.stdout.splitlines()
    assert lines
    # Every line is a record of its own: a line that is not JSON fails here.
    return [json.loads(line) for line in lines]


def test_a_traceback_and_extra_fields_are_in_their_record(records):
    (failed,) = [record for record in records if record["message"] == "Rendition failed"]
    assert failed["level"] == "ERROR"
    assert failed["logger"] == "cms.example"
    assert failed["page_id"] == 42
    assert failed["filter_spec"] == "width-320"
    assert failed["exc_info"].startswith("Traceback (most recent call last):")
    assert "KeyError: 'hero_image'" in failed["exc_info"]
    assert failed["timestamp"]
    # Logged outside any request.
    assert failed["request_id"] is None


def test_a_record_written_while_answering_a_request_carries_its_id(records):
    (refused,) = [record for record in records if record["logger"] == "django.request"]
    assert refused["message"] == "Method Not Allowed (POST): /healthz"
    assert refused["status_code"] == 405
    assert refused["request_id"] == "request-1"
