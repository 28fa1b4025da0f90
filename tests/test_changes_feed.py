"""The changes feed: `changes(after:, limit:)` replays what was published, unpublished,
moved and deleted, oldest first, from a cursor; only what an anonymous reader may see.

Each change commits (its on-commit callbacks run, as at the end of a real transaction),
which is when it is recorded. The feed is read over HTTP as an anonymous front end would.
"""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, Site

from home import models as home
from tests.support.factories import (
    NewsPageFactory,
    StandardPageFactory,
    TestimonialFactory,
    publish,
)
from webhooks.models import Change, Delivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

CHANGES = """
query Changes($after: String, $limit: PositiveInt) {
  changes(after: $after, limit: $limit) {
    events { type contentType id urlPath previousUrlPath occurredAt }
    nextCursor
    hasMore
  }
}
"""


@pytest.fixture
def changes(graphql):
    """One page of the feed; fails on an error."""

    def read(after=None, limit=None, **extra):
        response = graphql(CHANGES, {"after": after, "limit": limit}, **extra)
        assert "errors" not in response, response["errors"]
        return response["data"]["changes"]

    return read


def read_all(changes, after, limit):
    """Page through the feed from `after` as a poller does: (events, final cursor, answers)."""
    events, answers = [], []
    while True:
        page = changes(after, limit)
        answers.append(page)
        assert len(page["events"]) <= limit
        events += page["events"]
        after = page["nextCursor"]
        if not page["hasMore"]:
            return events, after, answers


def current_cursor(changes):
    """Where a new poller starts: the end of the feed as it is."""
    return read_all(changes, None, 100)[1]


def error_of(graphql, after=None, limit=None):
    response = graphql(CHANGES, {"after": after, "limit": limit})
    [error] = response["errors"]
    assert response["data"] is None
    return error


# The feed replays the changes -------------------------------------------------------------


def test_a_scripted_sequence_of_edits_is_replayed_exactly(changes, committed):
    start = current_cursor(changes)
    news = NewsPageFactory(title="Draft headline one", slug="family-hubs", live=False)
    teams = StandardPageFactory(title="Our teams", slug="our-teams")
    old = NewsPageFactory(title="Old release", slug="old-release")
    testimonial = TestimonialFactory(quote="Draft words of a young person.", live=False)
    draft = NewsPageFactory(title="SECRET draft headline", slug="secret-draft", live=False)
    private = NewsPageFactory(title="Members only", slug="members-only", password="x", live=False)
    organisation = home.OrganisationSettings.objects.get()
    about = home.StandardPage.objects.get(slug="about")
    old_id = old.pk

    committed(lambda: publish(news))  # publish
    news.title = "Family hubs open across the borough"
    news.summary = "Edited before it went out again."
    committed(lambda: publish(news))  # edit and publish
    committed(lambda: teams.move(about, pos="last-child"))  # move
    committed(news.unpublish)  # unpublish
    committed(old.delete)  # delete: a live page is unpublished, then deleted
    committed(lambda: publish(testimonial))  # snippet publish
    committed(testimonial.unpublish)  # snippet unpublish
    organisation.recruitment_email = "careers@example.org"
    committed(organisation.save)  # settings save
    draft.title = "SECRET draft headline, edited"
    committed(draft.save_revision)  # a draft: not in the feed
    committed(lambda: publish(private))  # private: not in the feed
    news_type, page_type = "news.NewsPage", "home.StandardPage"
    expected = [
        ("page.published", news_type, news.pk, "/news/family-hubs/", None),
        ("page.published", news_type, news.pk, "/news/family-hubs/", None),
        ("page.moved", page_type, teams.pk, "/about/our-teams/", "/our-teams/"),
        ("page.unpublished", news_type, news.pk, "/news/family-hubs/", None),
        ("page.unpublished", news_type, old_id, "/news/old-release/", None),
        ("page.deleted", news_type, old_id, "/news/old-release/", None),
        ("snippet.published", "home.Testimonial", testimonial.pk, None, None),
        ("snippet.unpublished", "home.Testimonial", testimonial.pk, None, None),
        ("settings.saved", "home.OrganisationSettings", organisation.pk, None, None),
    ]

    for limit in (1, 2, 4, 100):
        events, end, answers = read_all(changes, start, limit)
        assert [
            (e["type"], e["contentType"], int(e["id"]), e["urlPath"], e["previousUrlPath"])
            for e in events
        ] == expected
        moments = [datetime.datetime.fromisoformat(e["occurredAt"]) for e in events]
        assert moments == sorted(moments)
        assert all(timezone.now() - moment < datetime.timedelta(minutes=5) for moment in moments)
        # Nothing new: the cursor given back, so a poller keeps its place.
        assert changes(end, limit) == {"events": [], "nextCursor": end, "hasMore": False}
        text = json.dumps(answers)
        for words in ("Draft headline", "SECRET", "secret-draft", "Family hubs", "members"):
            assert words not in text


