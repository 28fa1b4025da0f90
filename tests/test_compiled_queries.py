"""Queries compiled once for each shape (core/compiled_queries.py) read what the queryset
would: the same rows, converted alike, and the database's rows of now, never those of
the first read; the news list, compiled once for each list, page and filter, answers
every one of them as a list compiled afresh does, across publishes, unpublishes and a
view restriction; and a list read again is not compiled again."""

import datetime

import pytest
from django.db.models import Count, Exists, OuterRef, Window
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler
from wagtail.models import Page, PageViewRestriction

from core import compiled_queries
from news.models import NewsPage, NewsPageTag
from tests.support.factories import NewsIndexPageFactory, NewsPageFactory, publish

pytestmark = pytest.mark.django_db

LIST = """query($page: PositiveInt, $perPage: PositiveInt, $tag: String, $year: Int) {
  newsItems(page: $page, perPage: $perPage, tag: $tag, year: $year) {
    items { title slug date url }
    pagination { total count totalPages }
  }
}"""


@pytest.fixture
def news():
    index = NewsIndexPageFactory(title="News", slug="news")
    for number in range(12):
        NewsPageFactory(
            parent=index,
            title=f"Numbered {number}",
            date=datetime.date(2020 + number % 3, 1, 1) + datetime.timedelta(days=number),
            tags=["even" if number % 2 == 0 else "odd"],
        )
    return index


@pytest.fixture
def compilations(monkeypatch):
    """The SQL compilations of reads of news pages' rows (SQLCompiler.as_sql)."""
    compiled = []
    as_sql = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        if type(self.query) is Query and self.query.model is NewsPage:
            compiled.append(self.query)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return compiled


def tagged(name):
    return Exists(NewsPageTag.objects.filter(content_object=OuterRef("pk"), tag__name=name))


QUERYSETS = {
    "columns of every kind": lambda: NewsPage.objects.values_list(
        "pk", "title", "date", "live", "expired", "first_published_at", "locale_id", "path"
    ).order_by("-date", "-pk"),
    "an EXISTS annotation": lambda: (
        NewsPage.objects.annotate(even=tagged("even")).values_list("pk", "even").order_by("pk")
    ),
    "a window count, sliced": lambda: (
        NewsPage.objects.annotate(listed=Window(Count("pk")))
        .values_list("pk", "title", "listed")
        .order_by("-date")[3:7]
    ),
    "reversed and sliced": lambda: (
        NewsPage.objects.values_list("pk").order_by("date").reverse()[:4]
    ),
}


@pytest.mark.parametrize("queryset", QUERYSETS.values(), ids=QUERYSETS.keys())
def test_rows_are_the_querysets_own(news, queryset):
    expected = list(queryset())
    assert expected
    assert compiled_queries.rows(("test", id(queryset)), queryset) == expected
    # Read again from its compiled SQL: the same rows, of the same types.
    again = compiled_queries.rows(("test", id(queryset)), queryset)
    assert again == expected
    assert [tuple(map(type, row)) for row in again] == [tuple(map(type, row)) for row in expected]


def test_a_query_django_knows_finds_nothing_reads_nothing(news):
    assert compiled_queries.rows("none", lambda: NewsPage.objects.none().values_list("pk")) == []


def test_compiled_once_and_read_afresh_each_time(news, compilations):
    def titles():
        return NewsPage.objects.values_list("title").order_by("title")

    before = compiled_queries.rows("titles", titles)
    Page.objects.filter(title="Numbered 3").update(title="Renamed")
    after = compiled_queries.rows("titles", titles)
    assert ("Renamed",) in after and ("Numbered 3",) in before
    assert ("Numbered 3",) not in after
    assert len(compilations) == 1


def answer(client, variables, query=LIST):
    """The whole answer, a refusal's included (less the request's id), and the surrogate
    keys it is sent with (none with a refusal)."""
    response = client.post(
        "/graphql/", {"query": query, "variables": variables}, content_type="application/json"
    )
    answer = response.json()
    for error in answer.get("errors", ()):
        error["extensions"].pop("requestId")
    return answer, sorted(response.get("Surrogate-Key", "").split())


