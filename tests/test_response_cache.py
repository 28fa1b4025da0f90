"""Anonymous GraphQL reads are served from a cache shared by every process, and any
change to published content retires them everywhere at once."""

import os
import time
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from api.graphql.response_cache import Answer, ResponseCache, responses
from core import content_version
from core.memo import VersionedMemo
from core.request_context import context_of
from core.visibility import VisibilityRules
from home.models import HomePage, OrganisationSettings
from news.models import NewsPage
from tests.support.app_process import run
from tests.support.factories import (
    ImageFactory,
    NewsIndexPageFactory,
    NewsPageFactory,
    TestimonialFactory,
    publish,
)

HOME_TITLE = '{ page(urlPath: "/") { title } }'


def post(client, query, **extra):
    return client.post("/graphql/", {"query": query}, content_type="application/json", **extra)


def sql_count(callable_):
    with CaptureQueriesContext(connection) as captured:
        response = callable_()
    return response, len(captured)


@pytest.mark.django_db
@pytest.mark.usefixtures("shared_cache")
class TestServing:
    def test_a_repeated_anonymous_read_touches_no_database(self, client):
        first, first_sql = sql_count(lambda: post(client, "{ principles { title } }"))
        second, second_sql = sql_count(lambda: post(client, "{ principles { title } }"))
        assert first_sql > 0 and second_sql == 0
        assert first.content == second.content
        assert second["Cache-Control"] == (
            f"public, max-age=0, s-maxage={settings.GRAPHQL_CDN_MAX_AGE}, "
            f"stale-while-revalidate={settings.GRAPHQL_CDN_STALE_WHILE_REVALIDATE}"
        )

    def test_a_process_serves_the_entries_it_holds_without_fetching_them(self, client):
        post(client, "{ principles { title } }")
        backend = caches["default"]
        with mock.patch.object(backend, "get", wraps=backend.get) as get:
            response = post(client, "{ principles { title } }")
        assert response.status_code == 200
        read = [call.args[0] for call in get.call_args_list]
        assert not [key for key in read if key.startswith("graphql:response:")]

    def test_an_entry_of_another_shape_is_ignored(self, client):
        """As an entry an earlier release wrote may be."""
        query = "{ principles { slug } }"
        version = content_version.read()
        key = ResponseCache(RequestFactory().get("/"), None, {}, version).key(query)
        caches["default"].set(key, (version, b'{"data":1}'))
        response = post(client, query)
        assert response.status_code == 200
        assert response.json() == {"data": {"principles": []}}  # not the stored body

    def test_queries_differing_in_layout_share_an_entry(self, client):
        post(client, "{ principles { title } }")
        response, sql = sql_count(
            lambda: post(client, "# the same question\n{\n  principles {\n    title\n  }\n}")
        )
        assert sql == 0 and response.status_code == 200

    def test_variables_and_hosts_are_part_of_the_key(self, client):
        query = "query ($slug: String!) { newsItem(slug: $slug) { title } }"
        client.post(
            "/graphql/",
            {"query": query, "variables": {"slug": "a"}},
            content_type="application/json",
        )
        _, other_variables = sql_count(
            lambda: client.post(
                "/graphql/",
                {"query": query, "variables": {"slug": "b"}},
                content_type="application/json",
            )
        )
        _, other_host = sql_count(lambda: post(client, HOME_TITLE, HTTP_HOST="other.example"))
        assert other_variables > 0 and other_host > 0

    def test_get_answers_if_none_match_with_304(self, client):
        first = client.get("/graphql/", {"query": HOME_TITLE})
        etag = first["ETag"]
        assert etag.startswith('"')
        again = client.get("/graphql/", {"query": HOME_TITLE}, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again.content == b""
        changed = client.get("/graphql/", {"query": HOME_TITLE}, HTTP_IF_NONE_MATCH='"other"')
        assert changed.status_code == 200

    def test_signed_in_users_are_never_cached(self, client, django_user_model):
        user = django_user_model.objects.create_user("editor", password="x")
        client.force_login(user)
        post(client, HOME_TITLE)
        response, sql = sql_count(lambda: post(client, HOME_TITLE))
        assert sql > 0
        assert response["Cache-Control"] == "private, no-store"

    def test_errors_are_not_cached(self, client):
        post(client, '{ page(id: "abc") { title } }')
        _, sql = sql_count(
            lambda: post(client, '{ page(id: "abc") { title } newsItems { items { title } } }')
        )
        assert sql > 0


@pytest.mark.django_db
@pytest.mark.usefixtures("shared_cache")
class TestInvalidation:
    """Each change retires cached responses once its transaction commits."""

    def changed(self, client, query, change, django_capture_on_commit_callbacks):
        before = post(client, query).json()
        with django_capture_on_commit_callbacks(execute=True):
            change()
        return before, post(client, query).json()

    def test_publishing_a_page(self, client, django_capture_on_commit_callbacks):
        home = HomePage.objects.get()

        def retitle():
            home.title = "Retitled"
            publish(home)

        before, after = self.changed(
            client, HOME_TITLE, retitle, django_capture_on_commit_callbacks
        )
        assert after["data"]["page"]["title"] == "Retitled" != before["data"]["page"]["title"]

    def test_unpublishing_moving_and_deleting_pages(
        self, client, django_capture_on_commit_callbacks
    ):
        news = NewsIndexPageFactory(title="News", slug="news")
        item = NewsPageFactory(parent=news, title="Item", slug="item")
        query = "{ newsItems { items { url } } }"
        _, after = self.changed(client, query, item.unpublish, django_capture_on_commit_callbacks)
        assert after["data"]["newsItems"]["items"] == []

        publish(item)
        other = NewsIndexPageFactory(parent=news, title="Other", slug="other")
        before, after = self.changed(
            client,
            query,
            lambda: item.move(other, pos="last-child"),
            django_capture_on_commit_callbacks,
        )
        assert after != before
        _, after = self.changed(
            client,
            query,
            lambda: NewsPage.objects.get(pk=item.pk).delete(),
            django_capture_on_commit_callbacks,
        )
        assert after["data"]["newsItems"]["items"] == []

    def test_a_snippet(self, client, django_capture_on_commit_callbacks):
        def add():
            publish(TestimonialFactory(quote="New", attribution="Someone"))

        before, after = self.changed(
            client, "{ testimonials { quote } }", add, django_capture_on_commit_callbacks
        )
        assert {"quote": "New"} in after["data"]["testimonials"] and before != after

    def test_a_setting(self, client, django_capture_on_commit_callbacks):
        def change():
            setting = OrganisationSettings.for_site(Site.objects.get(is_default_site=True))
            setting.recruitment_email = "jobs@example.org"
            setting.save()

        query = (
            '{ setting(name: "OrganisationSettings") '
            "{ ... on OrganisationSettings { recruitmentEmail } } }"
        )
        _, after = self.changed(client, query, change, django_capture_on_commit_callbacks)
        assert after["data"]["setting"]["recruitmentEmail"] == "jobs@example.org"

    def test_an_image(self, client, django_capture_on_commit_callbacks):
        def add():
            ImageFactory(title="Fresh", description="d")

        _, after = self.changed(
            client, "{ images { title } }", add, django_capture_on_commit_callbacks
        )
        assert {"title": "Fresh"} in after["data"]["images"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_publish_in_another_process_is_seen_within_a_second(client):
    post(client, HOME_TITLE)
    _, sql = sql_count(lambda: post(client, HOME_TITLE))
    assert sql == 0, "the read is cached before the publish"

    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{database['NAME']}"
    else:
        database_url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": database_url,
        "CACHE_DIR": settings.CACHES["default"]["LOCATION"],
    }
    published = run(env, "-m", "tests.support.programs.retitle_home_page", timeout=60)
    assert published.returncode == 0, published.stderr
    published_at = time.monotonic()
    while True:
        title = post(client, HOME_TITLE).json()["data"]["page"]["title"]
        if title == "Published elsewhere":
            break
        assert time.monotonic() - published_at < 1, "still stale a second after the publish"
        time.sleep(0.05)


def test_the_in_memory_copies_are_bounded_in_bytes_least_recently_used_out_first(settings):
    answer = Answer.of('"etag"', b"x" * 100, [])
    settings.GRAPHQL_RESPONSE_MEMORY_BYTES = answer.size * 7 // 2  # room for three
    held = responses
    held.clear()  # as a process started with that setting holds it
    for name in "abc":
        held.keep("version", name, answer)
    held.find("version", "a")
    held.keep("version", "d", answer)  # a fourth: "b", least recently used, goes
    assert [held.find("version", name) is not None for name in "abcd"] == [
        True,
        False,
        True,
        True,
    ]
    held.keep("version", "huge", Answer.of('"etag"', b"x" * answer.size * 4, []))
    assert held.find("version", "huge") is None and held.find("version", "d") is not None


@pytest.mark.django_db
def test_no_response_is_kept_when_the_cache_time_is_zero(client, settings):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    post(client, "{ principles { title } }")
    _, sql = sql_count(lambda: post(client, "{ principles { title } }"))
    assert sql > 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lookups_are_kept_until_a_publish_retires_what_they_depend_on(client):
    """The site's root, the hidden pages and a parent are read once (by each process),
    and read afresh once a publish has retired what they depend on: here the parent and
    the hidden pages, not the site's root nor the item below the parent (read without
    its tags, which the query does not ask for), which a live page published again
    leaves as it was."""
    news = NewsIndexPageFactory(title="News", slug="news")
    NewsPageFactory(parent=news, title="Item", slug="item")

    def ask(alias):  # a new alias each time, so that no response comes from the cache
        query = f"{{ {alias}: newsItems {{ items {{ url parent {{ title }} }} }} }}"
        response, sql = sql_count(lambda: post(client, query))
        return response.json()["data"][alias]["items"], sql

    first, first_sql = ask("first")
    second, second_sql = ask("second")
    assert first == second == [{"url": "/news/item/", "parent": {"title": "News"}}]
    assert second_sql <= first_sql - 3

    news.title = "Latest news"
    publish(news)
    third, third_sql = ask("third")
    assert third == [{"url": "/news/item/", "parent": {"title": "Latest news"}}]
    # the site's root still kept (the item's row comes with the list's count, retired)
    assert third_sql == first_sql - 1


def test_a_fact_is_kept_until_a_key_it_depends_on_is_retired_and_never_inside_a_transaction():
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    def remembered(key, keys):
        request = RequestFactory().get("/")
        context_of(request).content_version = content_version.read()
        return VisibilityRules(request).remembered(key, compute, lambda _: keys)

    assert [remembered("fact", ["page:1"]) for _ in range(2)] == [1, 1]
    assert remembered("other", ["page:2"]) == 2
    content_version.replace_versions({"page:1"})
    assert [remembered("fact", ["page:1"]), remembered("other", ["page:2"])] == [3, 2]
    with mock.patch.object(connection, "in_atomic_block", True):
        assert remembered("other", ["page:2"]) == 4


def test_what_is_kept_for_the_content_version_is_bounded():
    small = VersionedMemo(max_size=1)  # the least recently used goes
    small.keep("version", "a", 1)
    small.keep("version", "b", 2)
    assert [small.find("version", "a"), small.find("version", "b")] == [None, 2]
    small.keep("another version", "c", 3)  # a new version drops what was kept for the last
    assert [small.find("version", "b"), small.find("another version", "c")] == [None, 3]
    assert len(small.values) == 1


def test_each_process_reads_the_content_version_at_most_every_recheck_interval(settings):
    """A cached answer costs no round trip for the version while it is fresh; a change
    made in this process is known at once, one made elsewhere within the interval."""
    settings.CONTENT_VERSION_RECHECK_SECONDS = 60
    first = content_version.read()
    caches["default"].set(content_version.VERSION_KEY, "changed-elsewhere", None)
    assert content_version.read() == first
    content_version.replace_versions({"page:1"})  # a change made here
    assert content_version.read() not in (first, "changed-elsewhere")
    settings.CONTENT_VERSION_RECHECK_SECONDS = 0
    caches["default"].set(content_version.VERSION_KEY, "changed-elsewhere", None)
    assert content_version.read() == "changed-elsewhere"
