"""The REST API (/api/v2/) shows what the GraphQL API shows: live, public pages of the site
and images outside private collections, nothing more."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site

from news.models import NewsIndexPage, NewsPage
from tests.support.factories import (
    CollectionFactory,
    ImageFactory,
    NewsPageFactory,
    StandardPageFactory,
    publish,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

NEWS_LIST = "/api/v2/pages/?type=news.NewsPage&fields=date,summary,tags,hero_image"


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response["Content-Type"].startswith("application/json"), response.content
    return response


def listed_slugs(client, url=NEWS_LIST, **extra):
    response = get(client, url, **extra)
    assert response.status_code == 200, response.json()
    return {item["meta"]["slug"] for item in response.json()["items"]}


def test_live_news_pages_are_listed_with_their_fields(client):
    response = get(client, NEWS_LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["meta"]["total_count"] == 2
    items = {item["meta"]["slug"]: item for item in body["items"]}
    ofsted = items["ofsted-rates-childrens-services-good"]
    assert ofsted["meta"]["type"] == "news.NewsPage"
    assert ofsted["date"] == "2017-06-14"
    assert ofsted["summary"].startswith("Southwark Council’s services for children")
    assert ofsted["tags"] == sorted(ofsted["tags"], key=str.casefold)
    assert set(ofsted["tags"]) == {"Ofsted", "Inspection", "Adoption", "Press release"}
    hero = ofsted["hero_image"]
    assert hero["alt"] == "A dark blue banner with the words Ofsted 2017: Good in white"
    assert ".width-480." in hero["url"]
    assert (hero["width"], hero["height"]) == (480, 270)


def test_a_news_page_detail_has_its_body(client):
    page = NewsPage.objects.get(slug="ofsted-rates-childrens-services-good")
    body = get(client, f"/api/v2/pages/{page.pk}/").json()
    assert body["title"] == page.title
    assert [block["type"] for block in body["body"]][:4] == [
        "paragraph",
        "quote",
        "paragraph",
        "list",
    ]
    assert body["body"][1]["value"]["attribution"] == "Cllr Victoria Mills"
    assert body["hero_image"]["url"].endswith(".png")


def test_the_news_list_costs_the_same_queries_for_any_number_of_items(client):
    def queries_for_the_list():
        with CaptureQueriesContext(connection) as queries:
            assert get(client, NEWS_LIST).status_code == 200
        return len(queries)

    get(client, NEWS_LIST)  # renditions are made on the first request
    before = queries_for_the_list()
    hero = NewsPage.objects.get(slug="ofsted-rates-childrens-services-good").hero_image
    for number in range(5):
        publish(NewsPageFactory(hero_image=hero, tags=["Fostering", f"Tag {number}"]))
    assert len(get(client, NEWS_LIST).json()["items"]) == 7
    assert queries_for_the_list() == before


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ("offset=-1", "offset must be a positive integer"),
        ("limit=all", "limit must be a positive integer"),
        ("limit=101", "limit cannot be higher than 100"),  # WAGTAILAPI_LIMIT_MAX
    ],
)
def test_a_part_of_a_list_out_of_range_is_refused_as_wagtail_refuses_it(
    client, parameters, message
):
    for endpoint in ("pages", "images"):
        with CaptureQueriesContext(connection) as queries:
            response = get(client, f"/api/v2/{endpoint}/?{parameters}")
        assert (response.status_code, response.json()) == (400, {"message": message})
        assert not any("COUNT(" in query["sql"].upper() for query in queries)  # nor counted


def test_drafts_expired_and_restricted_pages_never_appear(client, admin_client):
    # Each with "News" in its title, so that a search for it would find them all.
    draft = NewsPageFactory(title="News: a draft", slug="a-draft", live=False)
    expired = publish(NewsPageFactory(title="News: expired", slug="expired"))
    # As publish_scheduled leaves a page past its expiry date.
    NewsPage.objects.filter(pk=expired.pk).update(
        live=False, expired=True, expire_at=timezone.now() - timedelta(hours=1)
    )
    restricted = publish(
        NewsPageFactory(title="News: restricted", slug="restricted", password="secret")
    )
    # A restriction on the news index hides every page below it as well.
    under_login = publish(NewsPageFactory(slug="under-a-logged-in-only-section"))
    visible = publish(NewsPageFactory(title="News: visible", slug="visible"))

    slugs = listed_slugs(client)
    assert "visible" in slugs
    assert not slugs & {"a-draft", "expired", "restricted"}
    for page in (draft, expired, restricted):
        assert get(client, f"/api/v2/pages/{page.pk}/").status_code == 404
    searched = listed_slugs(client, "/api/v2/pages/?search=News")
    assert "visible" in searched
    assert not searched & {"a-draft", "expired", "restricted"}

    PageViewRestriction.objects.create(
        page=NewsIndexPage.objects.get(), restriction_type=PageViewRestriction.LOGIN
    )
    # Not even to a logged-in editor: the API is for anonymous front ends.
    for api_client in (client, admin_client):
        assert listed_slugs(api_client) == set()
        assert get(api_client, f"/api/v2/pages/{under_login.pk}/").status_code == 404
        assert get(api_client, f"/api/v2/pages/{visible.pk}/").status_code == 404


def test_pages_below_an_unpublished_page_never_appear(client):
    NewsIndexPage.objects.get().unpublish()
    assert listed_slugs(client) == set()
    assert "news" not in listed_slugs(client, "/api/v2/pages/?limit=100")
    ofsted = NewsPage.objects.get(slug="ofsted-rates-childrens-services-good")
    assert get(client, f"/api/v2/pages/{ofsted.pk}/").status_code == 404


def test_only_the_requested_sites_pages_appear(client):
    other_root = StandardPageFactory(
        parent=Page.get_first_root_node(), title="Another council", slug="another-council"
    )
    other_page = StandardPageFactory(parent=other_root, title="Elsewhere", slug="elsewhere")
    Site.objects.create(hostname="other.example", root_page=other_root)

    slugs = listed_slugs(client, "/api/v2/pages/?limit=100")
    assert "news" in slugs
    assert not slugs & {"another-council", "elsewhere"}
    assert get(client, f"/api/v2/pages/{other_page.pk}/").status_code == 404
    # The site is the request's: it cannot be chosen with a parameter.
    assert get(client, "/api/v2/pages/?site=other.example").status_code == 400
    # The tree's root is never listed.
    assert get(client, f"/api/v2/pages/{Page.get_first_root_node().pk}/").status_code == 404

    other_slugs = listed_slugs(client, "/api/v2/pages/?limit=100", HTTP_HOST="other.example")
    assert "elsewhere" in other_slugs
    assert "news" not in other_slugs


def test_images_in_private_collections_are_hidden(client):
    public = CollectionFactory(name="Public photos")
    private = CollectionFactory(name="Private", password="secret")
    private_child = CollectionFactory(parent=private, name="Private, below")
    restricted_directly = CollectionFactory(name="Restricted directly", password="secret")

    shown = ImageFactory(title="shown", collection=public)
    under_parent = ImageFactory(title="under-a-private-parent", collection=private_child)
    in_restricted = ImageFactory(title="in-a-restricted-collection", collection=restricted_directly)

    listing = get(client, "/api/v2/images/?limit=100").json()
    titles = {item["title"] for item in listing["items"]}
    assert "shown" in titles
    assert not titles & {under_parent.title, in_restricted.title}
    assert listing["meta"]["total_count"] == len(titles)
    assert get(client, f"/api/v2/images/{shown.pk}/").status_code == 200
    for image in (under_parent, in_restricted):
        assert get(client, f"/api/v2/images/{image.pk}/").status_code == 404

    # A public page's hero image from a private collection reads as null.
    page = publish(NewsPageFactory(hero_image=under_parent))
    item = get(client, f"/api/v2/pages/{page.pk}/").json()
    assert item["hero_image"] is None
