"""Search text is words on every database: quotes, operators, brackets, colons and
control characters are searched as the plain words around them, never parsed as query
syntax (a lone double quote was a syntax error in SQLite FTS5, answered as a database
outage), and only a real outage answers 503.

Every argument that searches is found in the schema, so one grapple adds is covered
without a change here."""

import pytest
from django.conf import settings
from graphene_django.settings import graphene_settings
from graphql import get_named_type
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.search import search_words

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

SEARCH_ARGUMENTS = ("query", "searchQuery")
# Where fields of a page that take a search argument (`children`, `descendants`, ...)
# are reached from: the home page has every relation.
PAGE = 'page(urlPath: "/")'


def searching_fields():
    """(path, field name, argument) for every field that searches: the root's, and those
    of the page interface, asked of the home page."""
    schema = graphene_settings.SCHEMA.graphql_schema
    found = []
    for prefix, graphql_type in (
        ("", schema.query_type),
        (PAGE, schema.get_type("PageInterface")),
    ):
        for name, field in graphql_type.fields.items():
            for argument in SEARCH_ARGUMENTS:
                if argument in field.args:
                    found.append((prefix, name, argument, get_named_type(field.type)))
    return found


def searching_document():
    """One query asking every searching field for `$text`, each for one scalar field."""
    root, nested = [], []
    for prefix, name, argument, item_type in searching_fields():
        scalar = "id" if "id" in item_type.fields else "__typename"
        selection = f"{name}({argument}: $text) {{ {scalar} }}"
        (nested if prefix else root).append(selection)
    return "query ($text: String!) { " + " ".join(root) + f" {PAGE} {{ " + " ".join(nested) + " } }"


def test_every_searching_field_is_asked():
    names = {(prefix, name) for prefix, name, *_ in searching_fields()}
    assert {("", "search"), ("", "pages"), ("", "images"), ("", "documents")} <= names
    assert {(PAGE, "children"), (PAGE, "descendants")} <= names


def assert_answers_with_data(client, text):
    response = client.post(
        "/graphql/",
        {"query": searching_document(), "variables": {"text": text}},
        content_type="application/json",
    )
    assert response.status_code == 200, (text, response.content[:500])
    body = response.json()
    assert "errors" not in body, (text, body["errors"])
    return body["data"]


SYNTAX = [
    '"',
    "'",
    'Mountview"',
    '"unbalanced phrase',
    "a''b",
    "NOT",
    "AND OR",
    "NEAR(a b)",
    "child*",
    "*",
    "-",
    "child -centred",
    "(",
    ")",
    "[x]",
    "{a}",
    "a:b",
    "title:Mountview",
    ":",
    "\\",
    "%",
    "^x",
    "&",
    "|",
    "!",
    "<->",
    "a & !b",
    "\x00",
    "good\x00x",
    "\ud800",
]


@pytest.mark.parametrize("text", SYNTAX, ids=repr)
def test_query_syntax_is_searched_as_words(client, text):
    assert_answers_with_data(client, text)


def test_a_lone_double_quote_finds_nothing_rather_than_failing(graphql):
    assert graphql('{ search(query: "\\"") { title } }') == {"data": {"search": []}}


@pytest.mark.parametrize(
    "text", ['"Mountview"', "Mountview:", "(Mountview)", "[Mountview]*", "'Mountview'"]
)
def test_the_words_inside_query_syntax_are_found(graphql, text):
    query = "query ($q: String!) { search(query: $q) { url } pages(searchQuery: $q) { url } }"
    plain = graphql(query, {"q": "Mountview"})["data"]
    assert plain["search"] == [{"url": "/"}]
    assert graphql(query, {"q": text})["data"] == plain


def test_search_keeps_relevance_order(graphql):
    urls = [
        page["url"]
        for page in graphql('{ search(query: "Ofsted adoption") { url } }')["data"]["search"]
    ]
    assert urls[0] == "/news/ofsted-rates-childrens-services-good/", urls


def test_a_text_of_no_words_finds_nothing_and_an_empty_one_filters_nothing(graphql):
    data = graphql(
        '{ all: pages(searchQuery: "") { id } none: pages(searchQuery: "?!") { id } '
        'search(query: "?!") { url } }'
    )["data"]
    assert data["all"] and data["none"] == [] and data["search"] == []


def test_sites_are_searched_by_name_and_hostname(graphql):
    query = "query ($q: String) { sites(searchQuery: $q) { hostname } }"
    assert graphql(query, {"q": "localhost"})["data"]["sites"] == [{"hostname": "localhost"}]
    assert graphql(query, {"q": "elsewhere"})["data"]["sites"] == []


def test_words_are_letters_and_digits_whatever_lies_between():
    words = search_words('"good" AND (adoption:2017) -x*')
    assert words == ["good", "AND", "adoption", "2017", "x"]
    assert search_words("cafe\u0301") == ["caf\u00e9"]  # one word, not "cafe" and an accent


@hypothesis_settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=settings.GRAPHQL_MAX_SEARCH_CHARS))
def test_any_text_within_the_limit_is_answered_with_data(client, text):
    assert_answers_with_data(client, text)
