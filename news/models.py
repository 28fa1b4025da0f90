"""Press releases and other news, published as pages under the news index."""

import graphene
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from grapple.models import (
    GraphQLField,
    GraphQLImage,
    GraphQLRichText,
    GraphQLStreamfield,
    GraphQLString,
    GraphQLTag,
)
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from api.graphql import help_text_of
from api.rest_fields import PublicImageRenditionField, TagNamesField
from core.preview import PreviewablePage
from governance.models import GovernedPageMixin
from home.blocks import NewsBodyBlock
from home.models import RICH_TEXT_FEATURES


class NewsIndexPage(GovernedPageMixin, PreviewablePage, Page):
    intro = RichTextField(
        features=RICH_TEXT_FEATURES, blank=True, help_text="A line above the list of news."
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    search_fields = [*Page.search_fields, index.SearchField("intro")]

    graphql_description = "The news section (/news/): its items come from `newsItems`."
    graphql_fields = [GraphQLRichText("intro", description="A line above the news, as HTML.")]
    api_fields = [APIField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["news.NewsPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news_items"] = (
            NewsPage.objects.child_of(self).live().public().order_by("-date", "-pk")
        )
        return context

    class Meta:
        verbose_name = "news index page"


# The feeds' addresses under /news/ (news/urls.py): a news page there would be unreachable.
FEED_SLUGS = ("feed",)
# What the notes to editors may hold: paragraphs with bold, italic, links and lists.
NOTES_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "news.NewsPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class NewsPage(GovernedPageMixin, PreviewablePage, Page):
    # Wagtail requires a field the database cannot leave empty before it saves even a
    # draft, so without a date every autosave of a new news page would be refused until
    # one is typed in. Today's is there from the start; the editor changes it if need be.
    date = models.DateField(default=timezone.localdate, help_text="The day the news was released.")
    summary = models.TextField(
        help_text="One or two sentences for lists, feeds and search results."
    )
    body = StreamField(NewsBodyBlock(), blank=True, use_json_field=True)
    # A press release ends with what is for journalists, not readers: "ENDS", the notes to
    # editors, the press office's contacts. Kept apart from the story (a Word import puts
    # them here: news/word_import.py) so that front ends show them only where they mean to.
    notes_to_editors = RichTextField(
        features=NOTES_FEATURES,
        blank=True,
        help_text="For journalists, apart from the story: a release's notes to editors and "
        "press office contacts.",
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown at the top of the article and in lists.",
    )
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True)
    source_url = models.URLField(
        blank=True, help_text="Where the release was first published, if elsewhere."
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("date"), FieldPanel("tags")], heading="About this news"),
        FieldPanel("summary"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
        FieldPanel("notes_to_editors"),
        FieldPanel("source_url"),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]

    graphql_description = "A press release or other news (/news/<slug>/)."
    graphql_fields = [
        GraphQLField("date", graphene.Date, required=True, description=help_text_of(date)),
        GraphQLString("summary", required=True, description=help_text_of(summary)),
        GraphQLStreamfield(
            "body",
            description="The article in blocks: paragraphs, headings, quotes, lists, images and "
            "tables.",
        ),
        GraphQLRichText(
            "notes_to_editors",
            required=True,
            description=help_text_of(notes_to_editors, ", as HTML, or ''"),
        ),
        GraphQLImage(
            "hero_image", description=help_text_of(hero_image, "; null if none is public")
        ),
        GraphQLTag("tags", source="tag_list", description="Its tags, in the order given."),
        GraphQLString("source_url", required=True, description=help_text_of(source_url, ", or ''")),
    ]
    api_fields = [
        APIField("date"),
        APIField("summary"),
        APIField("tags", serializer=TagNamesField()),
        APIField("hero_image", serializer=PublicImageRenditionField("width-480")),
        APIField("body"),
        APIField("notes_to_editors"),
        APIField("source_url"),
    ]

    parent_page_types = ["news.NewsIndexPage"]
    subpage_types = []

    def clean(self):
        super().clean()
        if self.slug in FEED_SLUGS:
            raise ValidationError(
                {
                    "slug": f"“{self.slug}” is taken by the news feed (/news/{self.slug}/): "
                    "choose another slug."
                }
            )

    @cached_property
    def tag_list(self):
        """The tags in the order they were given (lists prime it in bulk: news/schema.py)."""
        return [item.tag for item in self.tagged_items.select_related("tag").order_by("pk")]

    class Meta:
        verbose_name = "news page"
        indexes = [
            # The news list's order (news/schema.py): a page of it is read from the index in
            # order, not by sorting every news page (page 1 of 25 at 10,000 pages read 10,000
            # rows, now 25).
            models.Index(fields=["-date", "-page_ptr"], name="news_newspage_date_pk_desc"),
        ]
