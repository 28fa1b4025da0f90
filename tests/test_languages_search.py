"""Search in a language reads its words as that language does: on PostgreSQL each page is
indexed, and each search in a locale read, with its language's text search configuration
(stemming and stop words; `simple` where PostgreSQL has none); SQLite matches words as
written, in every language, and never fails for one."""

import pytest
from django.db import connection
from modelsearch.backends.database.postgres.postgres import IndexEntry
from wagtail.models import Locale

from core.search import text_search_config
from principles.models import PrinciplePage
from tests.support.factories import translate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

SEARCH = """query ($words: String!, $locale: String) {
  search(query: $words, locale: $locale) { title locale requestedLocale }
}"""
POSTGRESQL = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's stemming")


@pytest.fixture
def translated_fair():
    """The 'fair' principle in Spanish and in Arabic."""
    fair = PrinciplePage.objects.get(slug="fair")
    spanish = Locale.objects.get_or_create(language_code="es")[0]
    arabic = Locale.objects.get_or_create(language_code="ar")[0]
    return {
        "es": translate(fair, spanish, title="Justo", summary="Los niños y sus familias."),
        "ar": translate(fair, arabic, title="عادل", summary="الأطفال والعائلات."),
    }


def found(graphql, words, locale):
    body = graphql(SEARCH, {"words": words, "locale": locale})
    assert "errors" not in body, body
    return [(page["title"], page["locale"]) for page in body["data"]["search"]]


@POSTGRESQL
def test_a_search_in_spanish_finds_the_forms_of_a_word_by_their_stem(graphql, translated_fair):
    # "niña" and "niños" share the Spanish stem "niñ" (English stems them apart).
    for words in ("niños", "niño", "niña", "familia"):
        assert ("Justo", "es") in found(graphql, words, "es"), words
    # Stop words are Spanish ones: "los" alone is no word to find.
    assert ("Justo", "es") not in found(graphql, "los", "es")
    (body,) = IndexEntry.objects.filter(object_id=str(translated_fair["es"].pk)).values_list(
        "body", flat=True
    )
    assert "'niñ'" in body and "'los'" not in body


@POSTGRESQL
def test_each_language_has_its_configuration_or_plain_words(graphql, translated_fair):
    assert [text_search_config(code) for code in ("en-gb", "es", "pt", "ar", "so")] == [
        "english",
        "spanish",
        "portuguese",
        "arabic",  # PostgreSQL 12 and later have one
        "simple",  # none for Somali: words as written
    ]
    # Arabic's stemmer reads a word with its article and without it as one.
    assert ("عادل", "ar") in found(graphql, "أطفال", "ar")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's full text search")
def test_sqlite_matches_words_as_written_in_every_language(graphql, translated_fair):
    assert ("Justo", "es") in found(graphql, "niños", "es")
    assert ("Justo", "es") not in found(graphql, "niña", "es")  # no stemming
    assert ("عادل", "ar") in found(graphql, "الأطفال", "ar")
    assert found(graphql, "أطفال", "ar") == []
