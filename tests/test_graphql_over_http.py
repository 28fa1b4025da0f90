"""The GraphQL endpoint keeps the GraphQL-over-HTTP specification:

- graphql-http's audits of it pass on the live server, every MUST, SHOULD and MAY;
- each request is answered in the media type its Accept header prefers, or 406;
- each kind of answer has the status docs/frontend.md gives it in that media type;
- neither media type is ever served for the other: `Vary: Accept`, an ETag of each, and
  the response cache and `recall` serving each request in its own.
"""

import json
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.cache import has_vary_header
from graphql import ExecutionResult, GraphQLError

from api.graphql.media_types import GRAPHQL_RESPONSE, JSON, negotiated
from api.graphql.view import CMSGraphQLView
from tests.support import graphql_http

pytestmark = pytest.mark.django_db

APOLLO = "application/graphql-response+json,application/json;q=0.9"
URQL = (
    "application/graphql-response+json, application/graphql+json, application/json, "
    "text/event-stream, multipart/mixed"
)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
PRINCIPLES = "{ principles { slug } }"
NEWS_ITEM = "query ($slug: String!) { newsItem(slug: $slug) { title } }"


def ask(client, method, accept=None, **parameters):
    """A GET of `parameters` (JSON-encoding those that are not strings), or a POST of them
    as JSON; with this Accept header, or none."""
    headers = {} if accept is None else {"Accept": accept}
    if method == "GET":
        query = {
            name: value if isinstance(value, str) else json.dumps(value)
            for name, value in parameters.items()
        }
        return client.get("/graphql/", query, headers=headers)
    return client.post(
        "/graphql/", json.dumps(parameters), content_type="application/json", headers=headers
    )


def media_type_of(response):
    return response["Content-Type"].partition(";")[0]


def code_of(response):
    return response.json()["errors"][0]["extensions"]["code"]


@pytest.fixture(scope="module")
def audited(django_db_blocker, live_server):
    return graphql_http.audit(f"{live_server.url}/graphql/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("level", ["MUST", "SHOULD", "MAY"])
def test_every_audit_passes_on_the_live_server(audited, level):
    assert graphql_http.failed(audited, level) == {}


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (BROWSER, JSON),
        ("application/json", JSON),
        ("application/json, application/graphql-response+json", JSON),  # the first listed
        ("application/graphql-response+json;q=0.5, application/json", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        ("Application/GraphQL-Response+JSON; charset=utf-8", GRAPHQL_RESPONSE),
        (APOLLO, GRAPHQL_RESPONSE),
        (URQL, GRAPHQL_RESPONSE),
        ("application/json;q=0.9, application/graphql-response+json", GRAPHQL_RESPONSE),
        ("*/*, application/graphql-response+json", GRAPHQL_RESPONSE),  # named over covered
        ("application/json;q=0, */*", GRAPHQL_RESPONSE),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_answer_is_in_the_media_type_accept_prefers(client, method, accept, chosen):
    response = ask(client, method, accept, query=PRINCIPLES)
    assert response.status_code == 200
    assert response["Content-Type"] == f"{chosen}; charset=utf-8"
    assert has_vary_header(response, "Accept")
    assert response.json() == {"data": {"principles": []}}


def test_empty_optional_parameters_of_a_get_are_as_if_not_sent(client):
    empty = {"variables": "", "operationName": "", "extensions": ""}
    response = ask(client, "GET", GRAPHQL_RESPONSE, query=PRINCIPLES, **empty)
    assert response.status_code == 200 and response.json() == {"data": {"principles": []}}


@pytest.mark.parametrize(
    "accept", ["text/html", "application/xml, text/*", "application/json;q=0", "*/*;q=0"]
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_accept_neither_media_type_satisfies_is_a_406(client, method, accept):
    with CaptureQueriesContext(connection) as queries:
        response = ask(client, method, accept, query=PRINCIPLES)
    assert response.status_code == 406 and code_of(response) == "NOT_ACCEPTABLE"
    assert media_type_of(response) == JSON and has_vary_header(response, "Accept")
    assert len(queries) == 0  # stopped before anything ran


def test_a_malformed_quality_leaves_its_element_out():
    assert negotiated("application/graphql-response+json;q=high, application/json") == JSON
    assert negotiated("application/json;q=1.5") is None
    assert negotiated("nonsense, , application/graphql-response+json") == GRAPHQL_RESPONSE


TOO_DEEP = '{ page(urlPath: "/") { ' + "parent { " * 11 + "title" + " }" * 11 + " } }"
# What each kind of request error is answered with: (parameters, code, status in
# application/graphql-response+json, status in application/json).
REQUEST_ERRORS = {
    "a document that does not parse": ({"query": "{"}, "GRAPHQL_PARSE_FAILED", 400, 200),
    "a document that does not validate": (
        {"query": "{ noSuchField }"},
        "GRAPHQL_VALIDATION_FAILED",
        400,
        200,
    ),
    "variables that do not coerce": (
        {"query": NEWS_ITEM, "variables": {"slug": None}},
        "GRAPHQL_VALIDATION_FAILED",
        400,
        200,
    ),
    "an operation not in the document": (
        {"query": "query A { principles { slug } }", "operationName": "B"},
        "GRAPHQL_VALIDATION_FAILED",
        400,
        200,
    ),
    "a limit": ({"query": TOO_DEEP}, "QUERY_TOO_DEEP", 400, 200),
    "a query over the length limit": (
        {"query": PRINCIPLES + " " * 10_001},
        "QUERY_TOO_LARGE",
        400,
        200,
    ),
    "an unknown hash": (
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "a" * 64}}},
        "PERSISTED_QUERY_NOT_FOUND",
        404,
        200,
    ),
}


