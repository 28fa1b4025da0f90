"""The home page, general pages, and the site-wide snippets and settings."""

import graphene
from django.contrib.contenttypes.models import ContentType
from django.db import models
from grapple.models import (
    GraphQLField,
    GraphQLInt,
    GraphQLRichText,
    GraphQLStreamfield,
    GraphQLString,
)
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    Page,
    RevisionMixin,
    TranslatableMixin,
    WorkflowMixin,
)
from wagtail.search import index

from api.graphql import GraphQLList, help_text_of
from core.locales import InLanguage
from core.preview import PreviewablePage
from governance.models import REVIEW_PANEL, GovernedPageMixin, ReviewMixin

from .blocks import BodyBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


def language_fields():
    """A translatable snippet's GraphQL fields saying which language it is answered in."""
    return [
        GraphQLString(
            "locale",
            source="locale_tag",
            required=True,
            description="The language it is in, a BCP 47 tag (e.g. 'en-GB').",
        ),
        GraphQLString(
            "requested_locale",
            description="The language asked for, where it is not translated into it (live) "
            "and so is answered in a fallback; null otherwise.",
        ),
    ]


class Testimonial(
    InLanguage,
    TranslatableMixin,
    ReviewMixin,
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    models.Model,
):
    """Something said about working in, or being served by, Southwark's children's services."""

    quote = models.TextField(help_text="The words quoted, without quotation marks.")
    attribution = models.CharField(
        max_length=255, help_text="Who said it: a person, a role or an organisation."
    )
    role = models.CharField(
        max_length=255, blank=True, help_text="Their role, if the attribution is a person."
    )
    source = models.CharField(
        max_length=255, blank=True, help_text="Where it was said, e.g. an Ofsted report."
    )
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year it was said, if known."
    )

    panels = [
        FieldPanel("quote"),
        FieldPanel("attribution"),
        FieldPanel("role"),
        FieldPanel("source"),
        FieldPanel("year"),
        REVIEW_PANEL,
    ]

    search_fields = [
        index.SearchField("quote"),
        index.AutocompleteField("attribution"),
    ]

    graphql_description = (
        "Something said about working in, or being served by, Southwark's children's services."
    )
    graphql_fields = [
        GraphQLString("quote", required=True, description=help_text_of(quote)),
        GraphQLString("attribution", required=True, description=help_text_of(attribution)),
        GraphQLString("role", required=True, description=help_text_of(role, ", or ''")),
        GraphQLString("source", required=True, description=help_text_of(source, ", or ''")),
        GraphQLInt("year", description=help_text_of(year)),
        *language_fields(),
    ]

    def __str__(self):
        return f"{self.attribution}: {self.quote[:60]}"

    class Meta(TranslatableMixin.Meta):
        verbose_name = "testimonial"
        ordering = ["pk"]


class Inspection(
    InLanguage,
    TranslatableMixin,
    ReviewMixin,
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    ClusterableModel,
):
    """A published inspection of the council's children's services."""

    inspectorate = models.CharField(max_length=255, help_text="Who inspected, e.g. 'Ofsted'.")
    published_on = models.DateField(help_text="The day the report was published.")
    overall_rating = models.CharField(
        max_length=100, help_text="The overall judgement, e.g. 'Good'."
    )
    summary = models.TextField(help_text="What the inspection found, in a few sentences.")
    report_url = models.URLField(blank=True, help_text="The published report.")

    panels = [
        FieldPanel("inspectorate"),
        FieldPanel("published_on"),
        FieldPanel("overall_rating"),
        FieldPanel("summary"),
        FieldPanel("report_url"),
        InlinePanel("highlights", label="Highlights (quotes from the report)"),
        REVIEW_PANEL,
    ]

    search_fields = [
        index.SearchField("summary"),
        index.FilterField("published_on"),
    ]

    graphql_description = "A published inspection of the council's children's services."
    graphql_fields = [
        GraphQLString("inspectorate", required=True, description=help_text_of(inspectorate)),
        GraphQLField(
            "published_on", graphene.Date, required=True, description=help_text_of(published_on)
        ),
        GraphQLString("overall_rating", required=True, description=help_text_of(overall_rating)),
        GraphQLString("summary", required=True, description=help_text_of(summary)),
        GraphQLString(
            "report_url", required=True, description="The published report's address, or ''."
        ),
        # A plain list field: grapple's GraphQLCollection drops a list's description.
        GraphQLField(
            "highlights",
            graphene.List(graphene.NonNull(graphene.String)),
            source="highlight_texts",
            required=True,
            description="Findings quoted from the report, without quotation marks, in order.",
        ),
        *language_fields(),
    ]

    @property
    def highlight_texts(self):
        return [highlight.text for highlight in self.highlights.all()]

    def __str__(self):
        return f"{self.inspectorate}, {self.published_on:%B %Y}: {self.overall_rating}"

    class Meta(TranslatableMixin.Meta):
        verbose_name = "inspection"
        ordering = ["-published_on"]


