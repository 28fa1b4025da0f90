"""Every community language over GraphQL (and REST): `locale` and `fallbackLocales` on the entry
points, each item in the first language of the chain that has it live, the same items
and totals in every locale, `locale`, `requestedLocale`, `translations` and localised
URLs, refusals with their own codes, and cached answers retired by a translation."""

import json
import re

import pytest
from wagtail.models import Locale

from core import surrogate_keys
from home.models import Inspection
from news.models import NewsPage
from principles.models import PrinciplePage
from tests.support.factories import UserFactory, publish, translate
from webhooks.models import Change

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

ENABLED = "Enabled locales: en-GB, es, pt, ar."


@pytest.fixture
def locales():
    return {code: Locale.objects.get_or_create(language_code=code)[0] for code in ("es", "pt")}


PRINCIPLES = """query ($locale: String, $fallbackLocales: [String!]) {
  principles(locale: $locale, fallbackLocales: $fallbackLocales) {
    title url locale requestedLocale
  }
}"""


def test_a_list_answers_each_item_in_the_first_locale_of_the_chain_that_has_it(graphql, locales):
    fair = PrinciplePage.objects.get(slug="fair")
    translate(fair, locales["es"], title="Justo")
    reflective = PrinciplePage.objects.get(slug="reflective")
    translate(reflective, locales["pt"], title="Reflexivo")
    translate(reflective, locales["es"], title="Reflexivo (borrador)").unpublish()

    english = graphql(PRINCIPLES)["data"]["principles"]
    spanish = graphql(PRINCIPLES, {"locale": "es"})["data"]["principles"]
    chained = graphql(PRINCIPLES, {"locale": "ES", "fallbackLocales": ["pt"]})["data"]

    assert len(english) == len(spanish) == len(chained["principles"]) == 8
    assert {item["locale"] for item in english} == {"en-GB"}
    assert {item["requestedLocale"] for item in english} == {None}
    by_title = {item["title"]: item for item in spanish}
    assert by_title["Justo"] == {
        "title": "Justo",
        "url": "/es/principles/fair/",
        "locale": "es",
        "requestedLocale": None,
    }
    # Not translated (or the translation is not live): the source, saying what was asked.
    assert by_title["Reflective"]["locale"] == "en-GB"
    assert by_title["Reflective"]["requestedLocale"] == "es"
    assert by_title["Reflective"]["url"] == "/principles/reflective/"
    titles = [item["title"] for item in chained["principles"]]
    assert "Justo" in titles and "Reflexivo" in titles
    reflexivo = next(item for item in chained["principles"] if item["title"] == "Reflexivo")
    assert reflexivo["locale"] == "pt" and reflexivo["requestedLocale"] == "es"


def test_news_keeps_its_items_and_totals_in_every_locale(graphql, locales):
    query = """query ($locale: String) {
      newsItems(perPage: 1, locale: $locale) {
        items { title locale requestedLocale url }
        pagination { total totalPages }
      }
      newsItem(slug: "ofsted-rates-childrens-services-good", locale: $locale) { title locale }
    }"""
    newest = NewsPage.objects.order_by("-date").first()
    translate(newest, locales["es"], title="Noticia")
    ofsted = NewsPage.objects.get(slug="ofsted-rates-childrens-services-good")
    english, spanish = graphql(query)["data"], graphql(query, {"locale": "es"})["data"]
    assert spanish["newsItems"]["pagination"] == english["newsItems"]["pagination"]
    assert (
        english["newsItems"]["pagination"]["total"]
        == NewsPage.objects.filter(locale=Locale.get_default()).count()
    )
    assert spanish["newsItems"]["items"] == [
        {
            "title": "Noticia",
            "locale": "es",
            "requestedLocale": None,
            "url": f"/es/news/{newest.slug}/",
        }
    ]
    if ofsted.pk != newest.pk:
        assert spanish["newsItem"] == {"title": ofsted.title, "locale": "en-GB"}
    else:  # pragma: no cover (the seeds' newest is the 2017 release's neighbour)
        assert spanish["newsItem"] == {"title": "Noticia", "locale": "es"}


