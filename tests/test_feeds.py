"""What readers and crawlers get: the news feeds, the sitemap and robots.txt."""

import datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import pytest
from defusedxml import ElementTree
from django.urls import reverse
from wagtail.models import Page, Site

from home.models import OrganisationSettings
from news import feeds
from news.models import NewsIndexPage, NewsPage
from tests.support.factories import NewsPageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
LONDON = ZoneInfo("Europe/London")


def hidden_pages():
    """A draft, an unpublished page and a view-restricted page, all dated to come first."""
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    NewsPageFactory(title="A draft nobody approved", date=tomorrow, live=False)
    NewsPageFactory(title="Withdrawn release", date=tomorrow).unpublish()
    NewsPageFactory(title="Staff only", date=tomorrow, password="secret")
    return {"A draft nobody approved", "Withdrawn release", "Staff only"}


def rss_items(client):
    response = client.get("/news/feed/")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    assert root.tag == "rss"
    return root.find("channel").findall("item")


def atom_entries(client):
    response = client.get("/news/feed/atom/")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


# RSS ---------------------------------------------------------------------------------------


def test_rss_feed_is_rss_2_with_the_organisations_name(client):
    response = client.get("/news/feed/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    channel = root.find("channel")
    name = OrganisationSettings.objects.get().organisation_name
    assert channel.findtext("title") == f"{name}: news"
    assert channel.findtext("link").startswith(("http://", "https://"))
    assert channel.findtext("link").endswith("/news/")
    assert channel.findtext("description")
    assert channel.findtext("language") == "en-gb"
    assert channel.find(f"{ATOM}link").get("href") == "http://testserver/news/feed/"


def test_rss_items_are_the_live_news_newest_first(client):
    seeded = list(NewsPage.objects.live().order_by("-date", "-pk"))
    assert len(seeded) == 2
    newest = NewsPageFactory(
        title="Children's services win an award",
        date=datetime.date.today(),
        tags=["awards", "ofsted"],
    )

    items = rss_items(client)

    assert [item.findtext("title") for item in items] == [page.title for page in [newest, *seeded]]
    dates = [parsedate_to_datetime(item.findtext("pubDate")) for item in items]
    assert dates == sorted(dates, reverse=True)
    first = items[0]
    assert first.findtext("link") == newest.get_full_url()
    assert first.findtext("link").startswith(("http://", "https://"))
    assert first.findtext("guid") == first.findtext("link")
    assert first.findtext("description") == newest.summary
    assert [category.text for category in first.findall("category")] == ["awards", "ofsted"]
    assert dates[0] == datetime.datetime.combine(newest.date, datetime.time.min, tzinfo=LONDON)
    for item in items:
        assert item.findtext("link").startswith(("http://", "https://"))


def test_rss_breaks_ties_on_the_same_day_by_newest_page(client):
    day = datetime.date(2030, 1, 1)
    first = NewsPageFactory(title="First of the day", date=day)
    second = NewsPageFactory(title="Second of the day", date=day)

    titles = [item.findtext("title") for item in rss_items(client)]

    assert titles[:2] == [second.title, first.title]


def test_feed_holds_at_most_its_length(client, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_LENGTH", 1)
    NewsPageFactory(title="Newest", date=datetime.date(2030, 1, 1))

    assert [item.findtext("title") for item in rss_items(client)] == ["Newest"]
    assert [entry.findtext(f"{ATOM}title") for entry in atom_entries(client)] == ["Newest"]


# Atom --------------------------------------------------------------------------------------


def test_atom_feed_is_atom_newest_first_with_absolute_links(client):
    newest = NewsPageFactory(
        title="A new family hub opens", date=datetime.date(2030, 3, 1), tags=["family hubs"]
    )
    response = client.get("/news/feed/atom/")

    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    name = OrganisationSettings.objects.get().organisation_name
    assert root.findtext(f"{ATOM}title") == f"{name}: news"
    assert root.findtext(f"{ATOM}updated")
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "http://testserver/news/feed/atom/"

    entries = root.findall(f"{ATOM}entry")
    expected = [newest, *NewsPage.objects.live().exclude(pk=newest.pk).order_by("-date", "-pk")]
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [p.title for p in expected]
    first = entries[0]
    link = first.find(f"{ATOM}link").get("href")
    assert link == newest.get_full_url()
    assert link.startswith(("http://", "https://"))
    assert first.findtext(f"{ATOM}id") == link
    assert first.findtext(f"{ATOM}summary") == newest.summary
    assert first.findtext(f"{ATOM}published").startswith("2030-03-01T00:00:00")
    assert [c.get("term") for c in first.findall(f"{ATOM}category")] == ["family hubs"]
    for entry in entries:
        assert entry.find(f"{ATOM}link").get("href").startswith(("http://", "https://"))


# What never appears --------------------------------------------------------------------------


def test_drafts_unpublished_and_restricted_news_never_appear_in_either_feed(client):
    hidden = hidden_pages()

    rss_titles = {item.findtext("title") for item in rss_items(client)}
    atom_titles = {entry.findtext(f"{ATOM}title") for entry in atom_entries(client)}

    assert (
        rss_titles
        == atom_titles
        == set(NewsPage.objects.live().public().values_list("title", flat=True))
    )
    assert not rss_titles & hidden
    assert len(rss_titles) == 2


def test_news_below_an_unpublished_index_is_in_neither_feed(client):
    NewsIndexPage.objects.get().unpublish()
    assert rss_items(client) == []
    assert atom_entries(client) == []


# Sitemap and robots.txt ----------------------------------------------------------------------


def test_sitemap_lists_every_live_public_page_and_nothing_else(client):
    hidden = hidden_pages()

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    locations = [url.findtext(f"{SITEMAP}loc") for url in root.findall(f"{SITEMAP}url")]
    site = Site.objects.get(is_default_site=True)
    expected = {page.get_full_url() for page in Page.objects.live().public().in_site(site)}
    assert set(locations) == expected
    assert len(locations) == len(expected)
    assert all(location.startswith(("http://", "https://")) for location in locations)
    hidden_urls = {page.get_full_url() for page in Page.objects.filter(title__in=hidden)}
    assert not hidden_urls & set(locations)
    assert any(location.endswith("/principles/child-centred/") for location in locations)


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /django-admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert client.get("/sitemap.xml").status_code == 200


def test_an_editor_cannot_give_a_news_page_the_feeds_address(client, admin_client, news_page_form):
    """A news page at /news/feed/ would never be served: the feed answers there."""
    news_index = NewsIndexPage.objects.get()
    form = news_page_form(
        title="Feed the children",
        slug="feed",
        date="2030-01-15",
        summary="School meals over the holidays.",
    )
    add_url = reverse("wagtailadmin_pages:add", args=["news", "newspage", news_index.pk])
    response = admin_client.post(add_url, form)

    assert response.status_code == 200  # the form again, not a redirect to the new page
    assert "taken by the news feed" in str(response.context["form"].errors["slug"])
    assert not NewsPage.objects.filter(slug="feed").exists()
    assert rss_items(client) is not None
