"""Every documented query costs the same SQL at 10 and at 100 list items, and at most 12,
and the same again with 1,000 more news pages; a REST list of pages costs the same SQL
at 10 and at 100 items, and at most 10.

The content grows from 10 to 100 of everything a documented query lists: news pages
(each with a hero image, tags and a body choosing an image and a page), principles with
icons, featured testimonials, inspections and images; then by 1,000 demo news pages (the
benchmark's generator, fast in bulk). Each request is measured with the per-process
memos emptied (core/content_version.py), so what they would hide (a query a row) still
shows.
"""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.models import Locale

from api.graphql.media import list_renditions
from core import visibility
from home.models import HomePage, Inspection
from news.models import NewsPage
from news.schema import news_items
from principles.models import PrinciplePage
from tests.support.factories import (
    FeaturedTestimonialFactory,
    ImageFactory,
    InspectionFactory,
    NewsPageFactory,
    PrinciplePageFactory,
    translate,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

QUERIES_DIR = Path(__file__).resolve().parents[1] / "docs" / "queries"
QUERY_FILES = sorted(QUERIES_DIR.glob("*.graphql"))
MAX_QUERIES = 12
# The documented reads in a language, with half their items falling back.
LOCALE_QUERY_FILES = [path for path in QUERY_FILES if path.stem.endswith("-in-locale")]
LIST_VARIABLES = ("perPage", "limit")

# The REST lists of bench/scenarios.py's (d), of the default fields and of every field.
REST_LISTS = (
    "/api/v2/pages/?type=news.NewsPage&fields=date,summary,tags,hero_image",
    "/api/v2/pages/?type=news.NewsPage",
    "/api/v2/pages/?type=news.NewsPage&fields=*",
    "/api/v2/pages/?fields=*",
)
MAX_REST_QUERIES = 10


def grow_to(size, image):
    """Add content until every listed kind has at least `size` items."""
    home = HomePage.objects.get(locale=Locale.get_default())  # the source language's
    for number in range(NewsPage.objects.count(), size):
        NewsPageFactory(
            title=f"Scale news {number}",
            date=datetime.date(2020, 1, 1) + datetime.timedelta(days=number),
            summary="Scale",
            hero_image=image,
            body=[
                {"type": "paragraph", "value": "<p>Scale</p>"},
                {"type": "quote", "value": {"quote": "Q", "attribution": "A", "role": "R"}},
                {"type": "list", "value": {"items": ["a", "b"], "ordered": False}},
                {"type": "image", "value": {"image": image.pk, "caption": "C"}},
                {"type": "call_to_action", "value": {"text": "T", "page": home.pk, "url": ""}},
            ],
            tags=[f"scale-{number % 3}", "scale"],
        )
    for number in range(PrinciplePage.objects.count(), size):
        PrinciplePageFactory(title=f"Scale principle {number}", summary="Scale", icon=image)
    for number in range(home.testimonial_placements.count(), size):
        FeaturedTestimonialFactory(
            testimonial__quote=f"Scale {number}",
            testimonial__attribution="Scale",
            sort_order=number,
        )
    for number in range(Inspection.objects.count(), size):
        InspectionFactory(
            inspectorate="Scale",
            published_on=datetime.date(2000, 1, 1) + datetime.timedelta(days=number),
            summary="Scale",
        )
    for _ in range(get_image_model().objects.count(), size):
        ImageFactory(title="Scale image", description="Scale")


def query_count(client, query_file):
    variables_file = query_file.with_suffix(".variables.json")
    variables = json.loads(variables_file.read_text()) if variables_file.exists() else {}
    variables.update({name: 100 for name in LIST_VARIABLES if name in variables})
    return body_query_count(client, {"query": query_file.read_text(), "variables": variables})


def body_query_count(client, body):
    # Once to create any image renditions asked for (a one-off per image), then measured.
    client.post("/graphql/", body, content_type="application/json")
    visibility.facts.clear()
    news_items.clear()
    list_renditions.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/graphql/", body, content_type="application/json")
    assert "errors" not in response.json(), response.json()
    return len(captured), [q["sql"] for q in captured.captured_queries]


def test_documented_queries_cost_constant_sql(client, settings):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0  # measure the work, not the cache
    image = ImageFactory(title="Scale hero", description="Scale")
    grow_to(10, image)
    at_ten = {path.stem: query_count(client, path) for path in QUERY_FILES}
    grow_to(100, image)
    at_hundred = {path.stem: query_count(client, path) for path in QUERY_FILES}

    call_command("generate_demo_news", count=1_000, seed=1, stdout=io.StringIO())
    at_more = {path.stem: query_count(client, path) for path in QUERY_FILES}

    report = {name: (at_ten[name][0], at_hundred[name][0], at_more[name][0]) for name in at_ten}
    print("\nSQL queries at 10 and 100 items, and with 1,000 more news pages:", report)
    for name, (ten, hundred, more) in report.items():
        assert ten > 0, f"{name}: answered without the database (from a cache?)"
        assert ten == hundred, f"{name}: {ten} queries at 10 items, {hundred} at 100\n" + "\n".join(
            at_hundred[name][1]
        )
        assert hundred <= MAX_QUERIES, f"{name}: {hundred} queries\n" + "\n".join(
            at_hundred[name][1]
        )
        assert more == hundred, f"{name}: {more} queries with 1,000 more news pages\n" + (
            "\n".join(at_more[name][1])
        )


def rest_query_count(client, url):
    client.get(url)  # renditions are made on the first request (a one-off per image)
    visibility.facts.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), [q["sql"] for q in captured.captured_queries]