LISTS = [
    {"perPage": 5},
    {"perPage": 5, "page": 2},
    {"perPage": 5, "page": 3},  # past the middle: read backwards, once the count is kept
    {"perPage": 4, "tag": "even"},
    {"perPage": 4, "tag": "odd", "page": 2},
    {"perPage": 10, "year": 2021},
    {"perPage": 100},
]


# A list's size alone: its answer holds no page, only the list.
SIZE = "query($tag: String) { newsItems(perPage: 5, tag: $tag) { pagination { total } } }"


# Outside a transaction, so that counts are kept: a list whose count is kept reads its
# ids alone (news/schema.py `ids_between`), one whose count is not reads it with its rows.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_list_answers_as_one_compiled_afresh_across_changes(news, client, settings):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0

    def answers():
        return [answer(client, variables) for variables in LISTS] + [
            answer(client, {"tag": "even"}, SIZE)
        ]

    def every_list_answers_as_compiled_afresh():
        # Compiled before the change, read after it: its count afresh, then kept.
        kept = answers()
        kept_again = answers()
        compiled_queries.compiled.clear()
        afresh = answers()
        # Bodies and surrogate keys alike: a list read from its compiled SQL still
        # names the list it read, its size alone too.
        assert kept == afresh
        assert kept_again == afresh
        assert all("list:news.newspage" in keys for body, keys in kept_again if body["data"])
        return afresh[-2][0]["data"]["newsItems"]

    assert every_list_answers_as_compiled_afresh()["pagination"]["total"] == 12

    newest = NewsPageFactory(
        parent=news, title="Newest", date=datetime.date(2030, 1, 1), live=False
    )
    publish(newest)
    whole = every_list_answers_as_compiled_afresh()
    assert whole["items"][0]["slug"] == newest.slug
    assert whole["pagination"]["total"] == 13

    newest.unpublish()
    whole = every_list_answers_as_compiled_afresh()
    assert newest.slug not in [item["slug"] for item in whole["items"]]

    # What hides pages changes what the list's SQL is built from: read afresh at once,
    # one page hidden of the first five as the whole list.
    hidden = NewsPage.objects.get(title="Numbered 11")
    assert whole["items"][0]["slug"] == hidden.slug
    restriction = PageViewRestriction.objects.create(
        page=Page.objects.get(pk=hidden.pk),
        restriction_type=PageViewRestriction.PASSWORD,
        password="x",
    )
    whole = every_list_answers_as_compiled_afresh()
    assert whole["pagination"]["total"] == 11
    assert hidden.slug not in [item["slug"] for item in whole["items"]]
    restriction.delete()

    restriction = PageViewRestriction.objects.create(
        page=Page.objects.get(pk=news.pk),
        restriction_type=PageViewRestriction.PASSWORD,
        password="x",
    )
    assert every_list_answers_as_compiled_afresh()["pagination"]["total"] == 0
    restriction.delete()
    assert every_list_answers_as_compiled_afresh()["pagination"]["total"] == 12

    news.unpublish()
    assert every_list_answers_as_compiled_afresh()["pagination"]["total"] == 0
    publish(news)
    assert every_list_answers_as_compiled_afresh()["pagination"]["total"] == 12


def read(graphql, **variables):
    answer = graphql(LIST, variables)
    assert "errors" not in answer, answer
    return answer["data"]["newsItems"]


def test_a_list_read_again_is_not_compiled_again(news, graphql, settings, compilations):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    first = read(graphql, perPage=5, page=2)
    compiled_first = len(compilations)
    assert compiled_first
    assert read(graphql, perPage=5, page=2) == first
    assert len(compilations) == compiled_first
    read(graphql, perPage=5, page=3)  # another page: compiled for it
    assert len(compilations) > compiled_first
