"""Caching stays exact in every language: publishing, unpublishing or changing a
translation, or its source, leaves no stale answer in any locale: not in the response
cache, not in what each process keeps (pages' parts of answers, news list items), not
in a CDN, whose purge names a key of every answer that changed. An answer that fell
back to English before a translation existed is among them. Persisted queries and
trusted documents take `locale` as a variable, each locale its own cached answer.

(An empty site, committed for real: nothing is kept inside a transaction.)"""

import hashlib
import io
import json
from http.server import BaseHTTPRequestHandler

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.actions.convert_alias import ConvertAliasPageAction
from wagtail.models import Locale

from api.graphql import persisted
from api.graphql.fragments import fragments
from core import memo
from news.models import NewsIndexPage, NewsPage
from news.schema import news_items
from tests.support.factories import NewsIndexPageFactory, NewsPageFactory, publish, translate
from tests.support.webhook_receiving import LocalServer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIST = """query ($locale: String, $fallbackLocales: [String!]) {
  newsItems(perPage: 10, locale: $locale, fallbackLocales: $fallbackLocales) {
    items {
      title url locale requestedLocale
      translations { locale title url }
      parent { title }
    }
    pagination { total }
  }
}"""
ITEM = """query ($locale: String, $fallbackLocales: [String!]) {
  page(urlPath: "/news/item-1/", locale: $locale, fallbackLocales: $fallbackLocales) {
    title url locale requestedLocale translationOutdated
    translations { locale title url }
    parent { title }
  }
}"""
QUERIES = {"list": LIST, "item": ITEM}
# The languages asked for: none (the source, as before languages), Spanish falling back
# to Portuguese, Portuguese.
ASKED = {"en": {}, "es": {"locale": "es", "fallbackLocales": ["pt"]}, "pt": {"locale": "pt"}}


class PurgeRecorder(BaseHTTPRequestHandler):
    """A stand-in for Varnish's purge endpoint: records the keys of each PURGE."""

    purged = []

    def do_PURGE(self):
        self.purged.append(set(self.headers["xkey-purge"].split()))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def purged(settings):
    """The keys purged from Varnish since the test began (the sets of every purge)."""
    PurgeRecorder.purged = []
    server = LocalServer()
    server.serve(PurgeRecorder)
    settings.CDN_PURGE_BACKEND = "varnish"
    settings.VARNISH_PURGE_URLS = [server.origin + "/"]
    with server:
        yield PurgeRecorder.purged


@pytest.fixture
def site():
    """Three news items; the second translated into Spanish (its news index and home page
    with it), none into Portuguese: Spanish asks fall back for the others, Portuguese
    for all."""
    locales = {code: Locale.objects.get_or_create(language_code=code)[0] for code in ("es", "pt")}
    index = NewsIndexPageFactory(title="News", slug="news")
    items = [NewsPageFactory(parent=index, title=f"Item {n}", slug=f"item-{n}") for n in range(3)]
    spanish = translate(items[1], locales["es"], title="Noticia 1", slug="noticia-1")
    return {"locales": locales, "index": index, "items": items, "spanish": spanish}


def ask(client, query, variables):
    response = client.get("/graphql/", {"query": query, "variables": json.dumps(variables)})
    assert response.status_code == 200, response.content
    assert "errors" not in response.json(), response.json()
    return response


def answers(client, cache_buster):
    """Every query in every language, twice: as asked before (answered by the response
    cache where it holds it) and with a variable no query declares (answered afresh,
    from pages' parts and list items kept, as a front end's cache-busting parameter
    would have it)."""
    made = {}
    for name, query in QUERIES.items():
        for language, variables in ASKED.items():
            made[name, language] = ask(client, query, variables)
            made[name, language, "made again"] = ask(
                client, query, {**variables, "cacheBuster": cache_buster}
            )
    return made


def bodies(responses):
    return {asked: response.json() for asked, response in responses.items()}


def publish_a_translation(site):
    translate(site["items"][0], site["locales"]["es"], title="Noticia 0", slug="noticia-0")


def change_a_translation(site):
    spanish = NewsPage.objects.get(pk=site["spanish"].pk)
    spanish.title = "Noticia 1, corregida"
    publish(spanish)


def change_its_source(site):
    source = NewsPage.objects.get(pk=site["items"][1].pk)
    source.title = "Item 1, corrected"
    publish(source)


