"""Only live, public content of the requested site reaches an anonymous client, by any route.

Every planted item carries the word ZEBRA; no response may contain it, except the
live title of the page whose pending draft must stay unseen.
"""

import datetime

import pytest
from django.http.request import split_domain_port
from graphql import GraphQLObjectType, get_named_type, is_leaf_type
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Site
from wagtail.models.sites import get_site_for_hostname

from api.graphql.schema import schema
from core.visibility import site_for
from principles.models import PrinciplePage
from tests.support.factories import (
    CollectionFactory,
    DocumentFactory,
    FeaturedTestimonialFactory,
    ImageFactory,
    InspectionFactory,
    NewsPageFactory,
    PrinciplePageFactory,
    StandardPageFactory,
    publish,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

LIVE_TITLE_OF_PENDING = "Live news with a pending draft"
FIRST_IN_LISTS = datetime.date(2030, 1, 1)  # a date after all the Southwark news


@pytest.fixture
def planted():
    draft = publish(
        NewsPageFactory(title="ZEBRA draft news", slug="zebra-draft", date=FIRST_IN_LISTS)
    )
    draft.live = False
    draft.save()

    unpublished = publish(
        NewsPageFactory(
            title="ZEBRA unpublished news", slug="zebra-unpublished", date=FIRST_IN_LISTS
        )
    )
    unpublished.unpublish()

    restricted = publish(
        NewsPageFactory(
            title="ZEBRA restricted news",
            slug="zebra-restricted",
            password="secret",
            date=FIRST_IN_LISTS,
        )
    )

    pending = publish(
        NewsPageFactory(
            title=LIVE_TITLE_OF_PENDING,
            slug="pending-draft",
            summary=LIVE_TITLE_OF_PENDING,
            date=FIRST_IN_LISTS,
        )
    )
    pending.title = "ZEBRA pending draft title"
    pending.summary = "ZEBRA pending draft summary"
    pending.save_revision()

    hidden_parent = publish(StandardPageFactory(title="ZEBRA hidden parent", slug="zebra-parent"))
    orphan = publish(
        StandardPageFactory(parent=hidden_parent, title="ZEBRA orphan", slug="zebra-orphan")
    )
    hidden_parent.refresh_from_db()
    hidden_parent.unpublish()

    PrinciplePageFactory(title="ZEBRA principle", slug="zebra-principle", summary="x", live=False)

    FeaturedTestimonialFactory(
        testimonial__quote="ZEBRA quote",
        testimonial__attribution="ZEBRA",
        testimonial__live=False,
        sort_order=99,
    )
    InspectionFactory(
        inspectorate="ZEBRA",
        published_on=datetime.date(2031, 1, 1),
        overall_rating="ZEBRA",
        summary="ZEBRA",
        live=False,
    )

    private = CollectionFactory(name="ZEBRA private", password="x")
    inherited = CollectionFactory(parent=private, name="ZEBRA inherits private")
    image = ImageFactory(title="ZEBRA image", collection=inherited, description="ZEBRA")
    PrinciplePage.objects.filter(slug="fair").update(icon=image)
    DocumentFactory(title="ZEBRA document", collection=private)
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
    other_root = publish(
        StandardPageFactory(
            parent=Page.get_first_root_node(), title="ZEBRA other site", slug="zebra-site"
        )
    )
    Site.objects.create(hostname="other.example", root_page=other_root)
    response = graphql(
        '{ a: pages(limit: 100) { title } b: page(slug: "zebra-site") { title } '
        'c: search(query: "ZEBRA") { title } }'
    )
    assert "errors" not in response, response["errors"]
    assert "zebra" not in str(response).lower()


# The site a request reads: Wagtail's choice, from a cheaper query (core/visibility.py site_for)

SITES = (  # hostname, port, is_default_site
    ("localhost", 80, True),
    ("localhost", 9000, False),
    ("example.org", 80, False),
    ("example.org", 8080, False),
    ("shared.org", 8000, False),
    ("shared.org", 9000, False),
    ("default.org", 80, False),
)


@pytest.mark.parametrize("default_site", [True, False], ids=["with a default", "none default"])
@pytest.mark.parametrize(
    "host",
    [
        "example.org:8080",
        "example.org",
        "example.org:9999",
        "shared.org",
        "shared.org:9000",
        "localhost",
        "localhost:8080",
        "unknown.org",
        "UNKNOWN.org:80",
    ],
)
def test_a_request_reads_the_site_wagtail_would_choose(rf, host, default_site):

    Site.objects.all().delete()
    root = Page.get_first_root_node()
    for hostname, port, is_default in SITES:
        Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=root,
            is_default_site=is_default and default_site,
        )
    name, _, port = host.partition(":")
    request = rf.get("/", HTTP_HOST=host, SERVER_PORT=port or "80")
    try:
        wagtails = get_site_for_hostname(split_domain_port(host)[0], request.get_port())
    except Site.DoesNotExist:
        wagtails = None
    chosen = site_for(request)
    assert chosen == wagtails
    assert request._wagtail_site == chosen  # Wagtail's own look-ups then read it
    if chosen is not None:
        assert chosen.root_page == root
