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
from wagtail.images.models import Image
from wagtail.models import Page, PageViewRestriction

from core import compiled_queries
from news.models import NewsIndexPage, NewsPage, NewsPageTag
from tests.support.factories import (
    ImageFactory,
    NewsIndexPageFactory,
    NewsPageFactory,
    publish,
)

pytestmark = pytest.mark.django_db

LIST = """query($page: PositiveInt, $perPage: PositiveInt, $tag: String, $year: Int) {
  newsItems(page: $page, perPage: $perPage, tag: $tag, year: $year) {
    items {
      title slug date url
      tags { name }
      heroImage { title rendition(width: 480) { width } }
      parent { title }
    }
    pagination { total count totalPages }
  }
}"""


@pytest.fixture
def news():
    index = NewsIndexPageFactory(title="News", slug="news")
    images = [ImageFactory(title="Square"), ImageFactory(title="Wide")]
    for number in range(12):
        NewsPageFactory(
            parent=index,
            title=f"Numbered {number}",
            date=datetime.date(2020 + number % 3, 1, 1) + datetime.timedelta(days=number),
            tags=["even" if number % 2 == 0 else "odd", *(["third"] if number % 3 == 0 else [])],
            hero_image=images[number % 3] if number % 3 < 2 else None,
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


def ids_of(*titles):
    return [NewsPage.objects.get(title=title).pk for title in titles]


def by_ids():
    def queryset(ids):
        return NewsPage.objects.filter(pk__in=ids).values_list("pk", "title").order_by("pk")

    calls = [
        [ids_of("Numbered 1", "Numbered 2")],
        [ids_of("Numbered 7", "Numbered 3")],
        [ids_of("Numbered 4")],  # fewer: compiled again, for one
        [ids_of("Numbered 5", "Numbered 6")],
        [ids_of("Numbered 5", "Numbered 5")],  # one id twice, which Django reads once
    ]
    return queryset, calls, 2


def by_text():
    def queryset(title):
        return NewsPage.objects.filter(title=title).values_list("pk", "date")

    return queryset, [["Numbered 1"], ["Numbered 8"], ["no such title"]], 1


def by_lists_and_text():
    def queryset(ids, titles, tag):
        tagged = NewsPage.objects.filter(pk__in=ids, title__in=titles, tags__name=tag)
        return tagged.values_list("title", "date").order_by("title")

    calls = [
        [ids_of("Numbered 2", "Numbered 3"), ["Numbered 2", "Numbered 3"], "even"],
        [ids_of("Numbered 2", "Numbered 4"), ["Numbered 4", "Numbered 9"], "even"],
        [ids_of("Numbered 1", "Numbered 3"), ["Numbered 1", "Numbered 3"], "odd"],
    ]
    return queryset, calls, 1


def by_text_django_changes():
    """`contains` makes the text a pattern: no parameter is the stand-in, so the query
    is compiled for each read, as Django compiles it."""

    def queryset(text):
        return NewsPage.objects.filter(title__contains=text).values_list("title").order_by("pk")

    return queryset, [["1"], ["Numbered"], ["%"]], 4


@pytest.mark.parametrize("case", [by_ids, by_text, by_lists_and_text, by_text_django_changes])
def test_arguments_are_put_in_place_of_those_compiled(news, compilations, case):
    """Read with other arguments, a query compiled once for each number of them finds
    what it finds compiled for them."""
    queryset, calls, compiled = case()
    compiled_here = 0
    for arguments in calls:
        before = len(compilations)
        found = compiled_queries.rows(("arguments", case.__name__), queryset, arguments)
        compiled_here += len(compilations) - before
        assert found == list(queryset(*arguments))
    assert any(list(queryset(*arguments)) for arguments in calls)
    assert compiled_here == compiled


def test_instances_are_as_django_makes_them(news):
    """Every field's value and the state Django gives an instance it read
    (Model.from_db), for a page type, pages and images."""
    image = ImageFactory()
    NewsPage.objects.filter(title="Numbered 2").update(hero_image=image)

    def state(instance):
        values = {name: value for name, value in vars(instance).items() if name != "_state"}
        return type(instance), values, instance._state.adding, instance._state.db

    reads = [
        (NewsIndexPage, lambda path: NewsIndexPage.objects.filter(path=path), [news.path]),
        (Page, lambda path: Page.objects.filter(path=path), [news.path]),
        (NewsPage, lambda ids: NewsPage.objects.filter(pk__in=ids), [ids_of("Numbered 2")]),
        (Image, lambda ids: Image.objects.filter(pk__in=ids), [[image.pk]]),
    ]
    for model, queryset, arguments in reads:
        for _ in range(2):  # compiled, then read from what was compiled
            made = compiled_queries.instances(model, ("instances",), queryset, arguments)
            assert made
            assert [state(each) for each in made] == [state(each) for each in queryset(*arguments)]


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

    whole = every_list_answers_as_compiled_afresh()
    assert whole["pagination"]["total"] == 12
    # Each item's tags, image, its rendition and parent are read by compiled queries too.
    items = whole["items"]
    assert {image["rendition"]["width"] for image in filter(None, (i["heroImage"] for i in items))}
    assert {"even", "odd", "third"} == {tag["name"] for item in items for tag in item["tags"]}
    assert {item["parent"]["title"] for item in items} == {"News"}

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
