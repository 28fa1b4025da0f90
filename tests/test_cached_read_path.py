"""A request sent again exactly as one the response cache answered is answered from this
process's memory without being admitted again (`recall`, api/graphql/response_cache.py):
the client sees the same answer, and nothing admit() refuses, nothing a publish changed
and nothing for a signed-in user comes from there."""

import hashlib
import json
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from api.graphql import persisted
from api.graphql.media_types import GRAPHQL_RESPONSE
from api.graphql.view import CMSGraphQLView
from core import memo
from home.models import HomePage
from tests.support.factories import NewsIndexPageFactory, publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_cache")]

PAGE_TITLE = "query PageTitle($path: String!) { page(urlPath: $path) { title } }"
VARIABLES = {"path": "/"}
BODY = json.dumps({"query": PAGE_TITLE, "variables": VARIABLES})


@pytest.fixture(autouse=True)
def forget_persisted_queries():
    """Each test's rows are rolled back after it: so must this process's copies be."""
    persisted._known.clear()


def post(client, body=BODY, path="/graphql/", content_type="application/json", **extra):
    return client.post(path, body, content_type=content_type, **extra)


def served(ask):
    """(response, SQL queries run, whether admit() ran) of one request."""
    with (
        CaptureQueriesContext(connection) as queries,
        mock.patch.object(
            CMSGraphQLView, "admit", autospec=True, side_effect=CMSGraphQLView.admit
        ) as admit,
    ):
        response = ask()
    return response, len(queries), admit.called


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def headers_but_the_request_id(response):
    return {name: value for name, value in response.items() if name != "X-Request-ID"}


def code_of(response):
    return response.json()["errors"][0]["extensions"]["code"]


def title_of(response):
    return response.json()["data"]["page"]["title"]


def test_a_request_sent_again_is_answered_from_memory_exactly_as_the_first_time(client):
    first = post(client)
    second, sql, admitted = served(lambda: post(client))
    third = post(client)

    assert sql == 0 and not admitted
    assert first.status_code == 200
    assert title_of(first) == HomePage.objects.get().title
    assert first["Cache-Control"] == (
        f"public, max-age=0, s-maxage={settings.GRAPHQL_CDN_MAX_AGE}, "
        f"stale-while-revalidate={settings.GRAPHQL_CDN_STALE_WHILE_REVALIDATE}"
    )
    keys = first["Surrogate-Key"].split()
    assert "all" in keys and first["xkey"] == " ".join(keys)
    assert first["Cache-Tag"] == ",".join(keys)
    assert first["ETag"].startswith('"')
    for again in (second, third):
        assert again.status_code == first.status_code
        assert again.content == first.content
        assert headers_but_the_request_id(again) == headers_but_the_request_id(first)
    # Each answer still says which request it answers.
    assert len({first["X-Request-ID"], second["X-Request-ID"], third["X-Request-ID"]}) == 3


def test_a_get_sent_again_is_answered_from_memory_and_its_etag_still_gets_a_304(client):
    params = {"query": PAGE_TITLE, "variables": json.dumps(VARIABLES)}
    first = client.get("/graphql/", params)
    again, sql, admitted = served(
        lambda: client.get("/graphql/", params, HTTP_IF_NONE_MATCH=first["ETag"])
    )
    assert first.status_code == 200
    assert again.status_code == 304 and again.content == b""
    assert sql == 0 and not admitted


REFUSED = {
    "a form post": (
        lambda client: post(client, content_type="application/x-www-form-urlencoded"),
        415,
        "UNSUPPORTED_MEDIA",
    ),
    "a body of another type": (
        lambda client: post(client, content_type="text/plain"),
        415,
        "UNSUPPORTED_MEDIA",
    ),
    "a body longer than the limit": (
        lambda client: post(client, CONTENT_LENGTH=str(settings.GRAPHQL_MAX_BODY_BYTES + 1)),
        413,
        "BODY_TOO_LARGE",
    ),
    "another method": (
        lambda client: client.put("/graphql/", BODY, content_type="application/json"),
        405,
        "METHOD_NOT_ALLOWED",
    ),
    "the body sent with a GET": (
        lambda client: client.generic("GET", "/graphql/", BODY, "application/json"),
        400,
        "BAD_REQUEST",
    ),
    "a batch": (lambda client: post(client, f"[{BODY}]"), 400, "BATCH_NOT_ALLOWED"),
}