@pytest.mark.parametrize("request_error", REQUEST_ERRORS.values(), ids=REQUEST_ERRORS.keys())
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_request_error_is_a_4xx_in_the_specifications_media_type_and_a_200_in_json(
    client, method, request_error
):
    parameters, code, status_in_graphql_response, status_in_json = request_error
    for accept, status in ((GRAPHQL_RESPONSE, status_in_graphql_response), (JSON, status_in_json)):
        response = ask(client, method, accept, **parameters)
        assert (response.status_code, media_type_of(response)) == (status, accept)
        assert code_of(response) == code
        assert "data" not in response.json()  # nothing ran
        assert "no-store" in response["Cache-Control"]


@override_settings(GRAPHQL_TRUSTED_DOCUMENTS_ONLY=True)
def test_a_document_not_trusted_here_is_a_403_in_the_specifications_media_type(client):
    for accept, status in ((GRAPHQL_RESPONSE, 403), (JSON, 200)):
        response = ask(client, "POST", accept, query=PRINCIPLES)
        assert response.status_code == status and code_of(response) == "UNTRUSTED_DOCUMENT"


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
def test_a_mutation_is_read_only_and_by_get_a_405(client, accept):
    by_post = ask(client, "POST", accept, query="mutation { x }")
    assert by_post.status_code == (400 if accept == GRAPHQL_RESPONSE else 200)
    by_get = ask(client, "GET", accept, query="mutation { x }")
    assert by_get.status_code == 405 and by_get["Allow"] == "GET, POST"
    for response in (by_post, by_get):
        assert code_of(response) == "READ_ONLY" and media_type_of(response) == accept


# Requests that are not GraphQL-over-HTTP requests, or are refused before one is read:
# the same status in both media types.
MALFORMED = {
    "a body that is not JSON": (lambda client, headers: post_body(client, "{", headers), 400),
    "a batch": (lambda client, headers: post_body(client, "[{}]", headers), 400),
    "operationName not a string": (
        lambda client, headers: ask(client, "POST", query=PRINCIPLES, operationName=1, **headers),
        400,
    ),
    "extensions not an object": (
        lambda client, headers: ask(client, "POST", query=PRINCIPLES, extensions=[1], **headers),
        400,
    ),
    "another method": (lambda client, headers: client.put("/graphql/", headers=headers), 405),
}


def post_body(client, body, headers):
    return client.post("/graphql/", body, content_type="application/json", headers=headers)


@pytest.mark.parametrize("malformed", MALFORMED.values(), ids=MALFORMED.keys())
@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
def test_a_malformed_request_has_the_same_4xx_in_either_media_type(client, accept, malformed):
    send, status = malformed
    response = send(client, {"accept": accept})
    assert response.status_code == status and media_type_of(response) == accept
    assert has_vary_header(response, "Accept")


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
def test_a_field_error_is_a_200_with_data_in_either_media_type(client, accept):
    response = ask(client, "POST", accept, query="{ pages(limit: 101) { title } }")
    assert response.status_code == 200 and code_of(response) == "BAD_USER_INPUT"
    assert "data" in response.json()


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
def test_a_database_lost_while_answering_is_a_503_in_either_media_type(client, accept):
    lost = ExecutionResult(errors=[GraphQLError("gone", original_error=OperationalError())])
    with mock.patch.object(CMSGraphQLView, "execute", return_value=lost):
        response = ask(client, "POST", accept, query=PRINCIPLES)
    assert response.status_code == 503 and code_of(response) == "SERVICE_UNAVAILABLE"
    assert media_type_of(response) == accept and "Retry-After" in response


def test_each_media_type_has_its_own_etag_and_a_304_only_for_its_own(client):
    json_answer = ask(client, "GET", JSON, query=PRINCIPLES)
    with CaptureQueriesContext(connection) as queries:
        spec_answer = ask(client, "GET", GRAPHQL_RESPONSE, query=PRINCIPLES)
    assert len(queries) == 0  # the response cache's entry, served in the other media type
    assert spec_answer.content == json_answer.content
    assert spec_answer["ETag"] != json_answer["ETag"]
    for answer in (json_answer, spec_answer):
        assert has_vary_header(answer, "Accept") and answer["Cache-Control"].startswith("public")

    for accept, answer, other in (
        (JSON, json_answer, spec_answer),
        (GRAPHQL_RESPONSE, spec_answer, json_answer),
    ):
        revalidated = client.get(
            "/graphql/",
            {"query": PRINCIPLES},
            headers={"Accept": accept, "If-None-Match": answer["ETag"]},
        )
        assert revalidated.status_code == 304 and has_vary_header(revalidated, "Accept")
        not_this_one = client.get(
            "/graphql/",
            {"query": PRINCIPLES},
            headers={"Accept": accept, "If-None-Match": other["ETag"]},
        )
        assert not_this_one.status_code == 200 and media_type_of(not_this_one) == accept


def test_a_request_recalled_from_memory_is_served_in_the_media_type_it_accepts(client):
    """`recall` knows a request by its bytes but its Accept: the answer it finds is served
    in the media type each request accepts."""
    body = json.dumps({"query": PRINCIPLES})
    admitted = []
    for accept in (JSON, GRAPHQL_RESPONSE, JSON, GRAPHQL_RESPONSE):
        with mock.patch.object(
            CMSGraphQLView, "admit", autospec=True, side_effect=CMSGraphQLView.admit
        ) as admit:
            response = post_body(client, body, {"Accept": accept})
        assert media_type_of(response) == accept
        admitted.append(admit.called)
    assert admitted == [True, False, False, False]
