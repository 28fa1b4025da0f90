"""A field's help text is its GraphQL description, written once (api.graphql.help_text_of):
editors and API readers are told the same about a model's or a block's field.

The test lists each description that differs from its field's help text by more than an
addition for API readers; only the fields listed here may.
"""

from django.core.exceptions import FieldDoesNotExist
from grapple.registry import registry
from wagtail.blocks import Block, FieldBlock

# What a description may add to its help text for API readers, before the full stop.
ADDITIONS = (", as HTML", ", or ''", "; null if none is public", ": one of ")

# Worded apart on purpose: the help text guides an editor filling the form in (examples,
# what to choose), the description tells a reader what the value is.
WORDED_FOR_EACH_READER = {
    "Inspection.report_url",
    "OrganisationSettings.organisation_name",
    "OrganisationSettings.principal_social_worker_name",
    "OrganisationSettings.microsite_url",
    "MissionStatement.title",
    "Priority.title",
    "CouncilPlanAction.text",
    "VisionPage.body",
    "HeadingBlock.level",
    "QuoteBlock.attribution",
    "QuoteBlock.role",
    "BulletListBlock.items",
    "BulletListBlock.ordered",
    "ImageBlock.image",
    "CallToActionBlock.text",
    "CallToActionBlock.page",
    "CallToActionBlock.url",
    "TableBlock.first_row_is_header",
    "TableBlock.first_column_is_header",
    "TableBlock.rows",
}

# Copies that had drifted apart already: making them one text would change the schema, or
# the admin's help text (a migration), so they wait for a change that may.
DRIFTED_BEFORE = {"NewsIndexPage.intro", "PrinciplePage.icon"}


def help_text_of_source(owner, source):
    """The help text of the model field or child block a GraphQL field of `owner` reads."""
    if issubclass(owner, Block):
        block = owner.base_blocks.get(source)
        if block is None:  # a method
            return ""
        # A field block keeps its help text on its form field, other blocks on their meta.
        if isinstance(block, FieldBlock):
            return block.field.help_text
        return getattr(block.meta, "help_text", "")
    try:
        field = owner._meta.get_field(source)
    except FieldDoesNotExist:  # a property or method
        return ""
    return getattr(field, "help_text", "")  # a reverse relation has none


def described_sources():
    """(name, help text, description) of each GraphQL field of a registered model or block
    that reads a field with help text."""
    for owner in registry.models:
        for entry in getattr(owner, "graphql_fields", ()):
            graphql_field = entry() if callable(entry) else entry
            help_text = help_text_of_source(owner, graphql_field.field_source)
            if help_text and graphql_field.description:
                name = f"{owner.__name__}.{graphql_field.field_name}"
                yield name, help_text, graphql_field.description


def told_alike(help_text, description):
    """Whether the description is the help text, or it with an addition for API readers."""
    stem = help_text.removesuffix(".")
    return description == help_text or any(
        description.startswith(stem + addition) for addition in ADDITIONS
    )


def test_each_description_is_its_fields_help_text():
    worded_apart = {
        name
        for name, help_text, description in described_sources()
        if not told_alike(help_text, description)
    }
    assert worded_apart == WORDED_FOR_EACH_READER | DRIFTED_BEFORE, (
        "A description differs from its field's help text: take it from the help text"
        " (api.graphql.help_text_of), or list it here if it is worded apart on purpose."
    )


def test_the_check_sees_model_fields_and_block_fields():
    seen = {name for name, help_text, description in described_sources()}
    assert {
        "Testimonial.quote",
        "HomePage.hero_intro",
        "Benefit.category",
        "HeadingBlock.text",
        "QuoteBlock.quote",
        "BulletListBlock.items",
    } <= seen