def test_a_page_by_path_or_id_its_translations_and_the_source_list(graphql, locales):
    fair = PrinciplePage.objects.get(slug="fair")
    spanish = translate(fair, locales["es"], title="Justo")
    translate(fair, locales["pt"], title="Justo (rascunho)").unpublish()
    query = """query ($locale: String) {
      page(urlPath: "/principles/fair/", locale: $locale) {
        title locale url translations { locale title url }
      }
      pages(contentType: "principles.PrinciplePage", limit: 100, locale: $locale) { title }
      everything: pages(limit: 100, locale: $locale) { title locale }
      nowhere: page(urlPath: "/nowhere/", locale: $locale) { title }
    }"""
    data = graphql(query, {"locale": "es"})["data"]
    assert data["page"]["title"] == "Justo" and data["page"]["url"] == "/es/principles/fair/"
    assert data["page"]["translations"] == [
        {"locale": "en-GB", "title": "Fair", "url": "/principles/fair/"},
        {"locale": "es", "title": "Justo", "url": "/es/principles/fair/"},
    ]
    assert len(data["pages"]) == 8 and "Justo" in {page["title"] for page in data["pages"]}
    assert data["nowhere"] is None
    everything = {(page["title"], page["locale"]) for page in data["everything"]}
    # The home and principles pages were translated (published) with it: in Spanish too.
    assert ("Justo", "es") in everything and {locale for _, locale in everything} == {
        "en-GB",
        "es",
    }
    # Without a locale, as before languages: the source language's pages only.
    english = graphql(query)["data"]
    assert english["page"]["title"] == "Fair" and len(english["pages"]) == 8
    assert len(english["everything"]) == len(data["everything"])
    assert {page["locale"] for page in english["everything"]} == {"en-GB"}
    by_id = graphql(f"{{ page(id: {spanish.pk}) {{ title locale }} }}")["data"]["page"]
    assert by_id == {"title": "Justo", "locale": "es"}


def test_snippets_fall_back_too(graphql, locales):
    latest = Inspection.objects.order_by("-published_on").first()
    translate(latest, locales["es"], overall_rating="Bueno")
    query = """query ($locale: String) {
      latestInspection(locale: $locale) { overallRating locale requestedLocale }
      inspections(locale: $locale) { overallRating locale requestedLocale highlights }
      testimonials(locale: $locale) { quote locale requestedLocale }
      snippets(locale: $locale) { ... on Testimonial { locale } ... on Inspection { locale } }
    }"""
    english, spanish = graphql(query)["data"], graphql(query, {"locale": "es"})["data"]
    assert spanish["latestInspection"] == {
        "overallRating": "Bueno",
        "locale": "es",
        "requestedLocale": None,
    }
    assert len(spanish["inspections"]) == len(english["inspections"]) >= 2
    assert spanish["inspections"][0]["highlights"] == english["inspections"][0]["highlights"]
    assert spanish["inspections"][1]["requestedLocale"] == "es"
    assert len(spanish["testimonials"]) == len(english["testimonials"]) > 0
    assert {item["locale"] for item in spanish["testimonials"]} == {"en-GB"}
    assert len(spanish["snippets"]) == len(english["snippets"])
    assert {"es", "en-GB"} == {item["locale"] for item in spanish["snippets"]}


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        ('locale: "xx"', "UNSUPPORTED_LOCALE", "locale: 'xx' is not an enabled locale."),
        ('locale: "fr"', "UNSUPPORTED_LOCALE", "locale: 'fr' is not an enabled locale."),
        ('locale: "not a tag"', "MALFORMED_LOCALE", "is not a BCP 47 language tag."),
        (
            'fallbackLocales: ["es", "en-GB", "pt", "ar", "es"]',
            "TOO_MANY_FALLBACK_LOCALES",
            "at most 4",
        ),
        ('locale: "es", fallbackLocales: ["es_ES"]', "MALFORMED_LOCALE", "fallbackLocales"),
    ],
)
@pytest.mark.parametrize(
    "field", ["principles { title }", 'page(urlPath: "/") { title }', "testimonials { quote }"]
)
def test_a_refused_locale_is_an_error_naming_the_enabled_ones(
    graphql, field, arguments, code, message
):
    name, _, selection = field.partition(" ")
    if "(" in name:
        name, _, rest = field.partition("(")
        query = f"{{ {name}({arguments}, {rest} }}"
    else:
        query = f"{{ {name}({arguments}) {selection} }}"
    body = graphql(query)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code
    assert message in error["message"] and error["message"].endswith(ENABLED)
    assert body["data"] is None or body["data"][name.strip()] is None


