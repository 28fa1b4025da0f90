"""A hostile or careless client gets a clear GraphQL error, never a 500, a leak or a hang."""

import json
from unittest import mock

import pytest
from django.test import override_settings
from graphql import parse

from api.graphql.media_types import GRAPHQL_RESPONSE
from core import memo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

INTERNALS = ("Traceback", "django", "psycopg", "sqlite", 'File "', "owner", "password")


def post(client, body, content_type="application/json", **headers):
    """POST as the specification's clients do, accepting its media type: a request error
    is a 4xx in it (in application/json, a 200: tests/test_graphql_over_http.py)."""
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    headers = {"Accept": GRAPHQL_RESPONSE, **headers}
    return client.post("/graphql/", data, content_type=content_type, headers=headers)


def codes(response):
    return [error["extensions"]["code"] for error in response.json()["errors"]]


def assert_no_internals(response):
    text = response.content.decode()
    for word in INTERNALS:
        assert word not in text, f"{word!r} leaked: {text[:300]}"


def test_depth_over_ten_is_refused(client):
    nested = "parent { " * 11 + "title" + " }" * 11
    response = post(client, {"query": f'{{ page(urlPath: "/news/") {{ {nested} }} }}'})
    assert response.status_code == 400
    assert codes(response) == ["QUERY_TOO_DEEP"]


def test_depth_counts_through_fragments(client):
    query = (
        "fragment Deep on PageInterface { "
        + "parent { " * 10
        + "title"
        + " }" * 10
        + ' } { page(urlPath: "/") { ...Deep } }'
    )
    assert codes(post(client, {"query": query})) == ["QUERY_TOO_DEEP"]


def test_many_aliases_are_refused(client):
    query = "{ " + " ".join(f"a{i}: principles {{ title }}" for i in range(31)) + " }"
    response = post(client, {"query": query})
    assert response.status_code == 400
    assert codes(response) == ["TOO_MANY_ALIASES"]


@override_settings(
    GRAPHQL_MAX_ALIASES=1000, GRAPHQL_MAX_QUERY_CHARS=100_000, GRAPHQL_MAX_QUERY_TOKENS=100_000
)
def test_costly_lists_are_refused_before_running(client):
    query = "{ " + " ".join(f"a{i}: pages(limit: 100) {{ title }}" for i in range(500)) + " }"
    response = post(client, {"query": query})
    assert response.status_code == 400
    assert codes(response) == ["QUERY_TOO_COSTLY"]


def test_nested_lists_multiply_the_cost(client):
    query = "{ pages(limit: 100) { children(limit: 100) { children(limit: 100) { title } } } }"
    assert codes(post(client, {"query": query})) == ["QUERY_TOO_COSTLY"]


def test_list_sizes_above_a_hundred_are_refused(client):
    for query in (
        "{ pages(limit: 101) { title } }",
        "{ newsItems(perPage: 500) { items { title } } }",
    ):
        response = post(client, {"query": query})
        assert codes(response) == ["BAD_USER_INPUT"], query
        assert "between 1 and 100" in response.json()["errors"][0]["message"]


def test_long_and_token_heavy_queries_are_refused(client):
    long_query = "{ principles { title } }" + " " * 10_001
    assert codes(post(client, {"query": long_query})) == ["QUERY_TOO_LARGE"]
    many_tokens = "{ " + "__typename " * 2_100 + "}"
    assert codes(post(client, {"query": many_tokens})) == ["QUERY_TOO_LARGE"]


def test_oversized_bodies_are_refused(client):
    body = json.dumps({"query": "{ principles { title } }", "variables": {"x": "y" * 200_000}})
    response = post(client, body)
    assert response.status_code == 413
    assert codes(response) == ["BODY_TOO_LARGE"]


def test_batches_and_form_posts_are_refused(client):
    batch = post(client, [{"query": "{ principles { title } }"}] * 2)
    assert batch.status_code == 400 and codes(batch) == ["BATCH_NOT_ALLOWED"]
    form = client.post("/graphql/", {"query": "{ principles { title } }"})
    assert form.status_code == 415 and codes(form) == ["UNSUPPORTED_MEDIA"]


def test_malformed_requests_get_a_400(client):
    for body in ("{not json", '"a string"', json.dumps({"query": 42}), json.dumps({})):
        response = post(client, body)
        assert response.status_code == 400, body
        assert_no_internals(response)
    bad_variables = post(client, {"query": "{ principles { title } }", "variables": [1]})
    assert bad_variables.status_code == 400


def test_mutations_and_other_methods_are_refused(client):
    assert post(client, {"query": "mutation { x }"}).status_code == 400
    assert client.put("/graphql/").status_code == 405


def test_undefined_and_cyclic_fragments_are_a_400(client):
    undefined = post(client, {"query": "{ principles { ...Nowhere } }"})
    cyclic = post(
        client,
        {
            "query": "fragment A on PrinciplePage { title ...B } "
            "fragment B on PrinciplePage { slug ...A } { principles { ...A } }"
        },
    )
    for response in (undefined, cyclic):
        assert response.status_code == 400
        assert codes(response)[0] == "GRAPHQL_VALIDATION_FAILED"


