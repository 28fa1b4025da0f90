"""The REST API (/api/v2/) answers each of a set of requests exactly as in the file
beside it (tests/rest_responses/): lists with various fields, types, filters, orders
and searches, details of every page type, images, and what is refused. Regenerate the
files with UPDATE_EXPECTED=1 and review the diff: it is what REST clients will see.

The content: the Southwark content and, beside it, news pages with tags, hero images and
bodies of every kind, pages no anonymous reader may see (a draft, an expired page, a
restricted one, pages below a restricted and below an unpublished page), an image in a
private collection and a second site.

Byte for byte: a body must be exactly the rendering of its JSON (`render`), and that
JSON, with what changes from run to run put into words, must equal the file's. What
changes: database ids (named by the page's slug, the image's title), stream block ids,
and the suffixes Django's storage adds to a media file name that is taken (the Southwark
content is loaded once for each module).
"""

import datetime
import json
import os
import re
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site

from home.models import HomePage
from tests.support.factories import (
    CollectionFactory,
    ImageFactory,
    NewsPageFactory,
    StandardPageFactory,
)

EXPECTED_DIR = Path(__file__).resolve().parent / "rest_responses"

FIELDS = "fields=date,summary,tags,hero_image"
NEWS = "type=news.NewsPage"
# name: (host, path), the path's {placeholders} being page ids by slug
CASES = {
    "pages": ("localhost", "/api/v2/pages/"),
    "pages-all-fields": ("localhost", "/api/v2/pages/?fields=*&limit=100"),
    "pages-title-only": ("localhost", "/api/v2/pages/?fields=_,title&limit=100"),
    "pages-some-left-out": ("localhost", "/api/v2/pages/?fields=-title,-html_url&offset=5"),
    "news-list": ("localhost", f"/api/v2/pages/?{NEWS}&{FIELDS}&limit=100"),
    "news-list-part": ("localhost", f"/api/v2/pages/?{NEWS}&{FIELDS}&limit=4&offset=3"),
    "news-list-default-fields": ("localhost", f"/api/v2/pages/?{NEWS}&limit=100"),
    "news-list-all-fields": ("localhost", f"/api/v2/pages/?{NEWS}&fields=*&limit=100"),
    "news-list-body": ("localhost", f"/api/v2/pages/?{NEWS}&fields=_,body,source_url"),
    "news-list-tags": ("localhost", f"/api/v2/pages/?{NEWS}&fields=_,tags&limit=100"),
    "news-list-hero-images": ("localhost", f"/api/v2/pages/?{NEWS}&fields=_,hero_image"),
    "news-list-meta": (
        "localhost",
        f"/api/v2/pages/?{NEWS}&fields=-detail_url,seo_title,search_description,"
        "show_in_menus,alias_of,locale",
    ),
    "news-by-date": ("localhost", f"/api/v2/pages/?{NEWS}&{FIELDS}&order=-date"),
    "news-by-title": ("localhost", f"/api/v2/pages/?{NEWS}&{FIELDS}&order=title&limit=5"),
    "news-by-first-published": (
        "localhost",
        f"/api/v2/pages/?{NEWS}&{FIELDS}&order=-first_published_at&offset=2",
    ),
    "news-filtered": ("localhost", f"/api/v2/pages/?{NEWS}&{FIELDS}&date=2021-03-01"),
    # Searches that find the same pages in the same order on SQLite and PostgreSQL.
    "news-searched": ("localhost", f"/api/v2/pages/?{NEWS}&{FIELDS}&search=zanzibar&order=date"),
    "pages-searched": ("localhost", "/api/v2/pages/?search=zanzibar&fields=*&order=-title"),
    "pages-searched-by-relevance": ("localhost", "/api/v2/pages/?search=rest%20news%2007"),
    "news-and-principles": (
        "localhost",
        "/api/v2/pages/?type=news.NewsPage,principles.PrinciplePage&fields=*&limit=100",
    ),
    "children-of-news": ("localhost", f"/api/v2/pages/?{NEWS}&{FIELDS}&child_of={{news}}"),
    "children-of-root": ("localhost", "/api/v2/pages/?child_of=root&fields=*"),
    "children-of-principles": ("localhost", "/api/v2/pages/?child_of={principles}&fields=*"),
    "descendants-of-home": ("localhost", "/api/v2/pages/?descendant_of={home}&limit=100"),
    "ancestors": ("localhost", "/api/v2/pages/?ancestor_of={rest-news-01}"),
    "home-pages": ("localhost", "/api/v2/pages/?type=home.HomePage&fields=*"),
    "standard-pages": ("localhost", "/api/v2/pages/?type=home.StandardPage&fields=*"),
    "news-detail": ("localhost", "/api/v2/pages/{rest-news-01}/"),
    "news-detail-private-image": ("localhost", "/api/v2/pages/{rest-news-03}/"),
    "news-detail-some-fields": ("localhost", "/api/v2/pages/{rest-news-02}/?fields=_,tags,body"),
    "southwark-news-detail": ("localhost", "/api/v2/pages/{ofsted-rates-childrens-services-good}/"),
    "home-detail": ("localhost", "/api/v2/pages/{home}/"),
    "news-index-detail": ("localhost", "/api/v2/pages/{news}/"),
    "principles-detail": ("localhost", "/api/v2/pages/{principles}/"),
    "principle-detail": ("localhost", "/api/v2/pages/{child-centred}/"),
    "vision-detail": ("localhost", "/api/v2/pages/{vision}/"),
    "benefits-detail": ("localhost", "/api/v2/pages/{working-here}/"),
    "standard-detail": ("localhost", "/api/v2/pages/{about}/"),
    "draft-detail": ("localhost", "/api/v2/pages/{rest-draft}/"),
    "restricted-detail": ("localhost", "/api/v2/pages/{rest-restricted}/"),
    "below-restricted-detail": ("localhost", "/api/v2/pages/{below-restricted}/"),
    "find-by-path": ("localhost", "/api/v2/pages/find/?html_path=/news/rest-news-01/"),
    "other-site-pages": ("other.example", "/api/v2/pages/?fields=*"),
    "other-site-detail": ("other.example", "/api/v2/pages/{elsewhere}/"),
    "other-sites-page-here": ("localhost", "/api/v2/pages/{elsewhere}/"),
    "images": ("localhost", "/api/v2/images/?limit=100"),
    "images-all-fields": ("localhost", "/api/v2/images/?fields=*&limit=100"),
    "image-detail": ("localhost", "/api/v2/images/{image Rest hero A}/"),
    "private-image-detail": ("localhost", "/api/v2/images/{image Rest private}/"),
    "unknown-field": ("localhost", f"/api/v2/pages/?{NEWS}&fields=nope"),
    "nested-fields-of-an-image": ("localhost", f"/api/v2/pages/?{NEWS}&fields=hero_image(url)"),
    "parent-in-a-list": ("localhost", f"/api/v2/pages/?{NEWS}&fields=parent"),
    "unknown-type": ("localhost", "/api/v2/pages/?type=nope.Nope"),
    "over-the-limit": ("localhost", "/api/v2/pages/?limit=101"),
}

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark", "rest_content")]