class InspectionHighlight(TranslatableMixin, Orderable):
    inspection = ParentalKey(Inspection, on_delete=models.CASCADE, related_name="highlights")
    text = models.TextField(help_text="A finding, quoted from the report without quotation marks.")

    panels = [FieldPanel("text")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        pass


class HomePage(GovernedPageMixin, PreviewablePage, Page):
    hero_heading = models.CharField(
        max_length=255, help_text="The first thing a visitor reads, in a few words."
    )
    hero_intro = RichTextField(
        features=RICH_TEXT_FEATURES, blank=True, help_text="A paragraph under the heading."
    )
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("hero_heading"), FieldPanel("hero_intro")], heading="Hero"),
        InlinePanel("stats", label="Facts and figures", heading="Facts and figures"),
        FieldPanel("body"),
        InlinePanel(
            "testimonial_placements",
            label="Featured testimonial",
            heading="Featured testimonials",
        ),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("hero_heading"),
        index.SearchField("hero_intro"),
        index.SearchField("body"),
    ]

    graphql_description = "The home page (/): the hero, the borough's figures, testimonials."
    graphql_fields = [
        GraphQLString("hero_heading", required=True, description=help_text_of(hero_heading)),
        GraphQLRichText("hero_intro", description=help_text_of(hero_intro, ", as HTML")),
        GraphQLList("stats", "home.Stat", description="Facts and figures, in editor order."),
        GraphQLStreamfield("body", description="The page's blocks, in order."),
        GraphQLList(
            "featured_testimonials",
            "home.Testimonial",
            source="live_featured_testimonials",
            description="The published testimonials editors feature here, in their order.",
        ),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "home.StandardPage",
        "principles.VisionPage",
        "principles.PrinciplesIndexPage",
        "principles.BenefitsPage",
        "news.NewsIndexPage",
    ]
    max_count = 1

    @property
    def live_featured_testimonials(self):
        """The featured testimonials in editor order, leaving out unpublished ones."""
        placements = self.testimonial_placements.select_related("testimonial")
        return [placement.testimonial for placement in placements if placement.testimonial.live]

    class Meta:
        verbose_name = "home page"


class Stat(TranslatableMixin, Orderable):
    """A headline figure about the borough, e.g. '320,000+' 'people'."""

    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="stats")
    value = models.CharField(
        max_length=50, help_text="The figure as it should read, e.g. '320,000+'."
    )
    label = models.CharField(max_length=255, help_text="What it counts, e.g. 'people'.")

    panels = [FieldPanel("value"), FieldPanel("label")]

    graphql_description = "A headline figure about the borough, e.g. '320,000+' 'people'."
    graphql_fields = [
        GraphQLString("value", required=True, description=help_text_of(value)),
        GraphQLString("label", required=True, description=help_text_of(label)),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        pass


class HomePageTestimonial(TranslatableMixin, Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="testimonial_placements")
    testimonial = models.ForeignKey(Testimonial, on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("testimonial")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        pass


class StandardPage(GovernedPageMixin, PreviewablePage, Page):
    intro = RichTextField(
        features=RICH_TEXT_FEATURES, blank=True, help_text="The opening paragraph."
    )
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    graphql_description = "A general page, such as /about/."
    graphql_fields = [
        GraphQLRichText("intro", description=help_text_of(intro, ", as HTML")),
        GraphQLStreamfield("body", description="The page's blocks, in order."),
    ]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = "standard page"


@register_setting(icon="site")
class OrganisationSettings(BaseSiteSetting):
    organisation_name = models.CharField(max_length=255, help_text="As it appears in headers.")
    recruitment_email = models.EmailField(help_text="Where questions about applying for roles go.")
    principal_social_worker_name = models.CharField(
        max_length=255, help_text="For informal discussions about working here."
    )
    principal_social_worker_email = models.EmailField()
    microsite_url = models.URLField(
        blank=True, help_text="The dedicated recruitment microsite, if there is one."
    )

    panels = [
        FieldPanel("organisation_name"),
        FieldPanel("recruitment_email"),
        MultiFieldPanel(
            [
                FieldPanel("principal_social_worker_name"),
                FieldPanel("principal_social_worker_email"),
            ],
            heading="Principal social worker",
        ),
        FieldPanel("microsite_url"),
    ]

    graphql_description = "The organisation's names and contacts, a setting of each site."
    graphql_fields = [
        GraphQLString(
            "organisation_name", required=True, description="The name as it appears in headers."
        ),
        GraphQLString(
            "recruitment_email", required=True, description=help_text_of(recruitment_email)
        ),
        GraphQLString(
            "principal_social_worker_name",
            required=True,
            description="Who to talk to informally about working here.",
        ),
        GraphQLString(
            "principal_social_worker_email",
            required=True,
            description="The principal social worker's email address.",
        ),
        GraphQLString(
            "microsite_url",
            required=True,
            description="The recruitment microsite's address, or '' if there is none.",
        ),
    ]

    class Meta:
        verbose_name = "organisation settings"


class LoadedContent(models.Model):
    """What `load_southwark_content` has created, so that a rerun creates nothing twice.

    A record outlives its object on purpose: content an editor deleted stays deleted.
    """

    key = models.CharField(max_length=255, unique=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key

    class Meta:
        verbose_name = "loaded content record"
