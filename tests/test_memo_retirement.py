"""A change retires only what it changed from what each process keeps (core/memo.py's
KeyedMemo): pages' parts of answers, news list items, renditions and the visibility
rule's facts are each kept with the versions of the surrogate keys they depend on.

Exactness: after every kind of change, each answer made from what was kept is the
answer made with nothing kept. Reuse: after one news page of a list of 100 is
published, the list is made again from the 99 other items' kept parts, and nothing an
unrelated change left alone is worked out again (counted: each memo's misses).

(An empty site, committed for real: nothing is kept inside a transaction.)"""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag
from wagtail.models import Page, PageViewRestriction, Site

from api.graphql.fragments import fragments
from api.graphql.media import list_renditions
from api.graphql.response_cache import ResponseCache
from core import content_version, memo, visibility
from core.request_context import context_of
from home import models as home_models
from home.models import HomePage, OrganisationSettings
from news.models import NewsIndexPage, NewsPage
from news.schema import news_items
from tests.support.factories import (
    FeaturedTestimonialFactory,
    ImageFactory,
    NewsIndexPageFactory,
    NewsPageFactory,
    StandardPageFactory,
    TestimonialFactory,
    publish,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIST = """query($perPage: PositiveInt) {
  newsItems(perPage: $perPage) {
    items {
      title slug url summary
      tags { name }
      heroImage { alt: description rendition(width: 480) { width } }
      parent { title }
    }
    pagination { total }
  }
}"""
ITEM = """{ page(urlPath: "/news/item-0/") { title url ... on NewsPage { summary } } }"""
HOME = """{ page(urlPath: "/") {
  title url
  ... on HomePage { featuredTestimonials { quote } }
} }"""
SETTING = """{ setting(name: "OrganisationSettings") {
  ... on OrganisationSettings { recruitmentEmail }
} }"""
QUERIES = {"list": LIST, "item": ITEM, "home": HOME, "setting": SETTING}
MEMOS = {
    "fragments": fragments,
    "news_items": news_items,
    "facts": visibility.facts,
    "renditions": list_renditions,
}


@pytest.fixture
def site(settings):
    """A news index with three items, tagged, sharing a hero image; a testimonial
    featured on the home page."""
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0  # every answer is made, none served whole
    image = ImageFactory(title="Hero", description="A family at the hub")
    index = NewsIndexPageFactory(title="News", slug="news")
    items = [
        NewsPageFactory(
            parent=index, title=f"Item {n}", slug=f"item-{n}", tags=["fostering"], hero_image=image
        )
        for n in range(3)
    ]
    testimonial = publish(TestimonialFactory(quote="They listened."))
    FeaturedTestimonialFactory(testimonial=testimonial)
    return {"image": image, "index": index, "items": items, "testimonial": testimonial}


def ask(client, query, **variables):
    response = client.post(
        "/graphql/",
        {"query": query, "variables": {"perPage": 100, **variables}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def answers(client):
    # A variable no query declares: each answer is made again (the response cache's
    # key holds it), as a front end's cache-busting parameter would have it.
    return {name: ask(client, query, cacheBuster=name) for name, query in QUERIES.items()}


def misses():
    return {name: kept.misses for name, kept in MEMOS.items()}


def hits():
    return {name: kept.hits for name, kept in MEMOS.items()}


def retitle(site):
    page = NewsPage.objects.get(pk=site["items"][1].pk)
    page.title = "Item 1, corrected"
    publish(page)


def unpublish(site):
    NewsPage.objects.get(pk=site["items"][2].pk).unpublish()


def move(site):
    press = NewsIndexPageFactory(title="Press", slug="press")
    NewsPage.objects.get(pk=site["items"][0].pk).move(press, pos="last-child")


def rename(site):
    index = NewsIndexPage.objects.get(pk=site["index"].pk)
    index.slug = "latest"
    publish(index)


def delete(site):
    NewsPage.objects.get(pk=site["items"][1].pk).delete()


def restrict_view(site):
    PageViewRestriction.objects.create(
        page=site["items"][0], restriction_type=PageViewRestriction.PASSWORD, password="x"
    )


def change_site(site):
    default = Site.objects.get(is_default_site=True)
    default.root_page = Page.objects.get(pk=site["index"].pk)
    default.save()


def change_image(site):
    image = site["image"]
    image.description = "Children at the hub"
    image.save()


def rename_tag(site):
    tag = Tag.objects.get(name="fostering")
    tag.name = "Fostering and adoption"
    tag.save()


def change_snippet(site):
    testimonial = home_models.Testimonial.objects.get(pk=site["testimonial"].pk)
    testimonial.quote = "They listened, and they acted."
    publish(testimonial)


def change_setting(site):
    setting = OrganisationSettings.for_site(Site.objects.get(is_default_site=True))
    setting.recruitment_email = "jobs@example.org"
    setting.save()


CHANGES = {
    "publish": (retitle, "list"),
    "unpublish": (unpublish, "list"),
    "move": (move, "list"),
    "rename": (rename, "item"),
    "delete": (delete, "list"),
    "view restriction": (restrict_view, "item"),
    "site": (change_site, "home"),
    "image": (change_image, "list"),
    "tag": (rename_tag, "list"),
    "snippet": (change_snippet, "home"),
    "setting": (change_setting, "setting"),
}


@pytest.mark.parametrize(("change", "shows_in"), CHANGES.values(), ids=CHANGES.keys())
def test_every_change_shows_at_once_in_every_answer(client, site, change, shows_in):
    before = answers(client)
    assert answers(client) == before  # now made from what was kept
    assert sum(hits().values()) > 0

    change(site)
    after = answers(client)
    memo.clear_all()
    assert after == answers(client)  # what is made with nothing kept
    assert after[shows_in] != before[shows_in]


def test_a_publish_recomputes_that_pages_part_and_the_lists_membership_only(client, settings):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    image = ImageFactory(title="Hero", description="A family at the hub")
    index = NewsIndexPageFactory(title="News", slug="news")
    news = [
        NewsPageFactory(parent=index, slug=f"item-{n}", tags=["fostering"], hero_image=image)
        for n in range(100)
    ]
    ask(client, LIST)  # makes the renditions, kept once they all exist:
    ask(client, LIST, cacheBuster="renditions made")
    memo_misses, memo_hits = misses(), hits()
    with CaptureQueriesContext(connection) as warm:
        ask(client, LIST, cacheBuster="warm")
    assert misses() == memo_misses  # every part, item, fact and rendition kept

    page = NewsPage.objects.get(pk=news[40].pk)
    page.title = "Corrected"
    publish(page)
    memo_misses, memo_hits = misses(), hits()
    with CaptureQueriesContext(connection) as after_publish:
        answer = ask(client, LIST, cacheBuster="after")
    assert "Corrected" in [item["title"] for item in answer["data"]["newsItems"]["items"]]
    recomputed = {name: misses()[name] - memo_misses[name] for name in MEMOS}
    reused = {name: hits()[name] - memo_hits[name] for name in MEMOS}
    # That page's part and its item; the list's count and what hides pages (both read
    # every page's list, which the publish retired). Kept: the 99 other items and their
    # parts, the parent's part (asked for by the page made again), the site's root, the
    # parent page, the public collections and the renditions. (The site's tree in each
    # language is not asked for: every item is in the source language's.)
    assert recomputed == {"fragments": 1, "news_items": 1, "facts": 2, "renditions": 0}
    assert reused == {"fragments": 100, "news_items": 99, "facts": 3, "renditions": 1}
    print(f"\nSQL: {len(warm)} warm, {len(after_publish)} after the publish")
    # The count, hidden pages, and one page, its hero image and its tags (a query each).
    assert len(after_publish) <= len(warm) + 5


def test_an_unrelated_change_recomputes_nothing_of_the_list(client, site):
    ask(client, LIST)  # makes the renditions, kept once they all exist
    ask(client, LIST, cacheBuster="renditions made")
    before = misses()
    publish(StandardPageFactory(title="About", slug="about"))  # a page outside the list
    home = HomePage.objects.get()
    home.title = "Southwark, retitled"  # above the list: its URLs and visibility stay
    publish(home)
    change_snippet(site)
    change_setting(site)
    ask(client, LIST, cacheBuster="after")
    recomputed = {name: misses()[name] - before[name] for name in MEMOS}
    # Only the list's membership (any page's publish can show or hide pages below it)
    # and the site's root (its page was published).
    assert recomputed == {"fragments": 0, "news_items": 0, "facts": 3, "renditions": 0}


def test_a_live_page_published_again_retires_nothing_below_it(site):
    """Only publishing a page that was not live, a new slug (page_slug_changed) or a move
    change what is below it: its URLs and what may be seen."""
    index, item = NewsIndexPage.objects.get(pk=site["index"].pk), site["items"][0]

    def retired_by(change):
        with mock.patch("core.changes.dispatch") as dispatch:
            change()
        (published,) = [call.args[0] for call in dispatch.call_args_list if call.args[0].event]
        return published.keys

    index.title = "Latest news"
    again = retired_by(lambda: publish(index))
    assert {f"page:{index.pk}", "path:/home/news/", "list:pages"} <= again
    assert f"page:{item.pk}" not in again and "path:/home/news/item-0/" not in again
    index.unpublish()
    published = retired_by(lambda: publish(index))
    assert {f"page:{index.pk}", f"page:{item.pk}", "path:/home/news/item-0/"} <= published


def test_a_kept_page_is_answered_with_its_body_read_afresh(client, site):
    """A news item is kept by its own key, its hero image's and its tags' (news_items):
    an image chosen in its body is another, read again for each answer, not kept with
    the page (a StreamField keeps the objects its blocks chose once read)."""
    query = "{ newsItems { items { body { ... on ImageBlock { alt } } } } }"
    chosen = ImageFactory(title="Chosen", description="A foster carer")
    item = NewsPage.objects.get(pk=site["items"][0].pk)
    item.body = [{"type": "image", "value": {"image": chosen.pk, "caption": ""}}]
    publish(item)

    def alts(cache_buster):
        items = ask(client, query, cacheBuster=cache_buster)["data"]["newsItems"]["items"]
        return [block["alt"] for item in items for block in item["body"]]

    assert alts("first") == ["A foster carer"]
    # One news item by its slug is read with its body deferred unless asked for: its
    # part is made from the page as read.
    one = '{ newsItem(slug: "item-0") { title } }'
    assert ask(client, one)["data"]["newsItem"] == {"title": "Item 0"}
    chosen.description = "Two foster carers"
    chosen.save()
    assert alts("again") == ["Two foster carers"]
    assert news_items.misses == 3  # each item read once, and kept since


# The key versions a process knows (core/content_version.py) ------------------------------


def request_at(rf, version):
    request = rf.get("/")
    context_of(request).content_version = version
    return request


def test_a_change_in_progress_is_read_again_once_its_keys_are_all_replaced(rf):
    """A change replaces the content version, its keys, then the content version again:
    a process that read its keys while the first was current reads them again."""
    started = content_version.read()
    known = content_version.key_versions_for(request_at(rf, started))
    assert known.of([{"page:1"}]) == [{"page:1": None, "all": None}]

    cache.set(content_version.VERSION_KEY, "in progress", None)  # the change's first step
    in_progress = content_version.key_versions_for(request_at(rf, "in progress"))
    assert in_progress.hold({"page:1": None, "all": None})  # its keys not yet replaced
    content_version.replace_versions({"page:1"})
    settled = content_version.read()
    assert not content_version.key_versions_for(request_at(rf, settled)).hold(
        {"page:1": None, "all": None}
    )


def test_nothing_is_kept_when_a_change_was_retired_while_it_was_made(rf):
    version = content_version.read()
    key_versions = content_version.key_versions_for(request_at(rf, version))
    content_version.replace_versions({"page:2"})  # while the request ran
    assert key_versions.of([{"page:1"}]) is None
    kept = memo.KeyedMemo(max_size=10)
    kept.keep(key_versions, [("a", "made while a change was retired", ["page:1"])])
    assert len(kept.values) == 0
    # Read by a request at a version older than the one the keys were read at: nothing
    # it makes is kept either.
    newer = content_version.key_versions_for(request_at(rf, content_version.read()))
    assert content_version.KeyVersions(version, newer.known).of([{"page:1"}]) is None


def test_an_answer_made_while_a_change_committed_is_kept_by_no_cache_though_its_keys_were_known(
    rf,
):
    """The response cache keeps an answer with the key versions this process knows, and
    reads the content version again before it does: an answer made while a publish was
    retired may hold what came before it, and a CDN told to purge before it had the
    answer would keep it."""
    version = content_version.read()
    request = request_at(rf, version)
    content_version.key_versions_for(request).of([{"page:1"}])  # page:1 and all now known
    answers = ResponseCache(request, None, {}, version)
    content_version.replace_versions({"page:1"})  # retired while the answer was made
    assert answers.set(["{ q }"], '"etag"', b"{}", ["all", "page:1"]) is None
    assert ResponseCache(request, None, {}, content_version.read()).get("{ q }") is None


def test_without_the_shared_cache_nothing_is_kept_or_used(rf, caplog):
    version = content_version.read()
    key_versions = content_version.key_versions_for(request_at(rf, version))
    with mock.patch.object(cache, "get_many", side_effect=ConnectionError):
        assert key_versions.of([{"page:3"}]) is None
        assert content_version.key_versions_for(request_at(rf, "another")) is None
    assert "Shared cache unavailable" in caplog.text
    cache.delete(content_version.VERSION_KEY)  # flushed since the request read it
    assert content_version.key_versions_for(request_at(rf, "yet another")) is None


def test_the_keys_a_process_knows_are_bounded(rf, monkeypatch):
    monkeypatch.setattr(content_version, "MAX_KNOWN_KEYS", 2)
    version = content_version.read()
    key_versions = content_version.key_versions_for(request_at(rf, version))
    key_versions.of([{"page:1", "page:2", "page:3"}])  # past the bound: not all known
    assert len(key_versions.known.versions) == 4  # page:1-3 and all, added at once
    key_versions.of([{"page:4"}])
    assert "page:4" not in key_versions.known.versions
    content_version.replace_versions({"page:5"})
    restarted = content_version.key_versions_for(request_at(rf, content_version.read()))
    assert restarted.known.versions == {}  # read afresh from nothing


def test_a_memo_keeps_nothing_without_key_versions_nor_a_value_larger_than_its_bound(rf):
    kept = memo.KeyedMemo(max_size=10, size_of=len)
    version = content_version.read()
    key_versions = content_version.key_versions_for(request_at(rf, version))
    assert kept.get(None, "a", lambda: "value", lambda _: ["page:1"]) == "value"
    assert kept.find(key_versions, "a") is None
    kept.keep(key_versions, [("a", "short", ["page:1"]), ("b", "far too long", ["page:1"])])
    # Nothing found is not kept (nor are its keys asked for): it is looked for again.
    assert kept.get(key_versions, "c", lambda: None, lambda found: [found.pk]) is None
    assert [kept.find(key_versions, key) for key in "abc"] == ["short", None, None]
    assert (kept.hits, kept.misses) == (1, 4)


def test_with_nothing_kept_every_part_is_made_again_and_the_answer_is_the_same(client, site):
    """`make bench`'s server that keeps nothing (bench/nothing_kept.py) empties the memos
    of content before each request: every part is worked out again, as after a publish
    that retired everything, and the answer is the one made from what was kept."""
    ask(client, LIST)  # makes the renditions, kept once they all exist
    kept = ask(client, LIST, cacheBuster="renditions made")
    memo.clear_content()
    assert hits() == misses() == dict.fromkeys(MEMOS, 0)
    afresh = ask(client, LIST, cacheBuster="nothing kept")
    assert afresh == kept
    assert hits() == dict.fromkeys(MEMOS, 0), misses()
