"""What every reader of the site gets from the shared request path: a request id on
every response, caching headers and 304s on every public read, one visibility rule
(the sitemap's included), URLs as Wagtail makes them, and errors that say whose fault
they are."""

import json
import logging

import pytest
from defusedxml import ElementTree
from django.test import override_settings
from wagtail.models import Page, get_page_models

from core.request_context import RequestIdLogFilter
from core.visibility import visibility_for
from tests.support.factories import NewsPageFactory, StandardPageFactory, publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

PUBLIC_READS = (
    "/graphql/?query={principles{title}}",
    "/api/v2/pages/",
    "/api/v2/images/",
    "/news/feed/",
    "/news/feed/atom/",
    "/sitemap.xml",
)


@pytest.mark.parametrize(
    "path", [*PUBLIC_READS, "/", "/admin/login/", "/healthz", "/no-such-page/"]
)
def test_every_response_says_which_request_it_answers(client, path):
    given = client.get(path, headers={"X-Request-ID": "front-end-7f3a"})
    assert given["X-Request-ID"] == "front-end-7f3a"
    made_up = client.get(path, headers={"X-Request-ID": "<script>"})
    assert len(made_up["X-Request-ID"]) == 32 and made_up["X-Request-ID"].isalnum()


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_public_reads_carry_an_etag_and_answer_304_when_it_matches(client, path):
    first = client.get(path)
    assert first.status_code == 200
    assert first["Cache-Control"].startswith("public, max-age=0, s-maxage=")
    again = client.get(path, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_log_lines_written_while_answering_carry_the_request_id(client, caplog, monkeypatch):
    from principles import schema

    def broken(request):
        raise RuntimeError("a bug")

    monkeypatch.setattr(schema, "visibility_for", broken)
    caplog.handler.addFilter(RequestIdLogFilter())
    with caplog.at_level(logging.ERROR, logger="cms.graphql"):
        client.get("/graphql/?query={principles{title}}", headers={"X-Request-ID": "req-77"})
    assert [record.request_id for record in caplog.records] == ["req-77"]


def test_every_blocks_raw_value_is_text_and_no_server_fault_blames_the_client(graphql):
    """rawValue of a StructBlock (heading, quote) used to fail as BAD_USER_INPUT."""
    types = ("HomePage", "StandardPage", "VisionPage", "PrinciplePage", "BenefitsPage", "NewsPage")
    fragments = " ".join(f"... on {name} {{ body {{ blockType rawValue }} }}" for name in types)
    data = graphql(f"{{ pages(limit: 100) {{ {fragments} }} }}")
    assert "errors" not in data, data.get("errors")
    blocks = [block for page in data["data"]["pages"] for block in page.get("body", [])]
    raw = {"HeadingBlock": [], "QuoteBlock": []}
    for block in blocks:
        if block["blockType"] in raw:
            raw[block["blockType"]].append(json.loads(block["rawValue"]))
    assert raw["HeadingBlock"] and all({"text", "level"} <= set(h) for h in raw["HeadingBlock"])
    assert raw["QuoteBlock"] and all("quote" in quote for quote in raw["QuoteBlock"])


@override_settings(GRAPHQL_INTROSPECTION_ENABLED=False)
def test_without_introspection_standard_clients_still_get_typename(graphql):
    data = graphql("{ pages(limit: 2) { __typename title } }")
    assert "errors" not in data
    assert all(page["__typename"] for page in data["data"]["pages"])
    refused = graphql('{ __type(name: "NewsPage") { name } }')
    assert refused["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_the_sitemap_leaves_out_what_lies_below_an_unpublished_page(client):
    section = StandardPageFactory(title="Withdrawn section")
    below = StandardPageFactory(title="Still live below it", parent=section)
    publish(below)
    section.unpublish()
    locations = ElementTree.fromstring(client.get("/sitemap.xml").content).itertext()
    assert not any("still-live-below-it" in location for location in locations)


def test_urls_in_the_api_are_the_ones_wagtail_makes_for_every_page_type(rf):
    """The API's URLs skip Wagtail's per-page site lookups (core/visibility.py): here they
    are held equal to Page.get_url for a page of every type."""
    publish(NewsPageFactory(title="A release with a ‘curly’ title & more"))
    request = rf.get("/", HTTP_HOST="localhost")
    rules = visibility_for(request)
    pages = [page.specific for page in Page.objects.filter(depth__gt=1)]
    for page in pages:
        assert rules.url_of(page) == page.get_url(request=request), page.url_path
    page_types = {type(page) for page in pages}
    assert page_types == set(get_page_models()) - {Page}