def test_rest_lists_cost_constant_sql(client):
    image = ImageFactory(title="Scale hero", description="Scale")
    grow_to(10, image)
    at_ten = {path: rest_query_count(client, f"{path}&limit=10") for path in REST_LISTS}
    grow_to(100, image)
    at_hundred = {path: rest_query_count(client, f"{path}&limit=100") for path in REST_LISTS}

    report = {path: (at_ten[path][0], at_hundred[path][0]) for path in REST_LISTS}
    print("\nSQL queries of REST lists at 10 and 100 items:", report)
    for path, (ten, hundred) in report.items():
        assert ten == hundred, f"{path}: {ten} queries at 10 items, {hundred} at 100\n" + (
            "\n".join(at_hundred[path][1])
        )
        assert hundred <= MAX_REST_QUERIES, f"{path}: {hundred} queries\n" + "\n".join(
            at_hundred[path][1]
        )


def translate_half():
    """Every other news page and principle into Spanish (the documented reads' language
    or first fallback), every fourth into Portuguese: half of each list falls back."""
    spanish, portuguese = (
        Locale.objects.get_or_create(language_code=code)[0] for code in ["es", "pt"]
    )
    Locale.objects.get_or_create(language_code="ar")
    for model in (NewsPage, PrinciplePage):
        sources = model.objects.filter(locale=Locale.get_default()).order_by("pk")
        for number, page in enumerate(sources):
            for locale, every in ((spanish, 2), (portuguese, 4)):
                if number % every == 0 and not page.has_translation(locale):
                    translate(page, locale, title=f"{page.title} ({locale.language_code})")


# Lists with each item's translations (for a language switcher): read for a list at once.
TRANSLATIONS_OF_LISTS = {
    "news list's translations": """{
      newsItems(perPage: 100, locale: "es") { items { title translations { locale url } } }
    }""",
    "principles' translations": """{
      principles(locale: "es", fallbackLocales: ["pt"]) { title translations { locale url } }
    }""",
    # Whether each is out of date against its source: read for a list at once too.
    "news list's translationOutdated": """{
      newsItems(perPage: 100, locale: "es") { items { title translationOutdated } }
    }""",
}


def test_documented_queries_in_a_locale_with_fallback_cost_constant_sql(client, settings):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    image = ImageFactory(title="Scale hero", description="Scale")

    def counts():
        made = {path.stem: query_count(client, path) for path in LOCALE_QUERY_FILES}
        for name, query in TRANSLATIONS_OF_LISTS.items():
            made[name] = body_query_count(client, {"query": query})
        return made

    grow_to(10, image)
    translate_half()
    at_ten = counts()
    grow_to(100, image)
    translate_half()
    at_hundred = counts()

    report = {name: (at_ten[name][0], at_hundred[name][0]) for name in at_ten}
    print("\nSQL queries in a locale with fallback at 10 and 100 items:", report)
    assert len(report) == 6
    for name, (ten, hundred) in report.items():
        assert ten == hundred, f"{name}: {ten} queries at 10 items, {hundred} at 100\n" + (
            "\n".join(at_hundred[name][1])
        )
        assert hundred <= MAX_QUERIES, f"{name}: {hundred} queries\n" + "\n".join(
            at_hundred[name][1]
        )