def body(*blocks):
    """A stream of (type, value) blocks, as stored (saving gives each block an id)."""
    return [{"type": kind, "value": value} for kind, value in blocks]


@pytest.fixture(scope="module")
def rest_content(southwark, django_db_blocker):
    """Pages and images beside the Southwark content, for every test of the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        public = CollectionFactory(name="Rest press photos")
        private = CollectionFactory(name="Rest private", password="secret")
        hero_a = ImageFactory(title="Rest hero A", collection=public, file__filename="rest-a.png")
        hero_b = ImageFactory(
            title="Rest hero B", file__width=1200, file__height=800, file__filename="rest-b.png"
        )
        hidden = ImageFactory(title="Rest private", collection=private, file__filename="rest-p.png")
        heroes = [hero_a, hero_b, hidden, None]
        tags = ["Fostering", "apple", "Zebra", "Éclair", "mixed Case"]
        summaries = ["the Zanzibar exchange.", "fostering in Southwark.", "a new hub."]
        home = HomePage.objects.get()
        for number in range(1, 13):
            NewsPageFactory(
                title=f"Rest news {number:02}",
                slug=f"rest-news-{number:02}",
                date=datetime.date(2021, 1, 1) + datetime.timedelta(days=59 * number),
                summary=f"Summary {number}: {summaries[number % 3]}",
                hero_image=heroes[number % 4],
                tags=tags[number % 5 : number % 5 + number % 3],
                source_url="https://example.org/news" if number % 2 else "",
                body=body(
                    ("paragraph", f"<p>Item {number}, <b>in bold</b>.</p>"),
                    ("image", {"image": heroes[number % 3].pk, "caption": "A caption"}),
                    ("quote", {"quote": "Q", "attribution": "A", "role": "R"}),
                    ("call_to_action", {"text": "Home", "page": home.pk, "url": ""}),
                    ("list", {"items": ["a", "b"], "ordered": number % 2 == 0}),
                ),
            )
        NewsPageFactory(slug="rest-draft", live=False)
        NewsPageFactory(slug="rest-restricted", password="secret")
        NewsPageFactory(slug="rest-expired", live=False, expired=True)
        restricted = StandardPageFactory(title="Restricted", slug="restricted")
        PageViewRestriction.objects.create(
            page=restricted, restriction_type=PageViewRestriction.LOGIN
        )
        StandardPageFactory(parent=restricted, slug="below-restricted")
        unpublished = StandardPageFactory(slug="unpublished", live=False)
        StandardPageFactory(parent=unpublished, slug="below-unpublished")
        other_root = StandardPageFactory(
            parent=Page.get_first_root_node(), title="Another council", slug="another-council"
        )
        StandardPageFactory(parent=other_root, title="Elsewhere", slug="elsewhere")
        Site.objects.create(hostname="other.example", root_page=other_root)
        # Published in tree order, an hour apart: an order that stays from run to run.
        first = timezone.make_aware(datetime.datetime(2024, 5, 1, 9, 30))
        for number, pk in enumerate(Page.objects.order_by("path").values_list("pk", flat=True)):
            published = first + datetime.timedelta(hours=number, microseconds=number)
            Page.objects.filter(pk=pk).update(first_published_at=published)
        yield
        transaction.set_rollback(True)


def render(data):
    """JSON as Django REST framework's renderer writes it for Wagtail's API views."""
    text = json.dumps(data, indent=4, ensure_ascii=False, separators=(",", ": "))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class Names:
    """Words for what changes from run to run (see the module's docstring)."""

    MEDIA_SUFFIX = re.compile(r"(/media/[\w/.-]+?)(?:_[A-Za-z0-9]{7})+(?=\.)")
    API_URL = re.compile(r"/api/v2/(pages|images)/(\d+)/")
    IMAGE_KEY = re.compile(r"wagtailimages\.image:(\d+)")
    PAGE_KEY = re.compile(r"\bpage:(\d+)")

    def __init__(self):
        self.pages = dict(Page.objects.values_list("pk", "slug"))
        self.images = dict(get_image_model().objects.values_list("pk", "title"))

    def page(self, pk):
        return f"<page {self.pages.get(pk, pk)}>"

    def image(self, pk):
        return f"<image {self.images.get(pk, pk)}>"

    def url_id(self, match):
        name = self.page if match[1] == "pages" else self.image
        return f"/api/v2/{match[1]}/{name(int(match[2]))}/"

    def text(self, value):
        value = self.MEDIA_SUFFIX.sub(r"\1", value)
        value = self.API_URL.sub(self.url_id, value)
        value = self.IMAGE_KEY.sub(lambda match: self.image(int(match[1])), value)
        return self.PAGE_KEY.sub(lambda match: self.page(int(match[1])), value)

    def of(self, value, key=None):
        if isinstance(value, dict):
            named = {name: self.of(item, name) for name, item in value.items()}
            if isinstance(value.get("id"), int) and "meta" in value:  # a page or an image
                is_image = value["meta"].get("type") == "wagtailimages.Image"
                named["id"] = (self.image if is_image else self.page)(value["id"])
            if isinstance(value.get("id"), str) and "value" in value:  # a stream block
                named["id"] = "<block>"
            return named
        if isinstance(value, list):
            return [self.of(item, key) for item in value]
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, int) and key in ("image", "page"):  # chosen in a stream block
            return (self.image if key == "image" else self.page)(value)
        return value