def test_publishing_a_translation_retires_the_answers_that_fell_back(
    client, locales, django_capture_on_commit_callbacks
):
    query = '{ page(urlPath: "/principles/fair/", locale: "es") { title locale } }'

    def ask():
        return client.post("/graphql/", {"query": query}, content_type="application/json")

    before = ask()
    fair = PrinciplePage.objects.get(slug="fair")
    assert surrogate_keys.translation_key_of(fair) in before["Surrogate-Key"].split()
    assert before.json()["data"]["page"] == {"title": "Fair", "locale": "en-GB"}
    with django_capture_on_commit_callbacks(execute=True):
        translate(fair, locales["es"], title="Justo")
    assert ask().json()["data"]["page"] == {"title": "Justo", "locale": "es"}


def test_rest_answers_in_a_locale_with_the_same_rules(client, locales):
    fair = PrinciplePage.objects.get(slug="fair")
    spanish = translate(fair, locales["es"], title="Justo")
    listing = "/api/v2/pages/?type=principles.PrinciplePage&fields=title&limit=100"
    english = client.get(listing).json()
    in_spanish = client.get(f"{listing}&locale=es&fallback_locales=pt").json()
    assert in_spanish["meta"]["total_count"] == english["meta"]["total_count"] == 8
    titles = {item["title"]: item for item in in_spanish["items"]}
    assert titles["Justo"]["id"] == spanish.pk and titles["Justo"]["meta"]["locale"] == "es"
    assert titles["Justo"]["meta"]["html_url"].endswith("/es/principles/fair/")
    assert titles["Reflective"]["meta"]["locale"] == "en-gb"
    detail = client.get(f"/api/v2/pages/{fair.pk}/?locale=es").json()
    assert (detail["id"], detail["title"]) == (spanish.pk, "Justo")
    assert client.get(f"/api/v2/pages/{fair.pk}/").json()["title"] == "Fair"
    refused = client.get(f"{listing}&locale=xx")
    assert refused.status_code == 400
    assert refused.json()["message"].endswith(ENABLED)
    assert client.get(f"{listing}&fallback_locales=es,,bad tag").status_code == 400


def test_events_carry_the_locale_and_the_source_id(
    graphql, locales, django_capture_on_commit_callbacks
):
    fair = PrinciplePage.objects.get(slug="fair")
    latest = Inspection.objects.order_by("-published_on").first()
    with django_capture_on_commit_callbacks(execute=True):
        spanish = translate(fair, locales["es"], title="Justo")
        translated = translate(latest, locales["es"], overall_rating="Bueno")
        publish(fair)
    query = "{ changes(limit: 100) { events { type contentType id locale sourceId } } }"
    events = graphql(query)["data"]["changes"]["events"]
    published = {(event["id"], event["locale"], event["sourceId"]) for event in events}
    assert {
        (str(spanish.pk), "es", str(fair.pk)),
        (str(translated.pk), "es", str(latest.pk)),
        (str(fair.pk), "en-GB", str(fair.pk)),
    } <= published
    body = json.loads(
        Change.objects.get(object_id=spanish.pk, event="page.published").webhook_body()
    )
    assert (body["locale"], body["sourceId"]) == ("es", fair.pk)


def test_search_in_a_locale_finds_each_languages_words_and_answers_in_the_chain(graphql, locales):
    fair = PrinciplePage.objects.get(slug="fair")
    translate(fair, locales["es"], title="Justo", summary="Equidad para cada familia.")
    query = """query ($words: String!, $locale: String) {
      search(query: $words, locale: $locale) { title locale requestedLocale }
    }"""
    assert graphql(query, {"words": "equidad"})["data"]["search"] == []
    spanish = graphql(query, {"words": "equidad", "locale": "es"})["data"]["search"]
    assert spanish == [{"title": "Justo", "locale": "es", "requestedLocale": None}]
    # A match in the source language is answered in the locale where it is translated,
    # else in the source, saying what was asked.
    english_words = graphql(query, {"words": "fair", "locale": "es"})["data"]["search"]
    assert {"title": "Justo", "locale": "es", "requestedLocale": None} in english_words
    reflective = graphql(query, {"words": "reflective", "locale": "pt"})["data"]["search"]
    assert reflective and {item["requestedLocale"] for item in reflective} == {"pt"}
    limited = graphql('{ search(query: "social", locale: "es", limit: 1) { title } }')
    limited = limited["data"]["search"]
    assert len(limited) == 1