def test_an_event_has_no_title_or_text_to_ask_for(graphql):
    response = graphql("{ changes { events { title } } }")
    assert response["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_without_a_cursor_the_feed_starts_at_the_oldest_event_kept(changes, committed):
    first = NewsPageFactory(title="First", slug="first", live=False)
    second = NewsPageFactory(title="Second", slug="second", live=False)
    committed(lambda: publish(first))
    committed(lambda: publish(second))

    page = changes(limit=1)

    assert [event["urlPath"] for event in page["events"]] == ["/news/first/"]
    assert page["hasMore"] is True
    rest = changes(page["nextCursor"])
    assert [event["urlPath"] for event in rest["events"]] == ["/news/second/"]
    assert rest["hasMore"] is False


def test_an_empty_feed_gives_a_cursor_to_start_from(changes, committed):
    empty = changes()
    assert empty["events"] == [] and empty["hasMore"] is False

    committed(lambda: publish(NewsPageFactory(title="After", slug="after", live=False)))

    assert [e["urlPath"] for e in changes(empty["nextCursor"])["events"]] == ["/news/after/"]


def test_events_of_another_site_are_not_in_its_feed(changes, committed):
    other_root = publish(
        StandardPageFactory(parent=Page.get_first_root_node(), title="Other", slug="other-site")
    )
    Site.objects.create(hostname="other.example", root_page=other_root)
    elsewhere = StandardPageFactory(parent=other_root, title="Elsewhere", slug="elsewhere")
    start = current_cursor(changes)

    committed(elsewhere.unpublish)
    committed(lambda: publish(NewsPageFactory(title="Here", slug="here", live=False)))

    assert [e["urlPath"] for e in changes(start)["events"]] == ["/news/here/"]
    other = changes(start, HTTP_HOST="other.example")
    assert [e["urlPath"] for e in other["events"]] == ["/elsewhere/"]


# Cursors: malformed, expired; limits ------------------------------------------------------


@pytest.mark.parametrize("cursor", ["nonsense", "", "Y2hhbmdlOng=", "bm90IGEgY3Vyc29y"])
def test_a_malformed_cursor_is_bad_user_input(graphql, cursor):
    error = error_of(graphql, after=cursor)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "nextCursor" in error["message"]


@pytest.mark.parametrize("limit", [0, 101])
def test_a_limit_outside_1_to_100_is_bad_user_input(graphql, limit):
    error = error_of(graphql, limit=limit)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "between 1 and 100" in error["message"]


def publish_news(committed, count, days_ago=0):
    """Publish `count` news pages, as if `days_ago` days ago; their events, oldest first."""
    for _ in range(count):
        committed(lambda: publish(NewsPageFactory(live=False)))
    recorded = list(Change.objects.order_by("-pk")[:count])[::-1]
    Change.objects.filter(pk__in=[c.pk for c in recorded]).update(
        occurred_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return recorded


def test_prune_changes_deletes_events_past_the_retention_with_their_deliveries(
    webhooks, settings, committed
):
    settings.CHANGES_RETENTION_DAYS = 30
    old = publish_news(committed, 3, days_ago=31)
    kept = publish_news(committed, 2, days_ago=29)
    assert Delivery.objects.count() == 5

    out = io.StringIO()
    call_command("prune_changes", stdout=out)

    assert list(Change.objects.order_by("pk")) == kept
    assert set(Delivery.objects.values_list("change", flat=True)) == {c.pk for c in kept}
    assert "Pruned 3 events" in out.getvalue()
    assert old[0].pk not in Change.objects.values_list("pk", flat=True)


def test_a_cursor_older_than_the_retention_is_expired(changes, graphql, committed):
    start = current_cursor(changes)
    publish_news(committed, 2, days_ago=40)
    read_one = changes(start, 1)["nextCursor"]
    publish_news(committed, 1)

    call_command("prune_changes", stdout=io.StringIO())

    for cursor in (start, read_one):
        error = error_of(graphql, after=cursor)
        assert error["extensions"]["code"] == "CURSOR_EXPIRED"
        assert "without `after`" in error["message"]
    # Starting again: the events kept, and a cursor that carries on.
    again = changes()
    assert len(again["events"]) == 1
    assert changes(again["nextCursor"])["events"] == []


def test_gaps_in_the_ids_do_not_expire_a_cursor(changes, committed):
    """Ids skip numbers (a rolled-back insert uses one up): only pruning expires."""
    start = current_cursor(changes)
    skipped, kept = publish_news(committed, 2)
    skipped.delete()

    assert [int(e["id"]) for e in changes(start)["events"]] == [kept.object_id]


def test_a_cursor_at_the_end_of_a_quiet_feed_never_expires(changes, committed):
    """No event for longer than the retention: the latest is kept, and the cursor at it
    still reads the feed."""
    publish_news(committed, 3, days_ago=90)
    end = current_cursor(changes)

    call_command("prune_changes", stdout=io.StringIO())

    assert Change.objects.count() == 1
    assert changes(end) == {"events": [], "nextCursor": end, "hasMore": False}
    committed(lambda: publish(NewsPageFactory(title="News at last", slug="at-last", live=False)))
    assert [e["urlPath"] for e in changes(end)["events"]] == ["/news/at-last/"]


# Caching ------------------------------------------------------------------------------------


def test_a_cached_answer_is_retired_by_the_next_event(client, committed, changes):
    start = current_cursor(changes)

    def get():
        variables = json.dumps({"after": start})
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/graphql/", {"query": CHANGES, "variables": variables})
        return response, len(queries)

    first, _ = get()
    assert "list:webhooks.change" in first["Surrogate-Key"].split()
    cached, queries = get()
    assert queries == 0, "answered from the response cache"
    assert cached.json() == first.json()

    committed(lambda: publish(NewsPageFactory(title="Fresh", slug="fresh", live=False)))

    fresh, _ = get()
    assert [e["urlPath"] for e in fresh.json()["data"]["changes"]["events"]] == ["/news/fresh/"]
