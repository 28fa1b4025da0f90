"""Every cacheable answer names what it holds (surrogate keys), and a change retires
exactly the answers holding what it changed: in the app's own response cache, and in a
CDN through its purge API. An unrelated publish leaves other answers cached."""

import json
import logging
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from api.graphql.response_cache import ResponseCache
from api.graphql.view import CMSGraphQLView
from core import cdn, content_version, retirements, surrogate_keys
from core.models import Retirement
from news.models import NewsIndexPage, NewsPage
from principles.models import PrinciplePage
from tests.support.factories import NewsPageFactory, publish
from tests.support.webhook_receiving import LocalServer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

PRINCIPLES = "{ principles { slug title } }"
NEWS = "{ newsItems(perPage: 100) { items { slug title } } }"


def get(client, query):
    return client.get("/graphql/", {"query": query})


def sql_count(callable_):
    with CaptureQueriesContext(connection) as captured:
        response = callable_()
    return response, len(captured)


def test_answers_name_what_they_hold_for_caches_to_purge_by(client):
    response = get(client, NEWS)
    keys = response["Surrogate-Key"].split()
    news = NewsPage.objects.live()
    assert {f"page:{page.pk}" for page in news} <= set(keys)
    assert {"list:news.newspage", "all"} <= set(keys)
    assert response["xkey"] == response["Surrogate-Key"]
    assert response["Cache-Tag"] == ",".join(keys)
    hit = get(client, NEWS)
    assert hit["Surrogate-Key"] == response["Surrogate-Key"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v2/pages/", {"list:pages"}),
        ("/api/v2/images/", {"list:wagtailimages.image"}),
        ("/news/feed/", {"list:news.newspage", "list:home.organisationsettings"}),
        ("/sitemap.xml", {"list:pages"}),
    ],
)
def test_rest_feeds_and_sitemap_name_what_they_hold_too(client, path, expected):
    keys = set(client.get(path)["Surrogate-Key"].split())
    assert expected | {"all"} <= keys


def test_a_recording_scope_holds_the_keys_recorded_within_it_and_the_answer_all_keys(rf):
    """One part of an answer (api/graphql/fragments.py) is kept with the keys recorded
    while it was made, those of the parts inside it too; the answer holds every key."""
    request = rf.get("/")
    surrogate_keys.record(request, "before")
    with surrogate_keys.recording_scope(request) as outer:
        surrogate_keys.record(request, "a")
        with surrogate_keys.recording_scope(request) as inner:
            surrogate_keys.record(request, "b")
        with pytest.raises(ValueError), surrogate_keys.recording_scope(request) as failed:
            surrogate_keys.record(request, "c")
            raise ValueError  # a part that fails is left all the same
        surrogate_keys.record(request, "d")
    surrogate_keys.record(request, "after")
    assert (inner, failed, outer) == ({"b"}, {"c"}, {"a", "b", "c", "d"})
    assert surrogate_keys.recorded(request) == ["a", "after", "all", "b", "before", "c", "d"]


def test_a_news_publish_leaves_the_principles_cached_and_refreshes_the_news(client, committed):
    get(client, PRINCIPLES), get(client, NEWS)
    committed(lambda: publish(NewsPageFactory(title="A new family hub opens", slug="hub")))
    _, principles_sql = sql_count(lambda: get(client, PRINCIPLES))
    assert principles_sql == 0
    news = get(client, NEWS).json()["data"]["newsItems"]["items"]
    assert "hub" in [item["slug"] for item in news]


def test_unpublishing_a_page_retires_every_answer_that_held_it(client, committed):
    query = '{ page(urlPath: "/principles/fair/") { title } }'
    assert get(client, query).json()["data"]["page"]["title"]
    fair = PrinciplePage.objects.get(slug="fair")
    committed(fair.unpublish)
    assert get(client, query).json()["data"]["page"] is None
    assert "fair" not in [p["slug"] for p in get(client, PRINCIPLES).json()["data"]["principles"]]


def test_a_path_that_held_nothing_is_retired_when_a_page_is_published_there(client, committed):
    query = '{ page(urlPath: "/news/a-new-release/") { title } }'
    empty = get(client, query)
    assert empty.json()["data"]["page"] is None
    assert "path:/home/news/a-new-release/" in empty["Surrogate-Key"].split()
    committed(lambda: publish(NewsPageFactory(title="A new release", slug="a-new-release")))
    assert get(client, query).json()["data"]["page"] == {"title": "A new release"}