def correct_its_source(site):
    source = NewsPage.objects.get(pk=site["items"][1].pk)
    source.summary = "Corrected."  # a minor change (the default), its title kept
    publish(source)


def change_its_source_in_a_major_way(site):
    source = NewsPage.objects.get(pk=site["items"][1].pk)
    source.summary, source.change_kind = "Changed.", "major"
    source.change_note = "The summary changed."
    publish(source)


def rename_its_source(site):
    source = NewsPage.objects.get(pk=site["items"][1].pk)
    source.slug = "item-one"
    publish(source)


def unpublish_a_translation(site):
    NewsPage.objects.get(pk=site["spanish"].pk).unpublish()


def delete_a_translation(site):
    NewsPage.objects.get(pk=site["spanish"].pk).delete()


def publish_a_translation_for_another_fallback(site):
    translate(site["items"][2], site["locales"]["pt"], title="Notícia 2", slug="noticia-2")


def change_a_translated_parent(site):
    # Made with its child's translation as an alias of its source: translated, it is not.
    spanish_index = site["index"].get_translation(site["locales"]["es"]).specific
    ConvertAliasPageAction(spanish_index).execute(skip_permission_checks=True)
    spanish_index.title = "Noticias"
    publish(spanish_index)


def change_the_source_parent(site):
    index = NewsIndexPage.objects.get(pk=site["index"].pk)
    index.title = "Latest news"
    publish(index)


# Each change, and the answers it must show in (by query and language asked).
CHANGES = {
    "publish a translation (answers fell back before)": (
        publish_a_translation,
        {("list", "es"), ("list", "en")},
    ),
    "change a translation": (
        change_a_translation,
        {("list", "es"), ("item", "es"), ("item", "en")},
    ),
    "change its source": (
        change_its_source,
        {("list", "en"), ("list", "es"), ("list", "pt"), ("item", "es"), ("item", "pt")},
    ),
    # What the translation shows of its source (title, URL) is unchanged: nothing is.
    "correct its source, title kept": (correct_its_source, set()),
    "change its source in a major way, title kept": (
        change_its_source_in_a_major_way,
        {("item", "es")},  # out of date
    ),
    "rename its source": (rename_its_source, {("list", "en"), ("list", "es"), ("list", "pt")}),
    "unpublish a translation": (
        unpublish_a_translation,
        {("list", "es"), ("item", "es"), ("item", "en"), ("item", "pt")},
    ),
    "delete a translation": (delete_a_translation, {("list", "es"), ("item", "es")}),
    "publish a translation in a fallback": (
        publish_a_translation_for_another_fallback,
        {("list", "es"), ("list", "pt"), ("list", "en")},
    ),
    "change a translated parent": (change_a_translated_parent, {("list", "es"), ("item", "es")}),
    "change the source's parent": (
        change_the_source_parent,
        {("list", "en"), ("list", "pt"), ("item", "en"), ("item", "pt")},
    ),
}


@pytest.mark.parametrize(("change", "shows_in"), CHANGES.values(), ids=CHANGES.keys())
def test_every_change_to_a_language_shows_at_once_in_every_language(
    client, site, purged, change, shows_in
):
    before = answers(client, "before")
    assert bodies(answers(client, "before")) == bodies(before)  # now made from what was kept
    assert fragments.hits > 0 and news_items.hits > 0

    purged.clear()
    change(site)
    after = bodies(answers(client, "after"))
    cache.clear()  # the shared cache's answers, and what this process keeps
    memo.clear_all()
    assert after == bodies(answers(client, "afresh"))  # what is made with nothing kept
    changed = {asked for asked in after if after[asked] != before[asked].json()}
    assert {(name, language) for name, language, *_ in changed} >= shows_in
    # A CDN holding any answer that changed is told to purge it: a key it was sent
    # with is among those purged.
    purged_keys = set().union(*purged)
    for asked in changed:
        assert purged_keys & set(before[asked]["Surrogate-Key"].split()), asked


def test_a_source_published_again_with_its_title_kept_leaves_its_translations_parts_kept(
    client, site
):
    publish(site["items"][1])  # its first publishing (a major change) done with
    spanish = {"locale": "es"}
    first = ask(client, ITEM, {**spanish, "cacheBuster": "first"}).json()
    made = fragments.misses
    correct_its_source(site)
    # Made again (a new variable), from the Spanish page's part kept.
    assert ask(client, ITEM, {**spanish, "cacheBuster": "corrected"}).json() == first
    assert fragments.misses == made

    change_its_source(site)  # retitled: the Spanish page lists it by its title
    retitled = ask(client, ITEM, {**spanish, "cacheBuster": "retitled"}).json()
    assert fragments.misses > made
    assert {"locale": "en-GB", "title": "Item 1, corrected", "url": "/news/item-1/"} in (
        retitled["data"]["page"]["translations"]
    )


