"""Why and how the service works: its vision, its eight practice principles, its offer to staff."""

from django.db import models
from grapple.models import (
    GraphQLImage,
    GraphQLRichText,
    GraphQLStreamfield,
    GraphQLString,
)
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager, TranslatableMixin
from wagtail.query import PageQuerySet
from wagtail.search import index

from api.graphql import GraphQLList, help_text_of
from core.preview import PreviewablePage
from governance.models import GovernedPageMixin
from home.blocks import BodyBlock
from home.models import RICH_TEXT_FEATURES


class VisionPage(GovernedPageMixin, PreviewablePage, Page):
    vision_statement = models.TextField(
        help_text="Today's vision for all children and families, in the council's words."
    )
    current_focus = RichTextField(
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text="Where the service is putting effort now.",
    )
    body = StreamField(
        BodyBlock(),
        blank=True,
        use_json_field=True,
        help_text="Anything else, such as earlier plans' visions, kept for the record.",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("vision_statement"),
        InlinePanel("mission_statements", label="Mission statement", heading="Mission"),
        InlinePanel(
            "council_plan_actions", label="Council plan action", heading="Council plan actions"
        ),
        InlinePanel("priorities", label="Key priority", heading="Key priorities"),
        FieldPanel("current_focus"),
        FieldPanel("body"),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("vision_statement"),
        index.SearchField("current_focus"),
        index.SearchField("body"),
        index.RelatedFields(
            "mission_statements", [index.SearchField("title"), index.SearchField("description")]
        ),
        index.RelatedFields("council_plan_actions", [index.SearchField("text")]),
        index.RelatedFields(
            "priorities", [index.SearchField("title"), index.SearchField("description")]
        ),
    ]

    graphql_description = (
        "The vision (/vision/): vision, mission, council plan actions, key priorities and focus."
    )
    graphql_fields = [
        GraphQLString(
            "vision_statement", required=True, description=help_text_of(vision_statement)
        ),
        GraphQLList(
            "mission_statements",
            "principles.MissionStatement",
            description="The mission, in editor order.",
        ),
        GraphQLList(
            "council_plan_actions",
            "principles.CouncilPlanAction",
            description="Bold actions from the council plan, in editor order.",
        ),
        GraphQLList(
            "priorities", "principles.Priority", description="Key priorities, in editor order."
        ),
        GraphQLRichText("current_focus", description=help_text_of(current_focus, ", as HTML")),
        GraphQLStreamfield(
            "body", description="Anything else, such as earlier plans' visions, in blocks."
        ),
    ]

    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = "vision page"


