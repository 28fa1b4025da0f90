"""What editors build in a body is refused when it would fail WCAG: a heading that skips a
level (the page's title is its h1), an image without alt text. The message is the one
the admin shows beside the block at fault (home/blocks.py)."""

import html
import json
import re

import pytest
from django.urls import reverse
from wagtail.blocks import StreamBlockValidationError
from wagtail.models import Page
from wagtail.test.utils.form_data import streamfield

from home.blocks import BodyBlock, NewsBodyBlock
from news.models import NewsIndexPage, NewsPage
from tests.support.factories import ImageFactory

# In the words of the level's menu, "Level 2" to "Level 4".
FIRST_HEADING_SKIPS = (
    "Choose level 2: this heading comes after the page's title, its level 1 heading, and"
    " headings may not skip a level (screen reader users find their way through a page by"
    " its headings)."
)
H4_AFTER_H2 = (
    "Choose level 2 or 3: this heading comes after a level 2 heading, and headings may not"
    " skip a level (screen reader users find their way through a page by its headings)."
)


def heading(level):
    return {"type": "heading", "value": {"text": f"A heading at {level}", "level": level}}


def clean(body, block=None):
    """Clean a body given as stored (JSON-like), as the admin does when an editor saves."""
    block = block or BodyBlock()
    return block.clean(block.to_python(body))


def errors_of(body):
    """The messages clean gives each block at fault, by the block's index and field."""
    with pytest.raises(StreamBlockValidationError) as refused:
        clean(body)
    return {
        index: {field: error.messages for field, error in error.block_errors.items()}
        for index, error in refused.value.block_errors.items()
    }


def test_headings_in_order_are_accepted_going_down_one_level_at_a_time_or_back_up():
    body = [heading("h2"), heading("h3"), heading("h4"), heading("h2"), heading("h3")]
    assert [child.value["level"] for child in clean(body)] == ["h2", "h3", "h4", "h2", "h3"]


def test_the_first_heading_must_be_an_h2_under_the_page_title():
    paragraph = {"type": "paragraph", "value": "<p>Words.</p>"}
    assert errors_of([paragraph, heading("h3")]) == {1: {"level": [FIRST_HEADING_SKIPS]}}


def test_a_heading_two_levels_below_the_one_before_is_refused_beside_its_level():
    body = [heading("h2"), heading("h4"), heading("h4"), heading("h2")]
    # The second h4 follows an h4: only the skip itself is at fault.
    assert errors_of(body) == {1: {"level": [H4_AFTER_H2]}}


def test_a_press_release_body_is_held_to_the_same_outline():
    with pytest.raises(StreamBlockValidationError):
        clean([heading("h4")], NewsBodyBlock())


@pytest.mark.django_db
def test_an_image_without_alt_text_is_refused_beside_the_image():
    image = ImageFactory(title="Tooley Street office", description="")
    body = [{"type": "image", "value": {"image": image.pk, "caption": ""}}]
    assert errors_of(body) == {
        0: {
            "image": [
                "'Tooley Street office' has no alt text, which screen readers read out in its"
                " place. Add it to the image (its 'Alt text' in Images), or choose another"
                " image."
            ]
        }
    }


@pytest.mark.django_db
def test_an_image_with_alt_text_is_accepted():
    image = ImageFactory(description="Social workers talking in a bright office")
    body = [{"type": "image", "value": {"image": image.pk, "caption": "Our office"}}]
    assert clean(body)[0].value["image"] == image


@pytest.mark.django_db
def test_every_fault_is_reported_at_once():
    image = ImageFactory(description="  ")
    body = [heading("h3"), {"type": "image", "value": {"image": image.pk, "caption": ""}}]
    assert set(errors_of(body)) == {0, 1}


@pytest.mark.django_db
def test_every_body_of_the_southwark_content_passes(southwark):
    bodies = {page.url_path: page.body for page in Page.objects.specific() if hasattr(page, "body")}
    assert len(bodies) > 8  # every page type has a body
    refused = {}
    for url_path, body in bodies.items():
        try:
            body.stream_block.clean(body)
        except StreamBlockValidationError as error:
            refused[url_path] = error.as_json_data()
    assert refused == {}


@pytest.mark.django_db
def test_the_editor_sees_the_message_beside_the_heading_level(
    admin_client, news_page_form, southwark
):
    news_index = NewsIndexPage.objects.get()
    form = news_page_form(
        title="Adoption week",
        slug="adoption-week",
        date="2030-01-15",
        summary="Families who adopted tell their stories.",
        body=streamfield([("heading", {"text": "What families say", "level": "h4"})]),
    )
    add_url = reverse("wagtailadmin_pages:add", args=["news", "newspage", news_index.pk])
    response = admin_client.post(add_url, form)

    assert response.status_code == 200  # the form again, not a redirect to the new page
    assert not NewsPage.objects.filter(slug="adoption-week").exists()
    # The body's widget is drawn from its blocks and their errors, by block and field.
    body_widget = re.search(
        r'data-w-block-arguments-value="([^"]*What families say[^"]*)"', response.content.decode()
    )
    _, errors = json.loads(html.unescape(body_widget[1]))
    assert errors == {
        "blockErrors": {"0": {"blockErrors": {"level": {"messages": [FIRST_HEADING_SKIPS]}}}}
    }


def table(rows):
    return {
        "type": "table",
        "value": {"caption": "", "first_row_is_header": True, "rows": rows},
    }


def test_a_table_needs_a_cell_and_every_row_as_many_cells():
    assert errors_of([table([["", ""]])]) == {0: {"rows": ["Give the table at least one cell."]}}
    assert errors_of([table([["Area", "Rating"], ["Adoption"]])]) == {
        0: {"rows": ["Give every row the same number of cells: they have 2, 1."]}
    }
    [child] = clean([table([["Area", "Rating"], ["Adoption", "Outstanding"]])])
    assert child.value["rows"][1][1] == "Outstanding"
