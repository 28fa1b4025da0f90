"""The news list reads only its page, whatever the length of the list (news/schema.py):
its total is kept for the content version, a page past the middle is read backwards
from the end, and its items are kept for the content version; every page still answers
what reading the whole list in order would, and a publish shows at once.

(An empty site in each test: the publish must commit, which it cannot inside the
Southwark content's transaction.)"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import memo
from tests.support.factories import ImageFactory, NewsIndexPageFactory, NewsPageFactory, publish

LIST = """query($page: PositiveInt, $perPage: PositiveInt, $tag: String) {
  newsItems(page: $page, perPage: $perPage, tag: $tag) {
    items { slug }
    pagination { total count totalPages prevPage nextPage }
  }
}"""


def read(graphql, **variables):
    answer = graphql(LIST, variables)
    assert "errors" not in answer, answer
    return answer["data"]["newsItems"]


@pytest.mark.django_db
@pytest.mark.parametrize("tag", [None, "even"])
def test_every_page_holds_its_part_of_the_whole_list(graphql, settings, tag):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    news = NewsIndexPageFactory(title="News", slug="news")
    for number in range(23):
        NewsPageFactory(
            parent=news,
            title=f"Numbered {number}",
            # Pairs share a date: the order within a day is the id's, newest first.
            date=datetime.date(2021, 1, 1) + datetime.timedelta(days=number // 2),
            tags=["even" if number % 2 == 0 else "odd"],
        )
    whole = read(graphql, perPage=100, tag=tag)
    slugs = [item["slug"] for item in whole["items"]]
    total = whole["pagination"]["total"]
    assert total == len(slugs) == (23 if tag is None else 12)

    per_page = 5
    last_page = -(-total // per_page)
    pages = [read(graphql, page=n, perPage=per_page, tag=tag) for n in range(1, last_page + 1)]
    assert [item["slug"] for page in pages for item in page["items"]] == slugs
    last = pages[-1]["pagination"]
    assert last["count"] == total - per_page * (len(pages) - 1)
    assert (last["totalPages"], last["nextPage"], last["prevPage"]) == (
        len(pages),
        None,
        len(pages) - 1,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_publish_shows_in_the_total_and_the_items_at_once(graphql):
    news = NewsIndexPageFactory(title="News", slug="news")
    NewsPageFactory(parent=news, title="First", slug="first")
    before = read(graphql, perPage=100)
    assert before == read(graphql, page=1, perPage=100)  # now from what was kept

    second = NewsPageFactory(parent=news, title="Second", slug="second", live=False)
    publish(second)
    after = read(graphql, perPage=100)
    assert before["pagination"]["total"] + 1 == after["pagination"]["total"]
    new_slugs = {item["slug"] for item in after["items"]} - {i["slug"] for i in before["items"]}
    assert new_slugs == {"second"}

    second.title = "Second, corrected"
    second.summary = "Corrected."
    publish(second)
    query = "{ newsItems(perPage: 100) { items { slug summary } } }"
    kept = graphql(query)["data"]["newsItems"]["items"]
    assert {"slug": "second", "summary": "Corrected."} in kept


# Every field of a news page that a list reads from its rows alone (news/schema.py
# FIELD_COLUMNS), and those that read other rows (tags, hero image, parent).
EVERY_ROW_FIELD = """
  __typename id title seoTitle slug live urlPath depth searchDescription showInMenus locked
  firstPublishedAt lastPublishedAt lastUpdated changeHistory { date note } date summary
  body { blockType } notesToEditors sourceUrl url locale requestedLocale
  parent { title } tags { name } heroImage { title }
