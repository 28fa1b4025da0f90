"""StreamField blocks shared by every content area, each with its GraphQL fields.

What an editor builds is checked as it is saved (each block's `clean`), with the message
shown beside the block at fault: a heading may not skip a level (the page's title is its
h1), and an image must have alt text (WCAG 2.2 AA; core/accessibility.py).

Each block's fields are typed for front ends' code generators; a field added for that
sits beside the one it types (`headingLevel` beside the `level` string), which stays.
The paragraph is Wagtail's own RichTextBlock: its typed fields (`html`, `text`) are added
to grapple's type in api/graphql/schema.py, keeping its type name and `blockType`.
"""

import graphene
from django.core.exceptions import ValidationError
from grapple.helpers import register_streamfield_block
from grapple.models import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLImage,
    GraphQLPage,
    GraphQLString,
)
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from api.graphql import help_text_of
from core import surrogate_keys
from core.visibility import visibility_for

HEADING_LEVELS = [("h2", "Level 2"), ("h3", "Level 3"), ("h4", "Level 4")]


class HeadingLevel(graphene.Enum):
    """A heading's place in the page's outline: H2 for a section, H3 or H4 for a part."""

    # HEADING_LEVELS' values (a test keeps them the same).
    H2 = "h2"
    H3 = "h3"
    H4 = "h4"

    @property
    def description(self):
        return f"An <{self.value}> heading."


@register_streamfield_block
class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=255, help_text="The heading's words.")
    level = blocks.ChoiceBlock(
        choices=HEADING_LEVELS,
        default="h2",
        help_text="Level 2 for a section, level 3 or 4 for a part of one.",
    )

    graphql_fields = [
        GraphQLString("text", required=True, description=help_text_of(text)),
        GraphQLString(
            "level", required=True, description="`h2`, `h3` or `h4`; `headingLevel` as an enum."
        ),
        GraphQLField(
            "heading_level",
            HeadingLevel,
            required=True,
            description="The heading's level, as an enum.",
        ),
    ]

    def heading_level(self, info, values, **kwargs):
        return values["level"]

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        graphql_description = "A heading within a body."


@register_streamfield_block
class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(help_text="The words quoted, without quotation marks.")
    attribution = blocks.CharBlock(
        max_length=255, required=False, help_text="Who said it, e.g. 'Cllr Victoria Mills'."
    )
    role = blocks.CharBlock(
        max_length=255,
        required=False,
        help_text="Their role, e.g. 'Cabinet Member for Children and Schools'.",
    )

    graphql_fields = [
        GraphQLString("quote", required=True, description=help_text_of(quote)),
        GraphQLString("attribution", description="Who said it, if given."),
        GraphQLString("role", description="Their role, if given."),
    ]

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        graphql_description = "Words someone said, with who said them."


@register_streamfield_block
class BulletListBlock(blocks.StructBlock):
    # Each point is a box of its own, headed "Point 1", "Point 2"... (numbered in the
    # editor by home/wagtail_hooks.py's script, which finds the list by its classname).
    items = blocks.ListBlock(
        blocks.CharBlock(max_length=500, label="Point"),
        label="Points",
        help_text="One point a box: + adds a box for another.",
        form_classname="numbered-points",
    )
    ordered = blocks.BooleanBlock(
        required=False, label="Numbered", help_text="Number the points instead of using bullets."
    )

    graphql_fields = [
        # A plain list field: grapple's GraphQLCollection drops a list's description.
        GraphQLField(
            "items",
            graphene.List(graphene.NonNull(graphene.String)),
            required=True,
            description="The points, in order, as plain text.",
        ),
        GraphQLBoolean(
            "ordered", required=True, description="True for a numbered list, false for bullets."
        ),
    ]

    class Meta:
        icon = "list-ul"
        label = "List"
        template = "blocks/bullet_list_block.html"
        graphql_description = "A list of points (the editor's 'List' block)."


@register_streamfield_block
class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(
        help_text="One with alt text, which screen readers read out in the image's place."
    )
    caption = blocks.CharBlock(max_length=255, required=False)

    graphql_fields = [
        GraphQLImage("image", description="The image; null if it is no longer public."),
        GraphQLString("caption", description="A line shown under the image, if given."),
        GraphQLString("alt", description="The image's alt text; null when `image` is null."),
    ]

    def clean(self, value):
        value = super().clean(value)
        image = value.get("image")
        # The admin's image form requires alt text; images from before it, or from
        # elsewhere, may still have none.
        if image is not None and not image.description.strip():
            raise blocks.StructBlockValidationError(
                block_errors={
                    "image": ValidationError(
                        f"'{image.title}' has no alt text, which screen readers read out"
                        " in its place. Add it to the image (its 'Alt text' in Images),"
                        " or choose another image."
                    )
                }
            )
        return value

    def alt(self, info, values, **kwargs):
        # The image's own field is null when it is not public, and so is its alt text.
        # A scalar field is not guarded (api/graphql/guard.py), so the answer is marked
        # here as depending on the image: a new description retires it from the caches.
        image = values["image"]
        if image is None or not visibility_for(info.context).is_visible(image):
            return None
        surrogate_keys.record(info.context, surrogate_keys.key_for(image))
        return image.description

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"
        graphql_description = "An image within a body, with a caption."


