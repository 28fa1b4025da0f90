"""Property-based fuzzing: queries generated from schema.graphql never get a 5xx, an
INTERNAL_ERROR (a fault of ours, whatever the client sent), a traceback or a glimpse of
the internals."""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

SCHEMA = (Path(__file__).resolve().parents[1] / "schema.graphql").read_text()
EXAMPLES = 300

INTERNALS = re.compile(
    r"Traceback|File \"/|site-packages|django\.|psycopg|sqlite|OperationalError|"
    r"IntegrityError|DoesNotExist|does not exist|has no attribute|NoneType|Choices are|"
    r"expected a number|KeyError|TypeError|ValueError|AttributeError",
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(query=queries(SCHEMA))
def test_generated_queries_never_break_or_leak(client, query):
    response = client.post("/graphql/", {"query": query}, content_type="application/json")
    assert response.status_code < 500, (query, response.content[:500])
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.content.decode()
    assert "INTERNAL_ERROR" not in body, f"a fault answering {query}: {body[:500]}"
    leak = INTERNALS.search(body)
    assert leak is None, f"{leak.group(0)!r} in the answer to {query}: {body[:500]}"