"""


@pytest.mark.django_db
@pytest.mark.parametrize("extra", ["", "pageType"], ids=["rows as selected", "whole pages"])
def test_a_list_item_answers_as_the_item_alone_does(graphql, settings, extra):
    """A list reads its items' rows as the selection needs them, or whole where it asks
    for a field it cannot answer from them (`pageType`): either way each item is what
    `newsItem` answers, and the list costs the same queries for 3 items as for 6."""
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    news = NewsIndexPageFactory(title="News", slug="news")
    image = ImageFactory(title="Hero", description="A family at the hub")
    for number in range(6):
        NewsPageFactory(
            parent=news,
            slug=f"item-{number}",
            search_description=f"Item {number} for search engines",
            source_url="https://www.southwark.gov.uk/news" if number % 2 else "",
            hero_image=image if number % 3 else None,
            tags=["fostering", "adoption"][: number % 3],
            body=[{"type": "paragraph", "value": "<p>What happened.</p>"}],
        )
    fields = EVERY_ROW_FIELD + extra
    list_query = "query($n: PositiveInt) { newsItems(perPage: $n) { items { %s } } }"
    item_query = "query($slug: String!) { newsItem(slug: $slug) { %s } }"
    # A page's translations are read with a query for each page: left out of the count.
    with_translations = fields + " translations { locale url }"

    items = graphql(list_query % with_translations, {"n": 6})["data"]["newsItems"]["items"]
    assert len(items) == 6
    for item in items:
        alone = graphql(item_query % with_translations, {"slug": item["slug"]})
        assert alone["data"]["newsItem"] == item

    def queries_for(per_page):
        memo.clear_all()
        with CaptureQueriesContext(connection) as captured:
            answer = graphql(list_query % fields, {"n": per_page})
        assert "errors" not in answer, answer
        return len(captured)

    assert queries_for(3) == queries_for(6)


def sql_of_read(graphql, query, variables=None):
    with CaptureQueriesContext(connection) as captured:
        answer = graphql(query, variables or {})
    assert "errors" not in answer, answer
    return answer["data"], [each["sql"] for each in captured]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # kept outside one
def test_a_list_not_counted_since_a_change_is_counted_with_its_page(graphql, settings):
    """The first read of a list after a change (its count not kept) counts it in the
    query that reads its page's rows: one query, not three (the count, the ids, the
    rows); asked again, the count is kept and only the page's ids are read, its items
    kept. A page past the end is still refused."""
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    news = NewsIndexPageFactory(title="News", slug="news")
    for number in range(7):
        NewsPageFactory(parent=news, slug=f"item-{number}")
    memo.clear_all()

    first, sql = sql_of_read(graphql, LIST, {"page": 2, "perPage": 3})
    counts = [each for each in sql if "COUNT(" in each]
    assert len(counts) == 1 and "OVER ()" in counts[0], sql
    assert len([each for each in sql if '"news_newspage"' in each]) == 1, sql
    assert first["newsItems"]["pagination"] == {
        "total": 7,
        "count": 3,
        "totalPages": 3,
        "prevPage": 1,
        "nextPage": 3,
    }
    assert [item["slug"] for item in first["newsItems"]["items"]] == ["item-3", "item-2", "item-1"]

    again, sql = sql_of_read(graphql, LIST, {"page": 3, "perPage": 3})
    assert not [each for each in sql if "COUNT(" in each], sql
    assert len([each for each in sql if '"news_newspage"' in each]) == 2, sql  # ids, a row
    assert again["newsItems"]["pagination"]["total"] == 7
    assert [item["slug"] for item in again["newsItems"]["items"]] == ["item-0"]

    memo.clear_all()
    past = graphql(LIST, {"page": 4, "perPage": 3})
    assert past["errors"][0]["message"] == "page 4 is past the last page, 3."
    assert past["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


PARENTS = "{ newsItems(perPage: 10) { items { slug %s } } }"


@pytest.mark.django_db
def test_an_items_parent_costs_one_query_where_its_type_allows_one_parent(graphql, settings):
    """A news page may only be made under the news index: the items' parent is read
    from the news index's table in one query, not two. A page put elsewhere in code
    (which Wagtail allows) still answers its own parent."""
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    news = NewsIndexPageFactory(title="News", slug="news")
    NewsPageFactory(parent=news, slug="under-the-index", date=datetime.date(2024, 1, 2))
    parent = "parent { __typename title }"

    memo.clear_all()
    _, without_parent = sql_of_read(graphql, PARENTS % "")
    memo.clear_all()
    answer, with_parent = sql_of_read(graphql, PARENTS % parent)
    assert len(with_parent) == len(without_parent) + 1
    under_the_index = {"__typename": "NewsIndexPage", "title": "News"}
    assert answer["newsItems"]["items"] == [{"slug": "under-the-index", "parent": under_the_index}]

    home = news.get_parent()
    NewsPageFactory(parent=home, slug="under-the-home-page", date=datetime.date(2024, 1, 1))
    memo.clear_all()
    answer, _ = sql_of_read(graphql, PARENTS % parent)
    assert answer["newsItems"]["items"] == [
        {"slug": "under-the-index", "parent": under_the_index},
        {"slug": "under-the-home-page", "parent": {"__typename": "HomePage", "title": home.title}},
    ]