def test_renaming_a_section_retires_the_urls_below_it(client, committed):
    query = "{ newsItems(perPage: 1) { items { url } } }"
    assert get(client, query).json()["data"]["newsItems"]["items"][0]["url"].startswith("/news/")
    index = NewsIndexPage.objects.get()
    index.slug = "press"
    committed(lambda: publish(index))
    assert get(client, query).json()["data"]["newsItems"]["items"][0]["url"].startswith("/press/")


def test_an_answer_made_while_a_change_committed_is_not_kept(rf):
    started_at = content_version.read()
    cache = ResponseCache(rf.get("/"), None, {}, started_at)
    content_version.replace_versions({"page:1"})  # committed while the answer was being made
    cache.set(["{ q }"], '"etag"', b"{}", ["page:1", "all"])
    assert ResponseCache(rf.get("/"), None, {}, content_version.read()).get("{ q }") is None


def test_an_answer_made_while_a_change_committed_is_kept_by_no_cdn(client, monkeypatch):
    execute = CMSGraphQLView.execute

    def execute_while_a_change_commits(self, *args):
        content_version.replace_versions({"page:1"})
        return execute(self, *args)

    monkeypatch.setattr(CMSGraphQLView, "execute", execute_while_a_change_commits)
    response = get(client, "{ principles { slug } }")
    assert response["Cache-Control"] == "private, no-store"
    assert "Surrogate-Key" not in response


