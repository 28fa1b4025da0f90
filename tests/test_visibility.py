"""Only live, public content of the requested site reaches an anonymous client, by any route.

Every planted item carries the word ZEBRA; no response may contain it, except the
live title of the page whose pending draft must stay unseen.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from graphql import GraphQLObjectType, get_named_type, is_leaf_type
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    Page,
    PageViewRestriction,
)

from cms.graphql.schema import schema
from home import models as home_models
from home.models import HomePage, HomePageTestimonial, Inspection, StandardPage
from news.models import NewsIndexPage, NewsPage
from principles.models import PrinciplePage, PrinciplesIndexPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

LIVE_TITLE_OF_PENDING = "Live news with a pending draft"


def add_news(title, slug, publish=True):
    index = NewsIndexPage.objects.get()
    page = index.add_child(
        instance=NewsPage(
            title=title, slug=slug, date=datetime.date(2030, 1, 1), summary=title, live=publish
        )
    )
    revision = page.save_revision()
    if publish:
        revision.publish()
    return page


@pytest.fixture
def planted():
    home = HomePage.objects.get()
    add_news("ZEBRA draft news", "zebra-draft")
    draft = NewsPage.objects.get(slug="zebra-draft")
    draft.live = False
    draft.save()

    unpublished = add_news("ZEBRA unpublished news", "zebra-unpublished")
    unpublished.unpublish()

    restricted = add_news("ZEBRA restricted news", "zebra-restricted")
    PageViewRestriction.objects.create(
        page=restricted, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )

    pending = add_news(LIVE_TITLE_OF_PENDING, "pending-draft")
    pending.title = "ZEBRA pending draft title"
    pending.summary = "ZEBRA pending draft summary"
    pending.save_revision()

    hidden_parent = home.add_child(
        instance=StandardPage(title="ZEBRA hidden parent", slug="zebra-parent")
    )
    hidden_parent.save_revision().publish()
    orphan = hidden_parent.add_child(
        instance=StandardPage(title="ZEBRA orphan", slug="zebra-orphan")
    )
    orphan.save_revision().publish()
    hidden_parent.refresh_from_db()
    hidden_parent.unpublish()

    PrinciplesIndexPage.objects.get().add_child(
        instance=PrinciplePage(
            title="ZEBRA principle", slug="zebra-principle", summary="x", live=False
        )
    )

    testimonial = home_models.Testimonial.objects.create(
        quote="ZEBRA quote", attribution="ZEBRA", live=False
    )
    HomePageTestimonial.objects.create(page=home, testimonial=testimonial, sort_order=99)
    Inspection.objects.create(
        inspectorate="ZEBRA",
        published_on=datetime.date(2031, 1, 1),
        overall_rating="ZEBRA",
        summary="ZEBRA",
        live=False,
    )

    private = Collection.get_first_root_node().add_child(name="ZEBRA private")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.PASSWORD, password="x"
    )
    inherited = private.add_child(name="ZEBRA inherits private")
    image = get_image_model().objects.create(
        title="ZEBRA image", file=get_test_image_file(), collection=inherited, description="ZEBRA"
    )
    PrinciplePage.objects.filter(slug="fair").update(icon=image)
    get_document_model().objects.create(
        title="ZEBRA document", file=ContentFile(b"x", name="zebra.txt"), collection=private
    )
    Redirect.objects.create(old_path="/zebra-old", redirect_page=draft)
    return {"draft": draft, "orphan": orphan, "restricted": restricted}


PAGE_FIELDS = "title url ... on NewsPage { summary } ... on StandardPage { intro }"

ENTRY_POINTS = {
    "page by url path": (
        '{ a: page(urlPath: "/news/zebra-draft/") { title } '
        'b: page(urlPath: "/news/zebra-unpublished/") { title } '
        'c: page(urlPath: "/news/zebra-restricted/") { title } '
        'd: page(urlPath: "/zebra-parent/zebra-orphan/") { title } '
        'e: page(urlPath: "/news/pending-draft/") { title ... on NewsPage { summary } } }'
    ),
    "page by slug": (
        '{ a: page(slug: "zebra-draft") { title } b: page(slug: "zebra-orphan") { title } '
        'c: page(slug: "zebra-restricted") { title } }'
    ),
    "pages": f"{{ pages(limit: 100) {{ {PAGE_FIELDS} }} }}",
    "pages of a type": f'{{ pages(contentType: "news.NewsPage", limit: 100) {{ {PAGE_FIELDS} }} }}',
    "news items": (
        "{ newsItems(perPage: 100) { items { title url summary } pagination { total } } }"
    ),
    "news item": (
        '{ a: newsItem(slug: "zebra-draft") { title } '
        'b: newsItem(slug: "zebra-restricted") { title } '
        'c: newsItem(slug: "pending-draft") { title summary } }'
    ),
    "principles": "{ principles { title icon { title } } }",
    "principles index": (
        '{ page(urlPath: "/principles/") { ... on PrinciplesIndexPage { principles { title } } } }'
    ),
    "search": '{ a: search(query: "ZEBRA") { title } b: search(query: "pending") { title } }',
    "tree walks": (
        '{ page(urlPath: "/") { children(limit: 100) { title children(limit: 100) { title } } '
        "descendants(limit: 100) { title } } "
        'news: page(urlPath: "/news/") { children(limit: 100) { title siblings { title } '
        "parent { title } ancestors { title } } } }"
    ),
    "home testimonials": (
        '{ page(urlPath: "/") { ... on HomePage { featuredTestimonials { quote attribution } } } }'
    ),
    "testimonials": "{ testimonials { quote attribution } }",
    "inspections": (
        "{ inspections { inspectorate overallRating } latestInspection { inspectorate } }"
    ),
    "snippets": "{ snippets { ... on Testimonial { quote } ... on Inspection { summary } } }",
    "images": "{ images(limit: 100) { title description } }",
    "documents": "{ documents { title } }",
    "image search": '{ images(searchQuery: "ZEBRA") { title } }',
    "document search": '{ documents(searchQuery: "ZEBRA") { title } }',
    "redirects": "{ redirects { oldPath newUrl page { title } } }",
}


def test_every_field_returning_objects_or_taking_arguments_is_guarded():
    """Resolvers replaced after guard_schema ran would serve anything they are given."""
    unguarded = [
        f"{graphql_type.name}.{name}"
        for graphql_type in schema.graphql_schema.type_map.values()
        if isinstance(graphql_type, GraphQLObjectType) and not graphql_type.name.startswith("__")
        for name, field in graphql_type.fields.items()
        if (field.args or not is_leaf_type(get_named_type(field.type)))
        and not hasattr(field.resolve, "guards")
    ]
    assert unguarded == []
    page_fields = schema.graphql_schema.get_type("NewsPage").fields
    assert hasattr(page_fields["parent"].resolve, "guards")
    assert not hasattr(page_fields["title"].resolve, "guards")


@pytest.mark.parametrize("query", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
def test_nothing_planted_reaches_an_anonymous_client(planted, graphql, query):
    response = graphql(query)
    assert "errors" not in response, response["errors"]
    assert "zebra" not in str(response).lower(), response


def test_the_page_with_a_pending_draft_serves_its_live_version(planted, graphql):
    data = graphql('{ newsItem(slug: "pending-draft") { title summary } }')["data"]
    assert data["newsItem"] == {
        "title": LIVE_TITLE_OF_PENDING,
        "summary": LIVE_TITLE_OF_PENDING,
    }


def test_news_pagination_counts_only_visible_items(planted, graphql):
    data = graphql("{ newsItems { pagination { total } } }")["data"]
    # The two press releases and the page with a pending draft.
    assert data["newsItems"]["pagination"]["total"] == 3


def test_draft_and_editing_state_fields_are_not_in_the_schema(graphql):
    response = graphql('{ page(urlPath: "/") { draftTitle } }')
    assert response["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_pages_of_another_site_are_not_served(planted, graphql):
    from wagtail.models import Site

    other_root = Page.get_first_root_node().add_child(
        instance=StandardPage(title="ZEBRA other site", slug="zebra-site")
    )
    other_root.save_revision().publish()
    Site.objects.create(hostname="other.example", root_page=other_root)
    response = graphql(
        '{ a: pages(limit: 100) { title } b: page(slug: "zebra-site") { title } '
        'c: search(query: "ZEBRA") { title } }'
    )
    assert "errors" not in response, response["errors"]
    assert "zebra" not in str(response).lower()