@pytest.mark.parametrize("refused", REFUSED.values(), ids=REFUSED.keys())
def test_what_admit_refuses_is_refused_though_the_same_body_was_answered_from_memory(
    client, refused
):
    ask, status, code = refused
    assert [post(client).status_code for _ in range(2)] == [200, 200]
    response = ask(client)
    assert response.status_code == status
    assert code_of(response) == code


def test_a_query_string_beside_the_same_body_is_answered_for_what_it_asks(client):
    """graphene-django reads the query string's parameters before the body's."""
    NewsIndexPageFactory(title="News", slug="news")
    assert [title_of(post(client)) for _ in range(2)] == [HomePage.objects.get().title] * 2
    variables = json.dumps({"path": "/news/"})
    assert title_of(post(client, path=f"/graphql/?variables={variables}")) == "News"


def test_a_query_string_is_read_in_the_charset_the_request_names(client):
    """Django decodes the query string in the content type's charset: the same bytes ask
    for another page in another charset."""
    NewsIndexPageFactory(title="Café", slug="café")
    path = "/graphql/?" + urlencode(
        {"variables": json.dumps({"path": "/café/"}, ensure_ascii=False)}
    )
    utf8 = "application/json; charset=utf-8"
    assert [title_of(post(client, path=path, content_type=utf8)) for _ in range(2)] == ["Café"] * 2
    latin1 = post(client, path=path, content_type="application/json; charset=iso-8859-1")
    assert latin1.json()["data"]["page"] is None


def test_the_same_request_to_another_site_is_answered_for_that_site(client):
    news = NewsIndexPageFactory(title="News", slug="news")
    Site.objects.create(hostname="news.example", port=80, root_page=news)
    body = json.dumps({"query": "{ pages { title } }"})
    default_site = [post(client, body).json()["data"]["pages"] for _ in range(2)]
    assert default_site[0] == default_site[1] != [{"title": "News"}]
    news_site = post(client, body, HTTP_HOST="news.example")
    assert news_site.json()["data"]["pages"] == [{"title": "News"}]


def test_where_only_trusted_documents_run_a_query_answered_before_is_refused(client):
    assert [post(client).status_code for _ in range(2)] == [200, 200]
    with override_settings(GRAPHQL_TRUSTED_DOCUMENTS_ONLY=True):
        memo.clear_all()  # settings change with a restart, which keeps nothing
        refused = post(client, HTTP_ACCEPT=GRAPHQL_RESPONSE)
    assert refused.status_code == 403
    assert code_of(refused) == "UNTRUSTED_DOCUMENT"


def test_a_query_sent_by_its_hash_is_refused_until_known_then_answered_from_memory(client):
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(PAGE_TITLE)}}
    params = {"extensions": json.dumps(extensions), "variables": json.dumps(VARIABLES)}
    unknown = client.get("/graphql/", params)
    assert code_of(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    assert code_of(client.get("/graphql/", params)) == "PERSISTED_QUERY_NOT_FOUND"

    registering = {"query": PAGE_TITLE, "variables": VARIABLES, "extensions": extensions}
    assert post(client, json.dumps(registering)).status_code == 200
    first = client.get("/graphql/", params)
    again, sql, admitted = served(lambda: client.get("/graphql/", params))
    assert title_of(first) == HomePage.objects.get().title
    assert again.content == first.content and sql == 0 and not admitted


def test_a_publish_is_seen_by_the_next_request_sent_again(client, committed):
    assert [post(client).status_code for _ in range(2)] == [200, 200]
    home = HomePage.objects.get()
    home.title = "Retitled"
    committed(lambda: publish(home))
    assert title_of(post(client)) == "Retitled"


def test_a_signed_in_user_is_never_answered_from_memory(client, django_user_model):
    assert [post(client).status_code for _ in range(2)] == [200, 200]
    client.force_login(django_user_model.objects.create_user("editor", password="x"))
    response, sql, admitted = served(lambda: post(client))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert admitted and sql > 0


def test_a_request_with_credentials_is_never_answered_from_memory(client):
    assert [post(client).status_code for _ in range(2)] == [200, 200]
    response, _, admitted = served(lambda: post(client, HTTP_AUTHORIZATION="Bearer a-token"))
    assert response["Cache-Control"] == "private, no-store"
    assert admitted