class MissionStatement(TranslatableMixin, Orderable):
    page = ParentalKey(VisionPage, on_delete=models.CASCADE, related_name="mission_statements")
    title = models.CharField(max_length=255, help_text="e.g. 'Putting Children First'.")
    description = models.TextField(help_text="What it means, in the council's words.")

    panels = [FieldPanel("title"), FieldPanel("description")]

    graphql_description = "A part of the mission, e.g. 'Putting Children First'."
    graphql_fields = [
        GraphQLString("title", required=True, description="Its name, in a few words."),
        GraphQLString("description", required=True, description=help_text_of(description)),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        pass


class CouncilPlanAction(TranslatableMixin, Orderable):
    page = ParentalKey(VisionPage, on_delete=models.CASCADE, related_name="council_plan_actions")
    text = models.CharField(max_length=255, help_text="One bold action from the council plan.")

    panels = [FieldPanel("text")]

    graphql_description = "An action from the council plan."
    graphql_fields = [GraphQLString("text", required=True, description="The action, in a line.")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        pass


class Priority(TranslatableMixin, Orderable):
    page = ParentalKey(VisionPage, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=255, help_text="e.g. 'Best Start'.")
    description = models.TextField(help_text="The promise this priority makes.")

    panels = [FieldPanel("title"), FieldPanel("description")]

    graphql_description = "A key priority, e.g. 'Best Start'."
    graphql_fields = [
        GraphQLString("title", required=True, description="Its name, in a few words."),
        GraphQLString("description", required=True, description=help_text_of(description)),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name_plural = "priorities"


class PrinciplesIndexPage(GovernedPageMixin, PreviewablePage, Page):
    intro = RichTextField(
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text="How the principles run through the service's practice.",
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    search_fields = [*Page.search_fields, index.SearchField("intro")]

    graphql_description = "The golden thread (/principles/), above the eight practice principles."
    graphql_fields = [
        GraphQLRichText("intro", description=help_text_of(intro, ", as HTML")),
        GraphQLList(
            "principles",
            "principles.PrinciplePage",
            source="live_principles",
            description="The principles in the order editors have put them in the page tree.",
        ),
    ]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["principles.PrinciplePage"]
    max_count = 1

    @property
    def live_principles(self):
        return PrinciplePage.objects.child_of(self).live().public().with_icons().order_by("path")

    class Meta:
        verbose_name = "principles index page"


class PrinciplePageQuerySet(PageQuerySet):
    def with_icons(self):
        """Icons and their renditions fetched in bulk, for lists of principles."""
        return self.select_related("icon").prefetch_related("icon__renditions")


class PrinciplePage(GovernedPageMixin, PreviewablePage, Page):
    summary = models.TextField(help_text="The principle's one-paragraph description.")
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)
    icon = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A small picture shown beside the principle's title.",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("icon"),
        FieldPanel("body"),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    graphql_description = "One of the eight practice principles (/principles/<slug>/)."
    graphql_fields = [
        GraphQLString("summary", required=True, description=help_text_of(summary)),
        GraphQLStreamfield("body", description="More about the principle, in blocks."),
        GraphQLImage(
            "icon", description="A small picture shown beside the title; null if none is public."
        ),
    ]

    parent_page_types = ["principles.PrinciplesIndexPage"]
    subpage_types = []

    objects = PageManager.from_queryset(PrinciplePageQuerySet)()

    class Meta:
        verbose_name = "principle page"


class BenefitsPage(GovernedPageMixin, PreviewablePage, Page):
    intro = RichTextField(
        features=RICH_TEXT_FEATURES, blank=True, help_text="Why work here, in a paragraph."
    )
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel("benefits", label="Benefit", heading="Our offer to staff"),
        FieldPanel("body"),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.RelatedFields(
            "benefits", [index.SearchField("title"), index.SearchField("description")]
        ),
    ]

    graphql_description = "The offer to staff (/working-here/)."
    graphql_fields = [
        GraphQLRichText("intro", description=help_text_of(intro, ", as HTML")),
        GraphQLList("benefits", "principles.Benefit", description="The offer, in editor order."),
        GraphQLStreamfield("body", description="More about working here, in blocks."),
    ]

    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = "benefits page"


class Benefit(TranslatableMixin, Orderable):
    class Category(models.TextChoices):
        PAY_AND_PENSION = "pay-and-pension", "Pay and pension"
        LOCATION = "location", "Location"
        WORKING_ENVIRONMENT = "working-environment", "Working environment"
        FLEXIBLE_WORKING = "flexible-working", "Flexible working"
        DEVELOPMENT = "development", "Learning and development"
        SUPPORT = "support", "Support and supervision"
        WELLBEING = "wellbeing", "Wellbeing"

    page = ParentalKey(BenefitsPage, on_delete=models.CASCADE, related_name="benefits")
    title = models.CharField(max_length=255, help_text="The benefit in a few words.")
    description = models.TextField(help_text="The offer, in the council's words.")
    category = models.CharField(
        max_length=32, choices=Category.choices, help_text="Groups benefits for front ends."
    )

    panels = [FieldPanel("title"), FieldPanel("description"), FieldPanel("category")]

    graphql_description = "One benefit of working here."
    graphql_fields = [
        GraphQLString("title", required=True, description=help_text_of(title)),
        GraphQLString("description", required=True, description=help_text_of(description)),
        GraphQLString(
            "category",
            required=True,
            description=help_text_of(category, f": one of {', '.join(Category.values)}"),
        ),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        pass