class PurgeRecorder(BaseHTTPRequestHandler):
    """A stand-in for a CDN's purge API: records each request and answers `status`."""

    received = []
    status = 200

    def handle_request(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.received.append((self.command, self.path, dict(self.headers), body))
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    do_POST = do_PURGE = handle_request

    def log_message(self, *args):
        pass


@pytest.fixture
def purge_api(settings):
    PurgeRecorder.received, PurgeRecorder.status = [], 200
    server = LocalServer()
    server.serve(PurgeRecorder)
    with server:
        yield server, PurgeRecorder


def test_fastly_is_purged_by_its_batch_surrogate_key_api(settings, purge_api, committed):
    server, recorder = purge_api
    settings.CDN_PURGE_BACKEND = "fastly"
    settings.FASTLY_API_URL, settings.FASTLY_SERVICE_ID = server.origin, "SU1Z0isxPaozGVKXdv0eY"
    settings.FASTLY_API_TOKEN = "fastly-token"
    page = committed(lambda: publish(NewsPageFactory(title="Fostering fortnight")))
    assert {(method, path) for method, path, _, _ in recorder.received} == {
        ("POST", "/service/SU1Z0isxPaozGVKXdv0eY/purge")
    }
    assert {headers["Fastly-Key"] for _, _, headers, _ in recorder.received} == {"fastly-token"}
    keys = {key for *_, body in recorder.received for key in json.loads(body)["surrogate_keys"]}
    assert {f"page:{page.pk}", "list:news.newspage", "list:pages"} <= keys
    assert "list:principles.principlepage" not in keys


def test_cloudflare_is_purged_by_cache_tag_thirty_tags_a_request(settings, purge_api):
    server, recorder = purge_api
    settings.CDN_PURGE_BACKEND = "cloudflare"
    settings.CLOUDFLARE_API_URL, settings.CLOUDFLARE_ZONE_ID = server.origin, "023e105f4ecef8ad"
    settings.CLOUDFLARE_API_TOKEN = "cloudflare-token"
    keys = {f"page:{number}" for number in range(45)}
    cdn.send(sorted(keys))
    assert [(method, path) for method, path, _, _ in recorder.received] == [
        ("POST", "/client/v4/zones/023e105f4ecef8ad/purge_cache")
    ] * 2
    assert {h["Authorization"] for _, _, h, _ in recorder.received} == {"Bearer cloudflare-token"}
    batches = [json.loads(body)["tags"] for _, _, _, body in recorder.received]
    assert [len(batch) for batch in batches] == [30, 15]
    assert set(batches[0] + batches[1]) == keys


def test_varnish_is_purged_with_its_xkey_header(settings, purge_api, committed):
    server, recorder = purge_api
    settings.CDN_PURGE_BACKEND = "varnish"
    settings.VARNISH_PURGE_URLS = [server.origin + "/", server.origin + "/second/"]
    page = committed(lambda: publish(NewsPageFactory(title="Adoption week")))
    purged = {}  # path -> the keys purged there
    for method, path, headers, _ in recorder.received:
        assert method == "PURGE"
        purged.setdefault(path, set()).update(headers["xkey-purge"].split())
    assert set(purged) == {"/", "/second/"}
    assert all(f"page:{page.pk}" in keys for keys in purged.values())


def test_a_failed_purge_is_logged_and_the_publish_stands(settings, purge_api, committed, caplog):
    server, recorder = purge_api
    recorder.status = 503
    settings.CDN_PURGE_BACKEND = "varnish"
    settings.VARNISH_PURGE_URLS = [server.origin + "/"]
    with caplog.at_level(logging.ERROR, logger="cms.cdn"):
        page = committed(lambda: publish(NewsPageFactory(title="Still published")))
    assert NewsPage.objects.get(pk=page.pk).live
    assert "CDN purge failed (varnish)" in caplog.text


def test_a_retirement_a_cache_ignoring_its_errors_did_not_take_is_tried_again(settings, committed):
    """Production's Redis client ignores its errors (IGNORE_EXCEPTIONS): a write it failed
    raises nothing, so the retirement must not pass for done."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # a closed port
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        },
    }
    page = committed(lambda: publish(NewsPageFactory(title="Written nowhere")))
    left = [r for r in Retirement.objects.all() if f"page:{page.pk}" in r.keys]
    assert [(r.step, r.failures) for r in left] == [(Retirement.Step.RETIRE, 1)]


def test_a_step_held_by_a_worker_that_stops_is_queued_for_when_its_claim_lapses(
    settings, monkeypatch
):
    """The task that held the step is lost with its worker: the claim itself queues the
    task that takes the step once it lapses."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    settings.CDN_PURGE_BACKEND = "varnish"
    retirement = Retirement.objects.create(keys=["page:1"], step=Retirement.Step.PURGE)

    def killed(keys):
        raise SystemExit("SIGKILL")  # the worker stops as it holds the purge

    monkeypatch.setitem(retirements.STEPS, Retirement.Step.PURGE, killed)
    with pytest.raises(SystemExit):
        retirements.apply_due.call()
    claimed = Retirement.objects.get(pk=retirement.pk)
    assert claimed.due_at > retirement.due_at
    queued = DBTaskResult.objects.filter(task_path=retirements.apply_due.module_path)
    assert list(queued.values_list("status", "run_after")) == [("READY", claimed.due_at)]


def test_varnish_is_purged_again_once_app_servers_have_seen_the_change(
    settings, purge_api, committed
):
    """An app server may answer from what it kept for the old content version for up to
    CONTENT_VERSION_RECHECK_SECONDS: each purge is sent again once that has passed, by
    the task worker (core/retirements.py)."""
    server, recorder = purge_api
    settings.CDN_PURGE_BACKEND = "varnish"
    settings.VARNISH_PURGE_URLS = [server.origin + "/"]
    settings.CONTENT_VERSION_RECHECK_SECONDS = 0.2
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    before_the_change = timezone.now()
    page = committed(lambda: publish(NewsPageFactory(title="Adoption week")))

    def times_purged():
        return Counter(headers["xkey-purge"] for _, _, headers, _ in recorder.received)

    assert set(times_purged().values()) == {1}  # at once, as the change committed
    queued = DBTaskResult.objects.filter(task_path=retirements.apply_due.module_path)
    # For the worker, once due: none queued for at once (read by now, on a busy machine the
    # purge again, 0.2 s after the change, may already be due).
    not_before = before_the_change + timedelta(seconds=settings.CONTENT_VERSION_RECHECK_SECONDS)
    assert queued.exists()
    assert all(due >= not_before for due in queued.values_list("run_after", flat=True))
    deadline = time.monotonic() + 10
    while min(times_purged().values()) < 2 and time.monotonic() < deadline:
        if queued.ready().exists():
            retirements.apply_due.call()  # what the worker runs
        time.sleep(0.05)
    assert any(f"page:{page.pk}" in keys.split() for keys in times_purged())
    assert set(times_purged().values()) == {2}
    assert not Retirement.objects.exists()  # every step taken
