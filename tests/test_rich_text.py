"""Rich text is served without the editor's paragraph keys (core/rich_text.py), the same
over GraphQL, REST and the feeds."""

import pytest
from wagtail.rich_text import RichText

from core.rich_text import without_editor_attributes
from tests.support.factories import NewsIndexPageFactory, NewsPageFactory

pytestmark = pytest.mark.django_db

KEYED = '<p data-block-key="9pooa">One &amp; <b>two</b></p><h2 data-block-key="x1">Three</h2>'
CLEAN = "<p>One &amp; <b>two</b></p><h2>Three</h2>"


@pytest.fixture
def news():
    index = NewsIndexPageFactory(intro=KEYED)
    return NewsPageFactory(parent=index, slug="keyed", body=[("paragraph", RichText(KEYED))])


def test_only_the_key_attribute_goes():
    assert without_editor_attributes(KEYED) == CLEAN
    text = '<p class="lead" data-block-key="a1" id="b">data-block-key="kept as text"</p>'
    assert (
        without_editor_attributes(text)
        == '<p class="lead" id="b">data-block-key="kept as text"</p>'
    )


def test_graphql_serves_rich_text_fields_and_paragraphs_without_keys(graphql, news):
    data = graphql(
        '{ newsIndex: page(urlPath: "/news/") { ... on NewsIndexPage { intro } } '
        'page(slug: "keyed") { ... on NewsPage { body { ... on RichTextBlock { value html } } } } }'
    )["data"]
    assert data["newsIndex"]["intro"] == CLEAN
    assert data["page"]["body"] == [{"value": CLEAN, "html": CLEAN}]


def test_rest_serves_rich_text_fields_and_paragraphs_without_keys(client, news):
    page = client.get(f"/api/v2/pages/{news.pk}/").json()
    assert page["body"][0]["value"] == CLEAN
    index = client.get(f"/api/v2/pages/{news.get_parent().pk}/").json()
    assert index["intro"] == CLEAN


def test_feeds_serve_no_editor_keys(client, news):
    for url in ("/news/feed/", "/news/feed/atom/"):
        response = client.get(url)
        assert response.status_code == 200
        assert b"data-block-key" not in response.content
