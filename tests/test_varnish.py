"""A real Varnish (deploy/varnish/cms.vcl) in front of the CMS: it keeps anonymous GET
answers, each media type apart, and a publish purges exactly the ones holding what
changed."""

import os
import shutil
from urllib.parse import urlsplit

import pytest
import requests

from api.graphql.media_types import GRAPHQL_RESPONSE, JSON
from tests.support.factories import (
    NewsIndexPageFactory,
    NewsPageFactory,
    PrinciplePageFactory,
    PrinciplesIndexPageFactory,
    publish,
)
from tests.support.varnish import varnish_in_front_of

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

if not shutil.which("varnishd"):
    if os.environ.get("CI"):
        pytest.fail("varnishd is missing: `make test` installs varnish and varnish-modules.")
    pytest.skip(
        "varnishd is not installed (apt-get install varnish varnish-modules).",
        allow_module_level=True,
    )

PRINCIPLES = "{ principles { slug } }"
URQL = (
    "application/graphql-response+json, application/graphql+json, application/json, "
    "text/event-stream, multipart/mixed"
)
NEWS = "{ newsItems { items { slug } } }"


@pytest.fixture
def through_varnish(live_server, settings):
    backend = urlsplit(live_server.url)
    with varnish_in_front_of(backend.hostname, backend.port) as origin:
        settings.CDN_PURGE_BACKEND = "varnish"
        settings.VARNISH_PURGE_URLS = [origin + "/"]

        def get(query, **headers):
            response = requests.get(
                f"{origin}/graphql/", params={"query": query}, headers=headers, timeout=10
            )
            assert response.status_code == 200, response.text
            return response

        yield get


def slugs(response, field):
    data = response.json()["data"][field]
    return [item["slug"] for item in (data["items"] if field == "newsItems" else data)]


def test_a_publish_purges_the_news_and_leaves_the_principles_a_hit(through_varnish):
    publish(PrinciplePageFactory(slug="fair", parent=publish(PrinciplesIndexPageFactory())))
    publish(NewsPageFactory(slug="first", parent=publish(NewsIndexPageFactory())))

    assert through_varnish(PRINCIPLES).headers["X-Cache"] == "MISS"
    assert through_varnish(NEWS).headers["X-Cache"] == "MISS"
    principles = through_varnish(PRINCIPLES)
    assert principles.headers["X-Cache"] == "HIT" and slugs(principles, "principles") == ["fair"]
    assert through_varnish(NEWS).headers["X-Cache"] == "HIT"
    assert "xkey" not in principles.headers  # the keys are for the cache, not browsers

    publish(NewsPageFactory(slug="second"))

    news = through_varnish(NEWS)
    assert news.headers["X-Cache"] == "MISS" and slugs(news, "newsItems") == ["second", "first"]
    assert through_varnish(PRINCIPLES).headers["X-Cache"] == "HIT"


def test_a_purge_request_must_name_its_keys(through_varnish, settings):
    origin = settings.VARNISH_PURGE_URLS[0]
    refused = requests.request("PURGE", origin, timeout=10)
    assert refused.status_code == 400 and "xkey-purge" in refused.text


def test_an_answer_with_errors_is_not_kept(through_varnish):
    too_many = "{ newsItems(perPage: 1000) { items { slug } } }"
    for _ in range(2):
        response = through_varnish(too_many)
        assert response.json()["errors"] and response.headers["X-Cache"] == "MISS"


def test_each_media_type_is_kept_apart_and_every_spelling_of_a_plain_choice_shares_it(
    through_varnish,
):
    """What a client gets is the media type its Accept prefers, never the other's kept
    answer; the plain choices (none, */*, either type listed first) share two kept
    answers, whoever spells them; any other Accept is kept as sent."""
    asked = [
        (None, JSON, "MISS"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE, "MISS"),  # the other media type: not JSON's
        (JSON, JSON, "HIT"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE, "HIT"),
        ("*/*", JSON, "HIT"),
        ("application/json; charset=utf-8, text/plain", JSON, "HIT"),
        ("application/graphql-response+json,application/json;q=0.9", GRAPHQL_RESPONSE, "HIT"),
        (URQL, GRAPHQL_RESPONSE, "HIT"),
        ("application/json;q=0.5, application/graphql-response+json", GRAPHQL_RESPONSE, "MISS"),
        ("application/json;q=0.5, application/graphql-response+json", GRAPHQL_RESPONSE, "HIT"),
        ("application/graphql-response+json;q=0.5, application/json", JSON, "MISS"),
    ]
    etags = {}
    for accept, media_type, cache in asked:
        response = through_varnish(PRINCIPLES, Accept=accept)  # None: no Accept sent
        assert (response.headers["Content-Type"], response.headers["X-Cache"]) == (
            f"{media_type}; charset=utf-8",
            cache,
        ), accept
        assert "Accept" in response.headers["Vary"]
        etags.setdefault(media_type, set()).add(response.headers["ETag"])
    assert len(etags[JSON]) == len(etags[GRAPHQL_RESPONSE]) == 1
    assert etags[JSON] != etags[GRAPHQL_RESPONSE]
