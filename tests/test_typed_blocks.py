"""Each body block has typed fields for front ends' code generators (home/blocks.py,
and the paragraph's in api/graphql/schema.py), beside the fields it had, which answer
as before: the same type names, the same `blockType`s."""

import pytest
from wagtail.rich_text import RichText

from home.blocks import HEADING_LEVELS, HeadingLevel
from tests.support.factories import (
    CollectionFactory,
    ImageFactory,
    PrinciplePageFactory,
    PrinciplesIndexPageFactory,
)

pytestmark = pytest.mark.django_db

BODY = """
query ($slug: String!) {
  page(slug: $slug) {
    ... on PrinciplePage {
      body {
        blockType
        ... on RichTextBlock { value html text }
        ... on HeadingBlock { text level headingLevel }
        ... on QuoteBlock { quote attribution role }
        ... on BulletListBlock { items ordered }
        ... on ImageBlock { image { id } caption alt }
        ... on CallToActionBlock { text label url page { title } }
      }
    }
  }
}
"""


@pytest.fixture
def principle():
    """A principle whose body holds every block kind; one image in a private collection."""
    public = ImageFactory(description="Children playing")
    private = ImageFactory(collection=CollectionFactory(password="secret"))
    PrinciplesIndexPageFactory()
    target = PrinciplePageFactory(title="Fair")
    return PrinciplePageFactory(
        slug="every-block",
        body=[
            ("paragraph", RichText("<p>One &amp; <b>two</b>.</p><p>Three</p>")),
            ("heading", {"text": "Our practice", "level": "h3"}),
            ("quote", {"quote": "They listened.", "attribution": "A parent", "role": ""}),
            ("list", {"items": ["First", "Second"], "ordered": False}),
            ("image", {"image": public, "caption": "At play"}),
            ("image", {"image": private, "caption": "Hidden"}),
            ("call_to_action", {"text": "Read about fairness", "page": target, "url": ""}),
            ("call_to_action", {"text": "Elsewhere", "page": None, "url": "https://example.org/"}),
        ],
    )


def body_of(graphql, slug):
    response = graphql(BODY, {"slug": slug})
    assert "errors" not in response, response["errors"]
    return response["data"]["page"]["body"]


def test_every_block_kind_answers_its_typed_fields(graphql, principle):
    body = body_of(graphql, principle.slug)
    public_image = body[4]["image"]
    assert body == [
        {
            "blockType": "RichTextBlock",
            "value": "<p>One &amp; <b>two</b>.</p><p>Three</p>",
            "html": "<p>One &amp; <b>two</b>.</p><p>Three</p>",
            "text": "One & two. Three",
        },
        {"blockType": "HeadingBlock", "text": "Our practice", "level": "h3", "headingLevel": "H3"},
        {
            "blockType": "QuoteBlock",
            "quote": "They listened.",
            "attribution": "A parent",
            "role": "",
        },
        {"blockType": "BulletListBlock", "items": ["First", "Second"], "ordered": False},
        {
            "blockType": "ImageBlock",
            "image": public_image,
            "caption": "At play",
            "alt": "Children playing",
        },
        {"blockType": "ImageBlock", "image": None, "caption": "Hidden", "alt": None},
        {
            "blockType": "CallToActionBlock",
            "text": "Read about fairness",
            "label": "Read about fairness",
            "url": "",
            "page": {"title": "Fair"},
        },
        {
            "blockType": "CallToActionBlock",
            "text": "Elsewhere",
            "label": "Elsewhere",
            "url": "https://example.org/",
            "page": None,
        },
    ]
    assert public_image is not None


def test_an_answer_with_alt_text_depends_on_its_image(client, principle):
    """Surrogate keys: a new description for the image retires the cached answer."""
    image = principle.body[4].value["image"]
    query = (
        '{ page(slug: "every-block") { ... on PrinciplePage { body { ... on ImageBlock '
        "{ alt } } } } }"
    )
    response = client.get("/graphql/", {"query": query})
    assert f"wagtailimages.image:{image.pk}" in response["Surrogate-Key"].split()


def test_the_heading_level_enum_has_the_levels_editors_choose_from():
    assert [level.value for level in HeadingLevel] == [value for value, _label in HEADING_LEVELS]