def request_path(path):
    """The path with page ids for `{slug}` and image ids for `{image title}`."""
    pages = {slug: pk for pk, slug in Page.objects.values_list("pk", "slug")}
    images = {
        f"image {title}": pk for pk, title in get_image_model().objects.values_list("pk", "title")
    }
    return path.format_map({**pages, **images})


@pytest.mark.parametrize("name", CASES)
def test_the_rest_api_answers_as_expected(client, name):
    host, path = CASES[name]
    response = client.get(request_path(path), HTTP_HOST=host)
    answer = response.content.decode()
    names = Names()
    seen = {
        "request": f"{host} {path}",
        "status": response.status_code,
        "location": names.text(response.get("Location", "")),
        "surrogate_keys": names.text(response.get("Surrogate-Key", "")),
    }
    if answer:
        data = json.loads(answer)
        assert answer == render(data), "the answer is not the renderer's JSON of its data"
        seen["body"] = names.of(data)

    expected_file = EXPECTED_DIR / f"{name}.json"
    if os.environ.get("UPDATE_EXPECTED"):
        EXPECTED_DIR.mkdir(exist_ok=True)
        expected_file.write_text(render(seen) + "\n")
    assert render(seen) + "\n" == expected_file.read_text()


def test_every_expected_answer_has_its_request():
    assert {path.stem for path in EXPECTED_DIR.glob("*.json")} == set(CASES)