@register_streamfield_block
class TableBlock(blocks.StructBlock):
    # Cells are plain text, a row a box of its own (as the list block's points are), so
    # that front ends get a grid they can lay out as they choose, with its header cells
    # named: screen readers announce a data cell with the header cells above and beside it.
    caption = blocks.CharBlock(
        max_length=255,
        required=False,
        help_text="What the table shows, e.g. 'Placements by year'; read out before it.",
    )
    first_row_is_header = blocks.BooleanBlock(
        required=False,
        default=True,
        label="First row is a header",
        help_text="The first row names the columns.",
    )
    first_column_is_header = blocks.BooleanBlock(
        required=False,
        label="First column is a header",
        help_text="The first cell of each row names the row.",
    )
    rows = blocks.ListBlock(
        blocks.ListBlock(
            blocks.CharBlock(max_length=1000, required=False, label="Cell"), label="Row"
        ),
        label="Rows",
        help_text="One row a box, its cells from left to right; every row has as many cells.",
    )

    graphql_fields = [
        GraphQLString("caption", required=True, description=help_text_of(caption, ", or ''")),
        GraphQLBoolean(
            "first_row_is_header",
            required=True,
            description="True when the first of `rows` holds the column headers (<th>).",
        ),
        GraphQLBoolean(
            "first_column_is_header",
            required=True,
            description="True when each row's first cell is its row header (<th>).",
        ),
        GraphQLField(
            "rows",
            graphene.List(graphene.NonNull(graphene.List(graphene.NonNull(graphene.String)))),
            required=True,
            description="The rows, from the top, each its cells from left to right, as plain text.",
        ),
    ]

    def clean(self, value):
        value = super().clean(value)
        widths = [len(row) for row in value["rows"]]
        if not any(cell.strip() for row in value["rows"] for cell in row):
            raise blocks.StructBlockValidationError(
                block_errors={"rows": ValidationError("Give the table at least one cell.")}
            )
        # A ragged table has cells with no header above them.
        if len(set(widths)) > 1:
            raise blocks.StructBlockValidationError(
                block_errors={
                    "rows": ValidationError(
                        "Give every row the same number of cells: they have "
                        + ", ".join(str(width) for width in widths)
                        + "."
                    )
                }
            )
        return value

    class Meta:
        icon = "table"
        template = "blocks/table_block.html"
        graphql_description = "A table of plain-text cells, with its header cells marked."


@register_streamfield_block
class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120, help_text="The button's words, e.g. 'See our jobs'.")
    page = blocks.PageChooserBlock(required=False, help_text="A page on this site, or…")
    url = blocks.URLBlock(required=False, label="Address", help_text="…an address elsewhere.")

    graphql_fields = [
        GraphQLString("text", required=True, description="The button's words (as `label`)."),
        GraphQLString(
            "label", required=True, source="button_label", description="The button's words."
        ),
        GraphQLPage("page", description="The page on this site it leads to, if it is one."),
        GraphQLString("url", description="The address elsewhere it leads to, if it is one."),
    ]

    def button_label(self, info, values, **kwargs):
        # A method of another name: `label` is already the block's own label.
        return values["text"]

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            raise blocks.StructBlockValidationError(
                block_errors={"url": ["Choose a page or give an address, not both."]}
            )
        return value

    class Meta:
        icon = "link"
        label = "Call to action"
        template = "blocks/call_to_action_block.html"
        graphql_description = "A button leading to a page on this site or an address elsewhere."


class NewsBodyBlock(blocks.StreamBlock):
    """What a press release is made of."""

    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul"], template="blocks/paragraph_block.html"
    )
    heading = HeadingBlock()
    quote = QuoteBlock()
    list = BulletListBlock()
    image = ImageBlock()
    table = TableBlock()

    def clean(self, value):
        # Every error at once, the blocks' own and the headings' order, so that an editor
        # does not fix one to be shown the next.
        heading_errors = skipped_heading_levels(value)
        try:
            value = super().clean(value)
        except blocks.StreamBlockValidationError as error:
            raise blocks.StreamBlockValidationError(
                block_errors={**heading_errors, **error.block_errors},
                non_block_errors=error.non_block_errors,
            ) from None
        if heading_errors:
            raise blocks.StreamBlockValidationError(block_errors=heading_errors)
        return value


def skipped_heading_levels(stream):
    """An error for each heading block of `stream` that skips a level (an h4 straight after
    an h2; the first heading follows the page's title, its h1), by the block's index, on
    its `level` field. A heading with no level has the level field's own error."""
    errors = {}
    previous = 1
    for index, child in enumerate(stream):
        if not isinstance(child.block, HeadingBlock) or not child.value.get("level"):
            continue
        level = int(child.value["level"].removeprefix("h"))
        if level > previous + 1:
            # In the words of the level's menu ("Level 2"...), which the editor changes.
            choices = " or ".join(str(n) for n in range(2, previous + 2))
            after = (
                "the page's title, its level 1 heading"
                if previous == 1
                else f"a level {previous} heading"
            )
            errors[index] = blocks.StructBlockValidationError(
                block_errors={
                    "level": ValidationError(
                        f"Choose level {choices}: this heading comes after {after}, and headings"
                        " may not skip a level (screen reader users find their way"
                        " through a page by its headings)."
                    )
                }
            )
        previous = level
    return errors


class BodyBlock(NewsBodyBlock):
    """What any other page's body is made of: a press release's blocks and a call to action."""

    call_to_action = CallToActionBlock()
