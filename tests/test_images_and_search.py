"""Images carry alt text and come as allowed renditions; search finds live pages by content."""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from graphql import GraphQLError
from modelsearch.backends.database.postgres.postgres import PostgresSearchBackend
from PIL import features
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection
from wagtail.search.backends import get_search_backend

from api.graphql.media import filter_for, resolve_rendition
from tests.support.factories import DocumentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]


def root_collection():
    return Collection.get_first_root_node().pk


def upload(colour):
    png = get_test_image_file(filename=f"{colour}.png", colour=colour).file.getvalue()
    return SimpleUploadedFile(f"{colour}.png", png, content_type="image/png")


def test_uploading_an_image_without_alt_text_is_refused(admin_client):
    images = get_image_model().objects.count()
    response = admin_client.post(
        reverse("wagtailimages:add"),
        {
            "title": "No alt",
            "file": upload("blue"),
            "description": "",
            "collection": root_collection(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"description": ["This field is required."]}
    assert get_image_model().objects.count() == images

    response = admin_client.post(
        reverse("wagtailimages:add"),
        {
            "title": "With alt",
            "file": upload("red"),
            "description": "A red square",
            "collection": root_collection(),
        },
    )
    assert response.status_code == 302
    assert get_image_model().objects.filter(description="A red square").exists()


def test_the_loaded_news_and_principles_have_images_with_alt_text(graphql):
    data = graphql(
        "{ newsItems { items { heroImage { description width } } } "
        "principles { icon { description } } }"
    )["data"]
    images = [item["heroImage"] for item in data["newsItems"]["items"]] + [
        principle["icon"] for principle in data["principles"]
    ]
    assert len(images) == 10
    assert all(image and image["description"] for image in images)


def test_renditions_srcset_and_webp(graphql):
    assert features.check("webp"), "Pillow here cannot write WebP"
    data = graphql(
        "{ newsItems(perPage: 1) { items { heroImage { "
        'webp: rendition(width: 640, format: "webp") { url width } '
        "srcSet(sizes: [320, 640, 333]) } } } }"
    )
    image = data["data"]["newsItems"]["items"][0]["heroImage"]
    assert image["webp"]["url"].endswith(".webp") and image["webp"]["width"] == 640
    entries = [entry.split() for entry in image["srcSet"].split(", ")]
    # 333 is not an allowed size: left out of the srcset rather than rendered.
    assert [width for _, width in entries] == ["320w", "640w"]
    assert all(url.startswith("http") for url, _ in entries)


def test_svg_images_keep_their_vectors_unless_asked_not_to(graphql):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="500"></svg>'
    get_image_model().objects.create(
        title="Logo",
        description="The council's logo",
        file=SimpleUploadedFile("logo.svg", svg, content_type="image/svg+xml"),
        width=1000,
        height=500,
    )
    data = graphql(
        '{ images(order: "-id", limit: 1) { title '
        'kept: rendition(width: 480, format: "webp") { url width } '
        "rasterised: rendition(width: 480, preserveSvg: false) { url width } } }"
    )["data"]
    [logo] = data["images"]
    assert logo["title"] == "Logo"
    # WebP would rasterise: an SVG keeps only the resize.
    assert logo["kept"]["url"].endswith(".svg") and logo["kept"]["width"] == 480
    assert logo["rasterised"]["width"] == 480


def test_renditions_share_one_parsed_filter_per_spec_and_refuse_others(rf):
    image = get_image_model().objects.filter(file__endswith=".png").first()
    info = SimpleNamespace(context=rf.get("/"))
    assert filter_for("width-480") is filter_for("width-480")
    assert resolve_rendition(image, info, width=480).filter_spec == "width-480"
    with pytest.raises(GraphQLError, match="width 481 is not allowed"):
        resolve_rendition(image, info, width=481)


def test_a_refused_rendition_names_what_is_allowed_as_the_fields_own_arguments(graphql):
    """A client writes `rendition(width: 640)`, not `width-640`: the refusal speaks so."""
    errors = graphql('{ images { rendition(width: 641, format: "webp") { url } } }')["errors"]
    assert {error["extensions"]["code"] for error in errors} == {"BAD_USER_INPUT"}
    assert errors[0]["message"] == (
        'rendition: width 641, format "webp" is not allowed. Allowed: '
        "width 320, 480, 640, 800, 1024, 1280, 1600; fill 160x160, 320x320, 640x360, 1280x720; "
        'each also with format "webp".'
    )


def test_images_and_documents_can_be_searched(graphql):
    DocumentFactory(title="Fostering handbook")
    image = get_image_model().objects.first()
    data = graphql(
        "query ($words: String) { images(searchQuery: $words) { title } "
        'documents(searchQuery: "handbook") { title } }',
        {"words": image.title},
    )
    assert "errors" not in data, data["errors"]
    assert {"title": image.title} in data["data"]["images"]
    assert data["data"]["documents"] == [{"title": "Fostering handbook"}]


@pytest.mark.parametrize(
    ("words", "expected_first"),
    [
        ("Ofsted adoption", "/news/ofsted-rates-childrens-services-good/"),
        ("relationship", "/principles/relationship-based/"),
        ("Practice Educator", "/working-here/"),
    ],
)
def test_search_finds_live_pages_by_their_content(graphql, words, expected_first):
    results = graphql("query ($q: String!) { search(query: $q) { url } }", {"q": words})
    urls = [page["url"] for page in results["data"]["search"]]
    assert urls and urls[0] == expected_first, urls


def test_search_finds_the_june_2017_release_for_ofsted(graphql):
    results = graphql('{ search(query: "Ofsted") { url } }')["data"]["search"]
    assert "/news/ofsted-rates-childrens-services-good/" in [page["url"] for page in results]


def test_postgresql_uses_its_full_text_search():
    if connection.vendor == "postgresql":
        assert isinstance(get_search_backend(), PostgresSearchBackend)
    else:
        assert connection.vendor == "sqlite"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_postgresql_search_matches_on_the_expression_its_index_holds(graphql):
    """home/migrations/0004 indexes `title || body`: the expression Wagtail matches on,
    as long as this holds (on the test's few rows, the planner prefers other plans)."""
    with CaptureQueriesContext(connection) as captured:
        graphql('{ search(query: "fostering") { title } }')
    [search_sql] = [query["sql"] for query in captured.captured_queries if "@@" in query["sql"]]
    assert (
        '("wagtailsearch_indexentry"."title" || "wagtailsearch_indexentry"."body") @@' in search_sql
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'home_search_title_body_gin'"
        )
        [(definition,)] = cursor.fetchall()
    assert "USING gin (((title || body)))" in definition


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend")
def test_postgresql_search_ranks_at_most_the_configured_number_of_matches(graphql, settings):
    """core/search.py: a common word's cost does not grow with the content, as only the
    RANKED_CANDIDATES matches most recently indexed are ranked."""
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    query = '{ search(query: "children", limit: 100) { url } }'
    everything = [page["url"] for page in graphql(query)["data"]["search"]]
    backend = settings.WAGTAILSEARCH_BACKENDS["default"]
    settings.WAGTAILSEARCH_BACKENDS = {"default": {**backend, "RANKED_CANDIDATES": 2}}
    bounded = [page["url"] for page in graphql(query)["data"]["search"]]
    assert len(everything) > 2
    assert 1 <= len(bounded) <= 2
    assert set(bounded) <= set(everything)
