"""Queries sent by hash: Apollo's automatic persisted queries over GET (a URL a CDN can
cache), and trusted documents, the only ones that run where the council says so."""

import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import override_settings

from api.graphql import persisted
from api.graphql.media_types import GRAPHQL_RESPONSE
from api.models import PersistedQuery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

PRINCIPLES = "query Principles { principles { slug title } }"


@pytest.fixture(autouse=True)
def forget_what_this_process_holds():
    """Each test's rows are rolled back after it: so must this process's copies be."""
    persisted._known.clear()


def sha(query):
    return hashlib.sha256(query.encode()).hexdigest()


def by_hash(client, query_hash, **headers):
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": query_hash}}
    return client.get("/graphql/", {"extensions": json.dumps(extensions)}, headers=headers)


def with_query(client, query, query_hash, **headers):
    body = {
        "query": query,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": query_hash}},
    }
    return client.post("/graphql/", body, content_type="application/json", headers=headers)


def error_of(response):
    return response.json()["errors"][0]


def forget_everything_but_the_database():
    cache.clear()
    persisted._known.clear()


def test_a_query_registered_once_is_then_read_by_its_hash_over_a_cacheable_get(client):
    unknown = by_hash(client, sha(PRINCIPLES))
    assert unknown.status_code == 200
    assert error_of(unknown)["message"] == "PersistedQueryNotFound"
    assert error_of(unknown)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert "no-store" in unknown["Cache-Control"]
    # In the specification's media type, an answer without data is never a 2xx.
    assert by_hash(client, sha(PRINCIPLES), Accept=GRAPHQL_RESPONSE).status_code == 404

    registered = with_query(client, PRINCIPLES, sha(PRINCIPLES))
    assert len(registered.json()["data"]["principles"]) == 8

    read = by_hash(client, sha(PRINCIPLES))
    assert read.status_code == 200 and read.json() == registered.json()
    assert read["Cache-Control"].startswith("public, max-age=0, s-maxage=")
    assert by_hash(client, sha(PRINCIPLES), **{"If-None-Match": read["ETag"]}).status_code == 304


def test_a_registered_query_outlives_a_cache_flush(client):
    with_query(client, PRINCIPLES, sha(PRINCIPLES))
    forget_everything_but_the_database()
    response = by_hash(client, sha(PRINCIPLES)).json()
    assert len(response["data"]["principles"]) == 8, response


def test_a_hash_that_is_not_the_querys_is_refused(client):
    response = with_query(client, PRINCIPLES, sha("{ principles { title } }"))
    assert response.status_code == 400
    assert error_of(response)["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert not PersistedQuery.objects.exists()


def test_only_queries_that_validate_are_kept(client):
    invalid = "{ principles { noSuchField } }"
    assert with_query(client, invalid, sha(invalid), Accept=GRAPHQL_RESPONSE).status_code == 400
    assert error_of(by_hash(client, sha(invalid)))["extensions"]["code"] == (
        "PERSISTED_QUERY_NOT_FOUND"
    )


@pytest.mark.parametrize(
    "extensions",
    [
        {"persistedQuery": {"version": 1, "sha256Hash": "not-a-hash"}},
        {"persistedQuery": {"version": 2, "sha256Hash": "a" * 64}},
        {"persistedQuery": "a" * 64},
        "{not json",
    ],
)
def test_malformed_persisted_query_extensions_are_a_400(client, extensions):
    value = extensions if isinstance(extensions, str) else json.dumps(extensions)
    response = client.get("/graphql/", {"extensions": value})
    assert response.status_code == 400
    assert error_of(response)["extensions"]["code"] == "BAD_REQUEST"


@override_settings(GRAPHQL_TRUSTED_DOCUMENTS_ONLY=True)
def test_where_only_trusted_documents_run_docs_queries_do_and_nothing_else(client):
    call_command("register_documents", stdout=io.StringIO())
    documented = Path("docs/queries/principles.graphql").read_text(encoding="utf-8")

    by_text = client.post("/graphql/", {"query": documented}, content_type="application/json")
    assert "errors" not in by_text.json() and by_text.json()["data"]["principles"]
    forget_everything_but_the_database()
    assert by_hash(client, sha(documented)).json() == by_text.json()

    accept = {"Accept": GRAPHQL_RESPONSE}
    for refused in (
        client.post(
            "/graphql/", {"query": PRINCIPLES}, content_type="application/json", headers=accept
        ),
        with_query(client, PRINCIPLES, sha(PRINCIPLES), **accept),
    ):
        assert refused.status_code == 403
        assert error_of(refused)["extensions"]["code"] == "UNTRUSTED_DOCUMENT"
    assert not PersistedQuery.objects.filter(sha256=sha(PRINCIPLES)).exists()


@override_settings(GRAPHQL_TRUSTED_DOCUMENTS_ONLY=True)
def test_a_front_ends_manifest_is_trusted_and_a_wrong_hash_in_it_refused(client, tmp_path):
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({sha(PRINCIPLES): PRINCIPLES}))
    call_command("register_documents", str(manifest), stdout=io.StringIO())
    assert len(by_hash(client, sha(PRINCIPLES)).json()["data"]["principles"]) == 8

    other = "{ testimonials { quote } }"
    manifest.write_text(json.dumps({sha(PRINCIPLES): PRINCIPLES, "0" * 64: other}))
    with pytest.raises(CommandError, match="not the SHA-256 of its document"):
        call_command("register_documents", str(manifest), stdout=io.StringIO())
    assert not PersistedQuery.objects.filter(query=other).exists()