def test_a_misspelt_field_gets_a_suggestion_where_introspection_is_on(client):
    response = post(client, {"query": "{ principles { titel } }"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        "Cannot query field 'titel' on type 'PrinciplePage'. Did you mean 'title' or 'live'?"
    )


@override_settings(GRAPHQL_INTROSPECTION_ENABLED=False)
def test_no_did_you_mean_suggestions_where_introspection_is_off(client):
    """They would map the schema for a client that has no introspection (production)."""
    response = post(client, {"query": "{ principles { titel } }"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        "Cannot query field 'titel' on type 'PrinciplePage'."
    )


def test_order_is_an_allowlist_that_names_no_model_fields(client):
    response = post(client, {"query": '{ pages(order: "owner__password") { title } }'})
    assert codes(response) == ["BAD_USER_INPUT"]
    message = response.json()["errors"][0]["message"]
    assert "Allowed (prefix with - to reverse): title, slug" in message
    assert "Choices are" not in message and "draft_title" not in message
    ordered = post(client, {"query": '{ pages(order: "-title", limit: 3) { title } }'}).json()
    titles = [page["title"] for page in ordered["data"]["pages"]]
    assert titles == sorted(titles, reverse=True)


def test_bad_ids_are_a_clear_error(client):
    response = post(client, {"query": '{ page(id: "abc") { title } }'})
    assert codes(response) == ["BAD_USER_INPUT"]
    assert "whole number" in response.json()["errors"][0]["message"]
    assert "expected a number" not in response.content.decode()


def test_walking_up_past_the_root_is_null_not_an_error(client):
    query = "{ pages(limit: 3) { parent { parent { parent { title } } } } }"
    response = post(client, {"query": query}).json()
    assert "errors" not in response
    assert response["data"]["pages"][0]["parent"] is None


def test_disallowed_rendition_is_a_clear_error(client):
    query = "{ newsItems { items { heroImage { rendition(width: 333) { url } } } } }"
    response = post(client, {"query": query})
    assert set(codes(response)) == {"BAD_USER_INPUT"}
    assert (
        "rendition: width 333 is not allowed. Allowed: width 320, 480,"
        in (response.json()["errors"][0]["message"])
    )


def test_unexpected_errors_are_generic_and_logged_with_a_request_id(client, caplog, monkeypatch):
    from principles import schema

    def broken(request):
        raise RuntimeError("secret internals: /srv/app/settings.py")

    monkeypatch.setattr(schema, "visibility_for", broken)
    response = post(client, {"query": "{ principles { title } }"}, **{"X-Request-ID": "req-42"})
    error = response.json()["errors"][0]
    assert error["message"] == "Something went wrong while answering this field."
    assert error["extensions"] == {"code": "INTERNAL_ERROR", "requestId": "req-42"}
    assert "secret internals" not in response.content.decode()
    assert response["X-Request-ID"] == "req-42"
    assert "req-42" in caplog.text and "secret internals" in caplog.text


@override_settings(GRAPHQL_INTROSPECTION_ENABLED=False)
def test_introspection_can_be_switched_off(client):
    response = post(client, {"query": "{ __schema { types { name } } }"})
    assert response.status_code == 400
    assert "introspection is disabled" in response.json()["errors"][0]["message"]


def test_introspection_works_when_on(client):
    response = post(client, {"query": "{ __schema { queryType { name } } }"})
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def test_a_query_sent_again_is_not_parsed_again(client):
    query = "query ($slug: String!) { newsItem(slug: $slug) { title } }"
    post(client, {"query": query, "variables": {"slug": "one"}})
    with mock.patch("api.graphql.documents.parse", wraps=parse) as parsing:
        response = post(client, {"query": query, "variables": {"slug": "two"}})
    assert response.status_code == 200 and not parsing.called
    refused = post(client, {"query": query, "variables": {"slug": 2}, "operationName": "x"})
    assert refused.status_code == 400


def test_a_query_validated_before_a_limit_changes_is_checked_again(client, settings):
    query = "{ __schema { queryType { name } } }"
    assert post(client, {"query": query}).status_code == 200
    settings.GRAPHQL_INTROSPECTION_ENABLED = False
    memo.clear_all()  # settings change with a restart, which keeps nothing
    assert post(client, {"query": query}).status_code == 400


def test_get_queries_work(client):
    response = client.get("/graphql/", {"query": "{ principles { slug } }"})
    assert response.status_code == 200
    assert len(response.json()["data"]["principles"]) == 8


def test_a_year_no_calendar_has_is_a_clear_error(client):
    for year in (0, -1, 10_000):
        response = post(client, {"query": f"{{ newsItems(year: {year}) {{ items {{ title }} }} }}"})
        assert codes(response) == ["BAD_USER_INPUT"], year
        assert "year must be between 1 and 9999" in response.json()["errors"][0]["message"]


def test_a_body_length_that_is_no_number_is_refused_not_a_500(client):
    response = client.post(
        "/graphql/", "{}", content_type="application/json", CONTENT_LENGTH="twelve"
    )
    assert response.status_code == 400
    assert codes(response) == ["BAD_REQUEST"]
