"""Arguments the resolvers take for granted (api/graphql/schema.py): a client's argument
that breaks one is refused as BAD_USER_INPUT, never a fault of ours (INTERNAL_ERROR),
on SQLite and PostgreSQL; an explicit null means the argument's default."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]


def error_code(response):
    [error] = response["errors"]
    return error["extensions"]["code"]


@pytest.mark.parametrize(
    "query",
    [
        '{ page(contentType: "NewsPage") { title } }',
        '{ page(contentType: "news.NewsPage,home.HomePage") { title } }',
        '{ page(contentType: "nowhere.Nothing") { title } }',
        '{ pages(contentType: "news.NewsPage, nowhere") { title } }',
        '{ pages(site: "localhost:eighty") { title } }',
        '{ site(hostname: "a:b:c") { hostname } }',
        '{ pages(site: "localhost", inSite: true) { title } }',
        "{ newsItems(year: 0) { items { title } } }",
        "{ newsItems(year: 10000) { items { title } } }",
        '{ page(urlPath: "/news/\\u0000/") { title } }',
        '{ newsItems(tag: "\\u0000") { items { title } } }',
    ],
)
def test_an_argument_the_resolver_cannot_take_is_the_clients_mistake(graphql, query):
    response = graphql(query)
    assert error_code(response) == "BAD_USER_INPUT", response


def test_content_types_are_page_types_named_app_model(graphql):
    response = graphql(
        '{ pages(contentType: " news.NewsPage ,principles.PrinciplePage", limit: 100) '
        "{ __typename } }"
    )
    assert {page["__typename"] for page in response["data"]["pages"]} == {
        "NewsPage",
        "PrinciplePage",
    }
    message = graphql('{ page(contentType: "nowhere.Nothing") { id } }')["errors"][0]["message"]
    assert "news.NewsPage" in message


def test_an_explicit_null_is_the_default(graphql):
    defaults = graphql(
        '{ newsItems { pagination { perPage currentPage } } search(query: "the") { id } }'
    )
    nulls = graphql(
        "{ newsItems(page: null, perPage: null) { pagination { perPage currentPage } } "
        'search(query: "the", limit: null) { id } '
        'pages(searchQuery: "the", searchOperator: null, inSite: null) { id } }'
    )
    assert "errors" not in nulls, nulls["errors"]
    assert nulls["data"]["newsItems"] == defaults["data"]["newsItems"]
    assert nulls["data"]["search"] == defaults["data"]["search"]  # 20 at most, as without


def test_lookups_by_id_without_one_find_nothing(graphql):
    assert graphql("{ tag { id } image { id } document { id } }") == {
        "data": {"tag": None, "image": None, "document": None}
    }