def test_an_answer_that_fell_back_is_cached_until_the_translation_is_published(client, site):
    spanish = {"locale": "es"}
    fell_back, again = ask(client, ITEM.replace("item-1", "item-2"), spanish), None
    assert fell_back.json()["data"]["page"]["locale"] == "en-GB"
    assert fell_back.json()["data"]["page"]["requestedLocale"] == "es"
    with CaptureQueriesContext(connection) as sql:
        again = ask(client, ITEM.replace("item-1", "item-2"), spanish)
    assert len(sql) == 0 and again.content == fell_back.content  # the response cache's

    translate(site["items"][2], site["locales"]["es"], title="Noticia 2", slug="noticia-2")
    answered = ask(client, ITEM.replace("item-1", "item-2"), spanish).json()["data"]["page"]
    assert (answered["title"], answered["locale"], answered["requestedLocale"]) == (
        "Noticia 2",
        "es",
        None,
    )
    assert answered["url"] == "/es/news/noticia-2/"


def test_a_list_in_a_language_made_again_reads_no_more_sql_than_in_english(client, site):
    """Which version answers each item is kept, as the items are, until a page changes:
    a list in a language made again (another variable: not the response cache's answer)
    reads what the same list in English reads (`make bench`'s l and l-en)."""

    def sql_made_again(variables):
        ask(client, LIST, {**variables, "cacheBuster": "first"})
        with CaptureQueriesContext(connection) as sql:
            ask(client, LIST, {**variables, "cacheBuster": "again"})
        return [query["sql"] for query in sql.captured_queries]

    in_english, in_spanish = sql_made_again(ASKED["en"]), sql_made_again(ASKED["es"])
    assert len(in_spanish) == len(in_english), "\n".join(in_spanish)


def sha(query):
    return hashlib.sha256(query.encode()).hexdigest()


def by_hash(client, query, variables):
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}}
    return client.get(
        "/graphql/", {"extensions": json.dumps(extensions), "variables": json.dumps(variables)}
    )


def titles(response):
    return [item["title"] for item in response.json()["data"]["newsItems"]["items"]]


def test_a_persisted_query_takes_the_locale_as_a_variable(client, site):
    persisted._known.clear()
    registered = client.post(
        "/graphql/",
        {
            "query": LIST,
            "variables": {"locale": "es"},
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(LIST)}},
        },
        content_type="application/json",
    )
    assert "Noticia 1" in titles(registered)
    english, spanish = by_hash(client, LIST, {}), by_hash(client, LIST, {"locale": "es"})
    assert titles(english) == ["Item 2", "Item 1", "Item 0"]
    assert "Noticia 1" in titles(spanish) and spanish["ETag"] != english["ETag"]
    assert spanish["Cache-Control"].startswith("public")
    assert by_hash(client, LIST, {"locale": "xx"}).json()["errors"][0]["extensions"]["code"] == (
        "UNSUPPORTED_LOCALE"
    )

    publish_a_translation(site)
    assert "Noticia 0" in titles(by_hash(client, LIST, {"locale": "es"}))
    assert "Noticia 0" not in titles(by_hash(client, LIST, {}))


def test_a_trusted_document_takes_the_locale_as_a_variable(client, site, tmp_path):
    persisted._known.clear()
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({sha(LIST): LIST}))
    call_command("register_documents", str(manifest), stdout=io.StringIO())
    with override_settings(GRAPHQL_TRUSTED_DOCUMENTS_ONLY=True):
        spanish = by_hash(client, LIST, {"locale": "es", "fallbackLocales": ["pt"]})
        assert "Noticia 1" in titles(spanish)
        unpublish_a_translation(site)
        assert "Noticia 1" not in titles(by_hash(client, LIST, {"locale": "es"}))
        refused = by_hash(client, LIST, {"locale": "not a tag"})
        assert refused.json()["errors"][0]["extensions"]["code"] == "MALFORMED_LOCALE"
    persisted._known.clear()