def test_pages_say_their_language_and_direction_and_right_to_left_ones_read_so(client):
    arabic = Locale.objects.get_or_create(language_code="ar")[0]
    fair = PrinciplePage.objects.get(slug="fair")
    translate(fair, arabic, title="عادل")
    english = client.get("/principles/fair/")
    assert english.status_code == 200
    assert '<html lang="en-GB" dir="ltr">' in english.content.decode()
    rtl = client.get("/ar/principles/fair/")
    assert rtl.status_code == 200
    assert '<html lang="ar" dir="rtl">' in rtl.content.decode() and "عادل" in rtl.content.decode()
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert '<html lang="en-GB" dir="ltr">' in missing.content.decode()


def test_the_page_not_found_under_a_language_prefix_is_in_that_language_and_direction(client):
    for path, html_element in (
        ("/ar/does-not-exist/", '<html lang="ar" dir="rtl">'),
        ("/es/does-not-exist/", '<html lang="es" dir="ltr">'),
    ):
        missing = client.get(path)
        assert missing.status_code == 404
        html = missing.content.decode()
        assert html_element in html
        # The council's English words, marked as English: no translation invented.
        assert re.search(r'<div lang="en-GB" dir="ltr">\s*<h1>Page not found</h1>', html)


def test_the_sitemap_lists_each_translation_with_hreflang_alternates(client, locales):
    fair = PrinciplePage.objects.get(slug="fair")
    translate(fair, locales["es"], title="Justo")
    draft = translate(PrinciplePage.objects.get(slug="reflective"), locales["pt"])
    draft.unpublish()
    sitemap = client.get("/sitemap.xml").content.decode()
    base = "http://localhost"
    english, spanish = f"{base}/principles/fair/", f"{base}/es/principles/fair/"
    assert f"<loc>{spanish}</loc>" in sitemap and f"<loc>{english}</loc>" in sitemap
    for hreflang, href in (("en-GB", english), ("es", spanish), ("x-default", english)):
        link = f'<xhtml:link rel="alternate" hreflang="{hreflang}" href="{href}"/>'
        assert sitemap.count(link) == 2, link  # under the source's <url> and the translation's
    assert "/pt/principles/reflective/" not in sitemap
    assert sitemap.count('hreflang="x-default"') == sitemap.count('hreflang="es"')


def test_each_language_has_its_news_feeds(client, locales):
    newest = NewsPage.objects.order_by("-date", "-pk").first()
    translate(newest, locales["es"], title="Noticia")
    english = client.get("/news/feed/").content.decode()
    spanish = client.get("/es/news/feed/").content.decode()
    atom = client.get("/es/news/feed/atom/").content.decode()
    assert "<language>en-gb</language>" in english and "Noticia" not in english
    assert "<language>es</language>" in spanish and "<title>Noticia</title>" in spanish
    assert f"/es/news/{newest.slug}/" in spanish
    assert spanish.count("<item>") == english.count("<item>") > 1
    assert 'xml:lang="es"' in atom and "Noticia" in atom
    assert client.get("/fr/news/feed/").status_code == 404


def test_translations_go_through_the_same_sign_off_as_their_source(locales):
    fair = PrinciplePage.objects.get(slug="fair")
    spanish = translate(fair, locales["es"], title="Justo")
    inspection = translate(Inspection.objects.first(), locales["es"], overall_rating="Bueno")
    editor = UserFactory(role="Editors")
    moderator = UserFactory(role="Moderators")
    assert spanish.get_workflow().name == fair.get_workflow().name == "Moderators approval"
    assert inspection.get_workflow().name == "Moderators approval"
    assert spanish.permissions_for_user(editor).can_edit()
    assert not spanish.permissions_for_user(editor).can_publish()
    assert spanish.permissions_for_user(moderator).can_publish()
    assert not editor.has_perm("home.publish_inspection")
    assert moderator.has_perm("home.publish_inspection")
