"""Each page's part of a GraphQL answer is kept with the versions of its surrogate keys
(api/graphql/fragments.py): asked again, with other variables, a list completes its
items from what was kept, with the same answer and the same surrogate keys; a publish of
what a part holds, a preview, another selection or an error is never answered from a
part kept before (tests/test_memo_retirement.py: every kind of change).

(An empty site, committed for real: parts are kept only outside a transaction.)"""

import pytest
from django.test import Client

from api.graphql.fragments import PageFragmentsExecutionContext, fragments
from news.models import NewsPage
from tests.support.factories import NewsIndexPageFactory, NewsPageFactory, publish

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIST = """query($perPage: PositiveInt, $withSummary: Boolean = false) {
  newsItems(perPage: $perPage) {
    items { slug title summary @include(if: $withSummary) tags { name } parent { title } }
  }
}"""
ITEM = """query($urlPath: String, $token: String) {
  page(urlPath: $urlPath, token: $token) { title }
}"""


@pytest.fixture
def news(settings):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0  # every answer is made, none served whole
    index = NewsIndexPageFactory(title="News", slug="news")
    return [
        NewsPageFactory(parent=index, title=f"Item {n}", slug=f"item-{n}", tags=["fostering"])
        for n in range(3)
    ]


@pytest.fixture
def completed_news_pages(monkeypatch):
    """The ids of the news pages completed field by field (by the execution context
    /graphql/ runs: it completes fields itself, api/graphql/leaves.py)."""
    completed = []
    execute_fields = PageFragmentsExecutionContext.execute_fields

    def counting(self, parent_type, source_value, path, fields):
        if parent_type.name == "NewsPage":
            completed.append(source_value.pk)
        return execute_fields(self, parent_type, source_value, path, fields)

    monkeypatch.setattr(PageFragmentsExecutionContext, "execute_fields", counting)
    return completed


def ask(client, query, variables):
    response = client.post(
        "/graphql/", {"query": query, "variables": variables}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response


def titles(response):
    return [item["title"] for item in response.json()["data"]["newsItems"]["items"]]


def test_a_list_asked_again_is_completed_from_what_was_kept(client, news, completed_news_pages):
    first = ask(client, LIST, {"perPage": 10})
    assert sorted(completed_news_pages) == sorted(page.pk for page in news)

    completed_news_pages.clear()
    # Another request: a variable the query does not declare keeps it from the response
    # cache, as a front end's cache-busting parameter would.
    again = ask(client, LIST, {"perPage": 10, "cacheBuster": "another request"})
    assert completed_news_pages == []
    assert again.json() == first.json()
    # What the answer holds is still named, for the response cache and a CDN to retire.
    keys = again["Surrogate-Key"].split()
    assert keys == first["Surrogate-Key"].split()
    assert {f"page:{news[0].pk}", f"page:{news[0].get_parent().pk}"} <= set(keys)
    assert any(key.startswith("taggit.tag:") for key in keys)


def test_each_kept_part_holds_the_keys_of_the_parts_inside_it(client, news):
    """Items after the first complete their shared parent from the part the first kept:
    the keys that part holds are recorded for each item's own part too, which a later
    request may find without its parent's."""
    query = "{ newsItems(perPage: 10) { items { slug parent { title parent { title } } } } }"
    ask(client, query, {})
    home = news[0].get_parent().get_parent()
    kept_items = {
        pk: keys
        for (*_, type_name, pk), ((_, keys, _), _) in fragments.values.items()
        if type_name == "NewsPage"
    }
    assert kept_items.keys() == {item.pk for item in news}
    # The home page's key: recorded in the parent's part, by the field that returned it.
    assert all(f"page:{home.pk}" in keys for keys in kept_items.values())


def test_a_publish_shows_at_once(client, news):
    assert "Item 1" in titles(ask(client, LIST, {"perPage": 10}))
    page = NewsPage.objects.get(pk=news[1].pk)
    page.title = "Item 1, corrected"
    publish(page)
    after = titles(ask(client, LIST, {"perPage": 10}))
    assert "Item 1, corrected" in after
    assert "Item 1" not in after


def test_a_variable_that_changes_the_selection_is_answered_afresh(client, news):
    without = ask(client, LIST, {"perPage": 10}).json()["data"]["newsItems"]["items"]
    assert all("summary" not in item for item in without)
    with_summary = ask(client, LIST, {"perPage": 10, "withSummary": True})
    items = with_summary.json()["data"]["newsItems"]["items"]
    assert [item["summary"] for item in items] == [f"What happened: {i['title']}." for i in items]


def test_a_preview_neither_reads_nor_leaves_a_kept_part(client, news):
    live = {"urlPath": "/news/item-2/"}
    assert ask(client, ITEM, live).json()["data"]["page"]["title"] == "Item 2"
    draft = NewsPage.objects.get(pk=news[2].pk)
    draft.title = "Item 2, not yet published"
    draft.save_revision()
    token = draft.create_page_preview().token

    preview = ask(client, ITEM, {**live, "token": token}).json()
    assert preview["data"]["page"]["title"] == "Item 2, not yet published"
    draft.title = "Item 2, draft changed"  # the editor changes the draft and previews again
    draft.update_page_preview(token)
    preview = ask(client, ITEM, {**live, "token": token}).json()
    assert preview["data"]["page"]["title"] == "Item 2, draft changed"
    assert ask(client, ITEM, live).json()["data"]["page"]["title"] == "Item 2"
    assert "Item 2" in titles(ask(client, LIST, {"perPage": 10}))


def test_an_error_in_a_part_is_reported_every_time(client, news):
    # The error nulls each item's parent: the item itself completes, with it reported.
    query = "{ newsItems(perPage: 10) { items { slug parent { children(limit: 0) { title } } } } }"
    for cache_buster in ("first", "second"):
        answer = ask(client, query, {"cacheBuster": cache_buster}).json()
        assert {error["extensions"]["code"] for error in answer["errors"]} == {"BAD_USER_INPUT"}


def test_a_signed_in_readers_answers_are_neither_kept_nor_read(
    client, news, completed_news_pages, django_user_model
):
    """Nothing a page answers depends on who asks today; should a field ever, an answer
    made for an editor still never reaches an anonymous reader, nor the reverse."""
    editor = Client()
    editor.force_login(django_user_model.objects.create_user("editor", password="x"))
    ask(editor, LIST, {"perPage": 10})
    ask(client, LIST, {"perPage": 10})
    ask(editor, LIST, {"perPage": 10, "cacheBuster": "again"})
    assert len(completed_news_pages) == 3 * len(news)


def test_what_is_kept_is_bounded_in_bytes(client, news, completed_news_pages, monkeypatch):
    first = ask(client, LIST, {"perPage": 10})
    kept = fragments
    room = 2 * max(size for (_, _, size), _ in kept.values.values())
    monkeypatch.setattr(kept, "bound", room)
    kept.clear()  # what was kept, now held within `room`
    completed_news_pages.clear()

    again = ask(client, LIST, {"perPage": 10, "cacheBuster": "again"})
    assert again.json() == first.json()
    assert 0 < kept.values.currsize <= room
    completed_news_pages.clear()
    ask(client, LIST, {"perPage": 10, "cacheBuster": "once more"})
    assert completed_news_pages  # some items no longer fit, and are completed afresh
