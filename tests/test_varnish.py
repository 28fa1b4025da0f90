"""A real Varnish (deploy/varnish/cms.vcl) in front of the CMS: it keeps anonymous GET
answers, and a publish purges exactly the ones holding what changed."""

import os
import shutil
from urllib.parse import urlsplit

import pytest
import requests

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
NEWS = "{ newsItems { items { slug } } }"


@pytest.fixture
def through_varnish(live_server, settings):
    backend = urlsplit(live_server.url)
    with varnish_in_front_of(backend.hostname, backend.port) as origin:
        settings.CDN_PURGE_BACKEND = "varnish"
        settings.VARNISH_PURGE_URLS = [origin + "/"]

        def get(query):
            response = requests.get(f"{origin}/graphql/", params={"query": query}, timeout=10)
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
