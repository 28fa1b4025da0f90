"""Public change history: a minor change (a typo fixed) leaves a page's `lastUpdated` and
`changeHistory` as they were; a major one, with its public change note, moves them, in
GraphQL, in the news feed's updated dates and in the webhook's `change`."""

import datetime

import pytest
from defusedxml import ElementTree
from django.urls import reverse
from django.utils import timezone

from governance.models import a_year_after
from news.models import NewsPage
from tests.support.factories import NewsPageFactory, publish
from webhooks.models import Change

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

ATOM = "{http://www.w3.org/2005/Atom}"
FIRST_PUBLISHED = datetime.datetime(2024, 1, 10, 9, 30, tzinfo=datetime.UTC)
HISTORY = """
query Page($urlPath: String!) {
  page(urlPath: $urlPath) { lastUpdated changeHistory { date note } }
}
"""


@pytest.fixture
def news_page(django_capture_on_commit_callbacks):
    """A news page first published on 10 January 2024 (its first publish, moved back)."""
    page = NewsPageFactory(title="Family hubs open", live=False)
    with django_capture_on_commit_callbacks(execute=True):
        publish(page)
    NewsPage.objects.filter(pk=page.pk).update(
        first_published_at=FIRST_PUBLISHED, last_published_at=FIRST_PUBLISHED
    )
    page.refresh_from_db()
    return page


def republish(page, kind, note="", **fields):
    """Edit the page as its latest revision has it and publish, marked `kind`."""
    edited = page.get_latest_revision_as_object()
    for name, value in {**fields, "change_kind": kind, "change_note": note}.items():
        setattr(edited, name, value)
    return publish(edited)


def history(graphql, page):
    response = graphql(HISTORY, {"urlPath": page.url})
    assert "errors" not in response, response
    return response["data"]["page"]


def atom_entry(client, page):
    """The page's entry in the Atom feed: (its updated time, its summary)."""
    root = ElementTree.fromstring(client.get("/news/feed/atom/").content)
    for entry in root.findall(f"{ATOM}entry"):
        if entry.findtext(f"{ATOM}title") == page.title:
            updated = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
            return updated, entry.findtext(f"{ATOM}summary")
    raise AssertionError(f"{page.title} is not in the feed")


def atom_updated(client, page):
    return atom_entry(client, page)[0]


def published_changes(page):
    return list(
        Change.objects.filter(event="page.published", object_id=page.pk)
        .order_by("pk")
        .values_list("change", flat=True)
    )


def test_a_first_publish_is_the_last_update_with_no_change_notes(graphql, news_page):
    assert history(graphql, news_page) == {"lastUpdated": "2024-01-10", "changeHistory": []}
    assert published_changes(news_page) == ["major"]


def test_a_minor_change_leaves_last_updated_and_the_history_as_they_were(
    graphql, client, news_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        republish(news_page, "minor", summary="Family hubs open across the borough.")

    assert history(graphql, news_page) == {"lastUpdated": "2024-01-10", "changeHistory": []}
    assert atom_updated(client, news_page) == FIRST_PUBLISHED
    assert published_changes(news_page) == ["major", "minor"]


def test_a_major_change_adds_its_note_to_graphql_and_moves_the_feeds_updated_date(
    graphql, client, news_page, django_capture_on_commit_callbacks
):
    note = "Added the opening hours of each family hub."
    with django_capture_on_commit_callbacks(execute=True):
        page = republish(news_page, "major", note, summary="Opening hours added.")
    major_change_at = page.last_published_at
    with django_capture_on_commit_callbacks(execute=True):
        republish(page, "minor", summary="Opening hours added (typo fixed).")

    today = timezone.localdate().isoformat()
    assert history(graphql, news_page) == {
        "lastUpdated": today,
        "changeHistory": [{"date": today, "note": note}],
    }
    updated, summary = atom_entry(client, news_page)
    assert updated == major_change_at
    day = timezone.localdate(major_change_at)
    assert summary == f"Opening hours added (typo fixed). Updated {day:%-d %B %Y}: {note}"
    assert published_changes(news_page) == ["major", "major", "minor"]
    changes = graphql("{ changes { events { type id change } } }", {})["data"]["changes"]["events"]
    assert [e["change"] for e in changes if e["id"] == str(news_page.pk)] == [
        "major",
        "major",
        "minor",
    ]


def test_change_notes_are_newest_first_and_kept_when_an_old_revision_is_republished(
    graphql, news_page
):
    first = republish(news_page, "major", "Added the opening hours.")
    old_revision = first.latest_revision
    republish(first, "major", "Added the address of the new hub.")
    old_revision.publish()

    notes = [entry["note"] for entry in history(graphql, news_page)["changeHistory"]]
    assert notes == ["Added the address of the new hub.", "Added the opening hours."]


def major_change_form(news_page_form, page, note):
    """The admin's edit form of `page`, its summary changed, marked major with `note`."""
    return news_page_form(
        title=page.title,
        slug=page.slug,
        date=page.date.isoformat(),
        summary="Opening hours added.",
        change_kind="major",
        change_note=note,
    )


def test_a_major_change_without_a_note_is_refused_with_a_message_the_editor_sees(
    admin_client, news_page, news_page_form
):
    form = major_change_form(news_page_form, news_page, note="")
    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[news_page.pk]), form)

    assert response.status_code == 200
    assert response.context["form"].errors["change_note"] == [
        "A major change needs a public change note: say what changed, for the page's readers."
    ]
    news_page.refresh_from_db()
    assert news_page.summary != "Opening hours added."


def test_the_next_edit_starts_at_a_minor_change_with_no_note(
    admin_client, news_page, news_page_form
):
    form = major_change_form(news_page_form, news_page, note="Added the opening hours.")
    url = reverse("wagtailadmin_pages:edit", args=[news_page.pk])
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.context["form"].errors

    form = admin_client.get(url).context["form"]
    assert (form["change_kind"].value(), form["change_note"].value()) == ("minor", "")
    news_page.refresh_from_db()
    assert [entry["note"] for entry in news_page.change_history] == ["Added the opening hours."]


def test_a_copy_of_a_page_starts_with_no_history_and_its_own_review_date(news_page):
    page = republish(news_page, "major", "Added the opening hours.")
    NewsPage.objects.filter(pk=page.pk).update(review_by=datetime.date(2025, 3, 1))
    page.refresh_from_db()

    copy = page.copy(update_attrs={"slug": "family-hubs-open-copy", "title": "A copy"})

    assert copy.change_history == []
    assert copy.review_by == a_year_after(timezone.localdate())  # set as the copy went live
