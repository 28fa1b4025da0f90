"""StreamField blocks shared by every content area, each with its GraphQL fields."""

from grapple.helpers import register_streamfield_block
from grapple.models import (
    GraphQLBoolean,
    GraphQLCollection,
    GraphQLImage,
    GraphQLPage,
    GraphQLString,
)
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

HEADING_LEVELS = [("h2", "Level 2"), ("h3", "Level 3"), ("h4", "Level 4")]


@register_streamfield_block
class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=255, help_text="The heading's words.")
    level = blocks.ChoiceBlock(
        choices=HEADING_LEVELS,
        default="h2",
        help_text="h2 for a section, h3 or h4 for a part of one.",
    )

    graphql_fields = [
        GraphQLString("text", required=True),
        GraphQLString("level", required=True),
    ]

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"


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
        GraphQLString("quote", required=True),
        GraphQLString("attribution"),
        GraphQLString("role"),
    ]

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"


@register_streamfield_block
class BulletListBlock(blocks.StructBlock):
    items = blocks.ListBlock(blocks.CharBlock(max_length=500), help_text="One point a line.")
    ordered = blocks.BooleanBlock(
        required=False, help_text="Number the points instead of using bullets."
    )

    graphql_fields = [
        GraphQLCollection(GraphQLString, "items", required=True, item_required=True),
        GraphQLBoolean("ordered", required=True),
    ]

    class Meta:
        icon = "list-ul"
        label = "List"
        template = "blocks/bullet_list_block.html"


@register_streamfield_block
class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(help_text="The image's alt text is read out to screen readers.")
    caption = blocks.CharBlock(max_length=255, required=False)

    graphql_fields = [
        GraphQLImage("image"),
        GraphQLString("caption"),
    ]

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"


@register_streamfield_block
class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120, help_text="The button's words, e.g. 'See our jobs'.")
    page = blocks.PageChooserBlock(required=False, help_text="A page on this site, or…")
    url = blocks.URLBlock(required=False, help_text="…an address elsewhere.")

    graphql_fields = [
        GraphQLString("text", required=True),
        GraphQLPage("page"),
        GraphQLString("url"),
    ]

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


class NewsBodyBlock(blocks.StreamBlock):
    """What a press release is made of."""

    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul"], template="blocks/paragraph_block.html"
    )
    heading = HeadingBlock()
    quote = QuoteBlock()
    list = BulletListBlock()
    image = ImageBlock()


class BodyBlock(NewsBodyBlock):
    """What any other page's body is made of: a press release's blocks and a call to action."""

    call_to_action = CallToActionBlock()
