"""The news list reads only its page, whatever the length of the list (news/schema.py):
its total is kept for the content version, a page past the middle is read backwards
from the end, and its items are kept for the content version; every page still answers
what reading the whole list in order would, and a publish shows at once.

(An empty site in each test: the publish must commit, which it cannot inside the
Southwark content's transaction.)"""

import datetime

import pytest

from tests.support.factories import NewsIndexPageFactory, NewsPageFactory, publish

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
