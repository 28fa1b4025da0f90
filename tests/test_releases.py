"""Releases (releases/): drafts of pages and snippets, each signed off, published
together, all or nothing, as one moment for the front ends: one event, one purge."""

import datetime
import io
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale, ModelLogEntry, Workflow

from core import retirements
from core.models import Retirement
from governance.sign_off import what_approving_did
from home.models import Inspection
from principles.models import PrinciplePage
from releases import preview as release_preview
from releases import publishing
from releases.models import Release, add
from releases.wagtail_hooks import add_item_url, register_add_snippet_to_release_menu_item
from tests.support.factories import NewsPageFactory, TestimonialFactory, UserFactory, translate
from tests.support.webhook_receiving import WEBHOOK_SECRET, run_webhook_worker
from webhooks import events
from webhooks.models import Change

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

PRINCIPLE = '{ page(urlPath: "/principles/fair/") { title ... on PrinciplePage { summary } } }'
INSPECTIONS = "{ inspections { id summary } }"
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def purged(settings, monkeypatch):
    """The keys of each CDN purge sent, in order (a purge backend set, nothing sent)."""
    settings.CDN_PURGE_BACKEND = "varnish"
    sent = []
    monkeypatch.setitem(
        retirements.STEPS, Retirement.Step.PURGE, lambda keys: sent.append(set(keys))
    )
    return sent


def edit(obj, user, **values):
    """Save a draft of the page or snippet with these values, as an editor does."""
    obj = type(obj).objects.get(pk=obj.pk)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save_revision(user=user)
    return type(obj).objects.get(pk=obj.pk)


def sign_off(obj, editor, moderator):
    """The editor submits its latest draft to Moderators approval; a moderator approves."""
    Workflow.objects.get(name="Moderators approval").start(obj, editor)
    obj = type(obj).objects.get(pk=obj.pk)
    task_state = obj.current_workflow_task_state
    task_state.task.specific.on_action(task_state, moderator, "approve")
    return type(obj).objects.get(pk=obj.pk)


def fair():
    return PrinciplePage.objects.get(slug="fair")


def inspection():
    return Inspection.objects.filter(live=True).order_by("pk").first()


def ready_release(editor, moderator, name="Ofsted day"):
    """A release of two signed-off drafts: the principle page Fair and an inspection."""
    release = Release.objects.create(name=name, created_by=editor)
    page = edit(fair(), editor, title="Fairer", summary="Fairness, released.")
    add(release, page, editor)
    snippet = edit(inspection(), editor, summary="Released with the report.")
    add(release, snippet, editor)
    sign_off(page, editor, moderator)
    sign_off(snippet, editor, moderator)
    return release


def summaries(graphql):
    return {item["summary"] for item in graphql(INSPECTIONS)["data"]["inspections"]}


# Sign-off ------------------------------------------------------------------------------------


def test_approving_an_item_of_a_release_leaves_it_for_the_release(editor, moderator, graphql):
    release = ready_release(editor, moderator)
    assert graphql(PRINCIPLE)["data"]["page"]["title"] == "Fair"
    assert "Released with the report." not in summaries(graphql)
    assert [item.problem() for item in release.items.all()] == [None, None]
    assert fair().has_unpublished_changes


def test_approving_what_is_in_no_release_still_publishes_it(editor, moderator):
    page = sign_off(edit(fair(), editor, title="Fairest"), editor, moderator)
    assert page.title == "Fairest" and not page.has_unpublished_changes


def test_a_release_is_scheduled_only_when_every_item_is_signed_off(editor, moderator):
    release = Release.objects.create(name="Not yet")
    with pytest.raises(publishing.NotReady, match="it has no items"):
        publishing.schedule(release, timezone.now())
    add(release, edit(fair(), editor, title="Fairer"), editor)
    with pytest.raises(publishing.NotReady) as refused:
        publishing.schedule(release, timezone.now())
    assert refused.value.problems == [
        "'Fairer': it has not been signed off (submit it to Moderators approval)"
    ]
    sign_off(fair(), editor, moderator)
    go_live_at = timezone.now() + datetime.timedelta(hours=1)
    publishing.schedule(release, go_live_at, editor)
    release.refresh_from_db()
    assert (release.status, release.go_live_at) == (Release.Status.SCHEDULED, go_live_at)


def test_an_item_edited_after_it_was_added_is_changed_until_added_and_signed_off_again(
    editor, moderator
):
    release = ready_release(editor, moderator)
    edit(fair(), editor, title="Fairer still")
    item = release.items.get(label="Fairer")
    assert item.problem() == (
        "it was edited after it was added: add it again, and have it signed off"
    )
    with pytest.raises(publishing.NotReady, match="'Fairer': it was edited after"):
        publishing.schedule(release, timezone.now())

    item = add(release, fair(), editor)  # its latest draft, in place of the one before
    assert (item.label, item.problem()) == (
        "Fairer still",
        "it has not been signed off (submit it to Moderators approval)",
    )
    sign_off(fair(), editor, moderator)
    assert release.items.count() == 2 and publishing.problems_of(release) == []


# Publishing: all or nothing, one moment ------------------------------------------------------


def test_publishing_puts_every_item_live_with_one_event_and_one_purge(
    editor, moderator, graphql, committed, purged
):
    release = ready_release(editor, moderator)
    page, snippet = fair(), inspection()
    Change.objects.all().delete()
    assert committed(lambda: publishing.publish(release, moderator)) is True

    assert graphql(PRINCIPLE)["data"]["page"] == {
        "title": "Fairer",
        "summary": "Fairness, released.",
    }
    assert "Released with the report." in summaries(graphql)
    release.refresh_from_db()
    assert (release.status, release.failure) == (Release.Status.PUBLISHED, "")
    assert release.published_at is not None

    # One purge of every key the items retire (then the changes feed's, once recorded).
    content_purge, feed_purge = purged
    # The lists the feeds and the sitemap answer go with the items' own keys.
    assert {f"page:{page.pk}", f"home.inspection:{snippet.pk}", "list:pages"} <= content_purge
    assert feed_purge == {"list:webhooks.change"}
    # One event for the release, listing its items; then each item's, with its id.
    release_event, *item_events = Change.objects.order_by("pk")
    assert (release_event.event, release_event.content_type, release_event.object_id) == (
        "release.published",
        "releases.Release",
        release.pk,
    )
    assert [(event.event, event.object_id, event.release_id) for event in item_events] == [
        ("page.published", page.pk, release.pk),
        ("snippet.published", snippet.pk, release.pk),
    ]
    assert json.loads(release_event.webhook_body())["items"] == [
        {
            "event": "page.published",
            "type": "principles.PrinciplePage",
            "id": page.pk,
            "urlPath": "/principles/fair/",
            "url": "http://localhost/principles/fair/",
        },
        {
            "event": "snippet.published",
            "type": "home.Inspection",
            "id": snippet.pk,
            "urlPath": None,
            "url": None,
        },
    ]
    assert json.loads(item_events[0].webhook_body())["release"] == release.pk


def test_a_front_end_is_sent_the_releases_event_then_its_items_signed_and_in_order(
    editor, moderator, webhooks, django_capture_on_commit_callbacks
):
    release = ready_release(editor, moderator)
    with django_capture_on_commit_callbacks(execute=True):
        assert publishing.publish(release, moderator)
    run_webhook_worker()
    assert [delivery.event for delivery in webhooks.deliveries] == [
        "release.published",
        "page.published",
        "snippet.published",
    ]
    first, *items = webhooks.deliveries
    assert [item["type"] for item in first.payload["items"]] == [
        "principles.PrinciplePage",
        "home.Inspection",
    ]
    assert all(item.payload["release"] == release.pk for item in items)
    assert all(delivery.signed_with(WEBHOOK_SECRET) for delivery in webhooks.deliveries)


def test_the_changes_feed_has_one_entry_for_the_release_then_its_items(
    editor, moderator, graphql, committed
):
    release = ready_release(editor, moderator)
    Change.objects.all().delete()
    committed(lambda: publishing.publish(release))
    feed = graphql("{ changes { events { type contentType id releaseId } } }")
    assert feed["data"]["changes"]["events"] == [
        {
            "type": "release.published",
            "contentType": "releases.Release",
            "id": str(release.pk),
            "releaseId": None,
        },
        {
            "type": "page.published",
            "contentType": "principles.PrinciplePage",
            "id": str(fair().pk),
            "releaseId": str(release.pk),
        },
        {
            "type": "snippet.published",
            "contentType": "home.Inspection",
            "id": str(inspection().pk),
            "releaseId": str(release.pk),
        },
    ]


def test_if_one_item_fails_nothing_goes_live_and_the_release_says_which_and_why(
    editor, moderator, graphql, committed, purged
):
    release = ready_release(editor, moderator)
    snippet_item = release.items.get(base_content_type__model="inspection")
    # Its signed-off draft has lost a field it must have: it fails validation.
    snippet_item.revision.content["summary"] = ""
    snippet_item.revision.save(update_fields=["content"])
    Change.objects.all().delete()

    assert committed(lambda: publishing.publish(release, moderator)) is False

    assert graphql(PRINCIPLE)["data"]["page"]["title"] == "Fair"  # the other item too
    assert "Released with the report." not in summaries(graphql)
    assert fair().title == "Fair" and fair().has_unpublished_changes
    assert not Change.objects.exists() and purged == []
    release.refresh_from_db()
    assert release.status == Release.Status.FAILED
    assert release.failure == (
        "'Ofsted, June 2017: Good': its draft is not valid (summary: This field cannot be blank.)"
    )
    assert "releases.fail" in [entry.action for entry in history_of(release)]


def test_a_deleted_or_locked_item_fails_the_release(editor, moderator, committed):
    release = ready_release(editor, moderator)
    Inspection.objects.filter(pk=inspection().pk).update(locked=True)
    assert committed(lambda: publishing.publish(release)) is False
    release.refresh_from_db()
    assert "it is locked" in release.failure

    timed = Release.objects.create(name="With an item timed on its own")
    add(timed, edit(fair(), editor, go_live_at=timezone.now() + HOUR), editor)
    sign_off(fair(), editor, moderator)
    assert committed(lambda: publishing.publish(timed)) is False
    timed.refresh_from_db()
    assert timed.failure == ("'Fair': it has a go-live time of its own: clear it, and add it again")

    news = NewsPageFactory(title="Gone before its release")
    release = Release.objects.create(name="With a deleted page")
    add(release, edit(news, editor, summary="Never published."), editor)
    news.delete()
    assert publishing.problems_of(release) == ["'Gone before its release': it has been deleted"]
    assert committed(lambda: publishing.publish(release)) is False
    release.refresh_from_db()
    assert release.failure == "'Gone before its release': it has been deleted"


def history_of(release):
    return ModelLogEntry.objects.for_instance(release)


# The scheduler -------------------------------------------------------------------------------


def test_the_scheduler_publishes_every_release_that_is_due_even_long_overdue(
    editor, moderator, graphql, committed
):
    due = ready_release(editor, moderator, name="Due while the scheduler was down")
    publishing.schedule(due, timezone.now() - datetime.timedelta(hours=5), editor)
    later = Release.objects.create(name="Tomorrow's")
    add(later, edit(NewsPageFactory(title="Tomorrow"), editor, summary="Later."), editor)
    sign_off(later.items.get().revision.content_object, editor, moderator)
    publishing.schedule(later, timezone.now() + datetime.timedelta(days=1), editor)

    dry = io.StringIO()
    call_command("publish_scheduled", dryrun=True, stdout=dry)
    assert "Release to be published:" in dry.getvalue() and "Tomorrow's" not in dry.getvalue()
    assert Release.objects.get(pk=due.pk).status == Release.Status.SCHEDULED

    out = io.StringIO()
    committed(lambda: call_command("publish_scheduled", stdout=out))
    assert "Published the release 'Due while the scheduler was down'." in out.getvalue()
    assert graphql(PRINCIPLE)["data"]["page"]["title"] == "Fairer"
    statuses = dict(Release.objects.values_list("name", "status"))
    assert statuses == {
        "Due while the scheduler was down": Release.Status.PUBLISHED,
        "Tomorrow's": Release.Status.SCHEDULED,
    }


def test_the_scheduler_says_when_a_due_release_fails(editor, moderator, committed):
    release = ready_release(editor, moderator)
    publishing.schedule(release, timezone.now() - datetime.timedelta(minutes=1), editor)
    edit(fair(), editor, title="Edited after it was scheduled")
    err = io.StringIO()
    committed(lambda: call_command("publish_scheduled", stdout=io.StringIO(), stderr=err))
    assert err.getvalue().strip() == (
        "The release 'Ofsted day' failed: 'Fairer': it was edited after it was added: add it "
        "again, and have it signed off"
    )
    assert Release.objects.get(pk=release.pk).status == Release.Status.FAILED
    assert fair().title == "Fair"


def test_a_published_release_is_not_published_again(editor, moderator, committed):
    release = ready_release(editor, moderator)
    assert committed(lambda: publishing.publish(release)) is True
    assert publishing.publish(release) is False
    assert Release.objects.get(pk=release.pk).status == Release.Status.PUBLISHED
    assert publishing.publish(Release.objects.create(name="Empty")) is False
    assert Release.objects.get(name="Empty").failure == "it has no items"


# Preview: one token for the whole release ----------------------------------------------------

PREVIEW = """
query ($token: String!, $urlPath: String, $id: ID, $slug: String) {
  page(token: $token, urlPath: $urlPath, id: $id, slug: $slug) {
    title
    ... on PrinciplePage { summary }
  }
}
"""


def test_a_release_token_shows_each_draft_in_it_and_nothing_else_unpublished(
    editor, moderator, graphql, client
):
    release = ready_release(editor, moderator)
    news = NewsPageFactory(title="New with the release", live=False)
    add(release, edit(news, editor, summary="Brand new."), editor)
    edit(PrinciplePage.objects.get(slug="reflective"), editor, title="ZEBRA: not in it")
    token = release_preview.token_for(release)

    def title(**where):
        response = graphql(PREVIEW, {"token": token, **where})
        assert "errors" not in response, response
        return (response["data"]["page"] or {}).get("title")

    assert title(urlPath="/principles/fair/") == "Fairer"
    assert title(urlPath="principles/fair") == "Fairer"
    assert title(id=str(fair().pk)) == "Fairer"
    assert title(slug="fair") == "Fairer"
    assert title(urlPath=f"/news/{news.slug}/") == "New with the release"  # never yet live
    # Every other page as it is live: another draft is not shown.
    assert title(urlPath="/principles/reflective/") == "Reflective"
    assert title(urlPath="/") == "Southwark Children’s Services"
    assert title() is None
    # The answer is for the editor: never cached.
    body = {"query": PREVIEW, "variables": {"token": token, "urlPath": "/principles/fair/"}}
    answer = client.post("/graphql/", body, content_type="application/json")
    assert answer["Cache-Control"] == "private, no-store"
    # Without the token, the live pages.
    assert graphql(PRINCIPLE)["data"]["page"]["title"] == "Fair"


SNIPPETS_PREVIEW = """
query ($token: String) {
  inspections(token: $token) { id summary }
  latestInspection(token: $token) { id summary }
  testimonials(token: $token) { quote }
  snippets(token: $token) {
    ... on Inspection { id summary }
    ... on Testimonial { quote }
  }
}
"""


def test_a_release_token_shows_its_drafts_of_snippets_and_nothing_else_unpublished(
    editor, moderator, graphql, client
):
    release = ready_release(editor, moderator)  # holds a draft of the latest inspection
    new = TestimonialFactory(quote="Never yet live: with the release.", live=False)
    add(release, edit(new, editor, attribution="A care leaver"), editor)
    not_in_it = Inspection.objects.filter(live=True).exclude(pk=inspection().pk).first()
    edit(not_in_it, editor, summary="ZEBRA: a draft in no release.")
    token = release_preview.token_for(release)

    answer = graphql(SNIPPETS_PREVIEW, {"token": token})
    assert "errors" not in answer, answer
    data = answer["data"]
    inspections = {item["id"]: item["summary"] for item in data["inspections"]}
    assert inspections[str(inspection().pk)] == "Released with the report."
    assert inspections[str(not_in_it.pk)] == not_in_it.summary  # as it is live
    assert data["latestInspection"] == data["inspections"][0]
    assert "Never yet live: with the release." in {item["quote"] for item in data["testimonials"]}
    listed = json.dumps(data["snippets"])
    assert "Released with the report." in listed
    assert "Never yet live: with the release." in listed
    assert "ZEBRA" not in json.dumps(data)
    # The answer is for the editor: never cached.
    body = {"query": SNIPPETS_PREVIEW, "variables": {"token": token}}
    answer = client.post("/graphql/", body, content_type="application/json")
    assert answer["Cache-Control"] == "private, no-store"
    # Without the token, the live snippets only.
    live = json.dumps(graphql(SNIPPETS_PREVIEW)["data"])
    assert "Released with the report." not in live and "Never yet live" not in live


def test_a_pages_preview_token_shows_no_snippets(editor, graphql):
    page = edit(fair(), editor, title="Fairer")
    token = page.create_page_preview().token  # wagtail-headless-preview's own token
    answer = graphql("query ($t: String) { inspections(token: $t) { id } }", {"t": token})
    assert answer["errors"][0]["extensions"]["code"] == "PREVIEW_TOKEN_INVALID"
    assert answer["data"] is None


def test_a_tampered_or_expired_release_token_is_refused(editor, moderator, graphql, settings):
    token = release_preview.token_for(ready_release(editor, moderator))
    response = graphql(PREVIEW, {"token": token[:-2] + "xx", "urlPath": "/principles/fair/"})
    assert response["errors"][0]["extensions"]["code"] == "PREVIEW_TOKEN_INVALID"
    settings.PREVIEW_TOKEN_MAX_AGE = -1
    response = graphql(PREVIEW, {"token": token, "urlPath": "/principles/fair/"})
    assert response["errors"][0]["extensions"]["code"] == "PREVIEW_TOKEN_INVALID"
    assert "Fairer" not in str(response)


# Translations --------------------------------------------------------------------------------


def test_translations_are_previewed_and_published_with_their_release(
    editor, moderator, graphql, committed
):
    spanish = Locale.objects.get_or_create(language_code="es")[0]
    release = Release.objects.create(name="Día del informe", created_by=editor)
    page = translate(fair(), spanish, title="Justo")
    snippet = translate(inspection(), spanish, summary="Resumen.")
    for item, values in ((page, {"title": "Más justo"}), (snippet, {"summary": "Con el informe."})):
        draft = edit(item, editor, **values)
        add(release, draft, editor)
        sign_off(draft, editor, moderator)
    assert publishing.problems_of(release) == []
    in_spanish = """query ($token: String, $id: ID) {
      page(token: $token, id: $id) { title }
      inspections(token: $token, locale: "es") { summary }
    }"""
    by_url = """query ($token: String) {
      page(token: $token, urlPath: "/principles/fair/", locale: "es") { title locale }
    }"""
    token = release_preview.token_for(release)

    preview = graphql(in_spanish, {"token": token, "id": str(page.pk)})["data"]
    assert preview["page"]["title"] == "Más justo"
    assert graphql(by_url, {"token": token})["data"]["page"] == {
        "title": "Más justo",
        "locale": "es",
    }
    assert graphql(by_url)["data"]["page"] == {"title": "Justo", "locale": "es"}
    assert "Con el informe." in {item["summary"] for item in preview["inspections"]}
    live = graphql(in_spanish, {"id": str(page.pk)})["data"]
    assert live["page"]["title"] == "Justo" and "Con el informe." not in str(live)

    assert committed(lambda: publishing.publish(release, moderator)) is True
    live = graphql(in_spanish, {"id": str(page.pk)})["data"]
    assert live["page"]["title"] == "Más justo"
    assert "Con el informe." in {item["summary"] for item in live["inspections"]}
    assert graphql(PRINCIPLE)["data"]["page"]["title"] == "Fair"  # the source as it was


# The admin -----------------------------------------------------------------------------------


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_an_editor_adds_a_pages_draft_to_a_new_release_from_its_action_menu(client, editor):
    client.force_login(editor)
    page = edit(fair(), editor, title="Fairer")
    footer = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    add_url = add_item_url(page)
    assert f'href="{add_url}"' in footer and "Add to a release" in footer

    assert "Choose a release, or name a new one." in client.post(add_url, {}).content.decode()
    response = client.post(add_url, {"new_release_name": "Ofsted day"}, follow=True)
    release = Release.objects.get(name="Ofsted day")
    assert response.redirect_chain[-1][0] == reverse("releases:edit", args=[release.pk])
    assert messages_of(response) == [
        "'Fairer' added to the release 'Ofsted day': it has not been signed off (submit it to "
        "Moderators approval)."
    ]
    page_text = response.content.decode()
    assert "data-release-item" in page_text and "Schedule for its go-live time" in page_text
    assert release.items.get().revision_id == fair().latest_revision_id


def test_a_snippets_draft_is_added_to_a_release_and_unschedules_it(client, editor, moderator):
    release = ready_release(editor, moderator)
    publishing.schedule(release, timezone.now() + datetime.timedelta(days=1), editor)
    client.force_login(editor)
    snippet = edit(inspection(), editor, summary="Edited again.")
    edit_url = reverse("wagtailsnippets_home_inspection:edit", args=[snippet.pk])
    add_url = add_item_url(snippet)
    assert f'href="{add_url}"' in client.get(edit_url).content.decode()
    assert "Ofsted day" in client.get(add_url).content.decode()

    client.post(add_url, {"release": release.pk})
    release.refresh_from_db()
    assert release.status == Release.Status.DRAFT  # scheduled again once it is signed off
    item = release.items.get(base_content_type__model="inspection")
    assert item.revision_id == Inspection.objects.get(pk=snippet.pk).latest_revision_id


def test_only_drafts_of_pages_and_snippets_with_drafts_can_be_added(client, editor):
    client.force_login(editor)
    no_drafts = ContentType.objects.get_for_model(Release)
    assert client.get(reverse("releases:add_item", args=[no_drafts.pk, 1])).status_code == 404
    never_saved = NewsPageFactory(title="No revision yet")
    assert client.get(add_item_url(never_saved)).status_code == 404
    client.force_login(UserFactory(username="no-releases", role="Administrators"))
    refused = client.post(add_item_url(fair()), {"new_release_name": "Not theirs"})
    assert (refused.status_code, refused.url) == (302, "/admin/")  # Wagtail's "denied"
    assert not Release.objects.exists()


def test_the_release_editor_schedules_publishes_and_keeps_a_history(
    client, editor, moderator, committed
):
    release = ready_release(editor, moderator)
    client.force_login(editor)
    schedule_url = reverse("releases:schedule", args=[release.pk])
    response = client.post(schedule_url, follow=True)
    assert messages_of(response) == ["Give the release a go-live time, and save it, first."]

    Release.objects.filter(pk=release.pk).update(go_live_at=timezone.now() + HOUR)
    edit(fair(), editor, title="Fairer still")
    response = client.post(schedule_url, follow=True)
    assert messages_of(response) == [
        "The release cannot be scheduled: 'Fairer': it was edited after it was added: add it "
        "again, and have it signed off."
    ]
    add(release, fair(), editor)
    sign_off(fair(), editor, moderator)
    response = client.post(schedule_url, follow=True)
    assert messages_of(response) == ["The release 'Ofsted day' is scheduled."]
    assert "Unschedule" in response.content.decode()
    response = client.post(reverse("releases:unschedule", args=[release.pk]), follow=True)
    assert messages_of(response) == ["The release 'Ofsted day' is no longer scheduled."]

    publish_url = reverse("releases:publish", args=[release.pk])
    response = committed(lambda: client.post(publish_url, follow=True))
    assert messages_of(response) == ["The release 'Ofsted day' is published."]
    assert client.post(publish_url).status_code == 404  # published once only

    listing = client.get(reverse("releases:index"), {"status": "published"}).content.decode()
    assert "Ofsted day" in listing
    history = client.get(reverse("releases:history", args=[release.pk])).content.decode()
    for said in ("Scheduled", "Taken off the schedule", "Published: every item went live"):
        assert said in history


def test_publish_now_says_why_nothing_was_published(client, editor, moderator, committed):
    release = ready_release(editor, moderator)
    edit(inspection(), editor, summary="Not signed off.")
    client.force_login(editor)
    response = committed(
        lambda: client.post(reverse("releases:publish", args=[release.pk]), follow=True)
    )
    assert messages_of(response) == [
        "Nothing was published: the release failed. 'Ofsted, June 2017: Good': it was "
        "edited after it was added: add it again, and have it signed off"
    ]
    assert "data-release-failure" in response.content.decode()


def test_a_new_release_form_says_how_items_are_added(client, editor):
    client.force_login(editor)
    form = client.get(reverse("releases:add")).content.decode()
    assert "Save the release, then add drafts to it from their editors" in form
    response = client.post(reverse("releases:add"), {"name": "Budget day", "go_live_at": ""})
    assert response.status_code == 302
    assert Release.objects.get(name="Budget day").status == Release.Status.DRAFT


def test_the_moderator_is_told_an_approved_item_goes_live_with_its_release(editor, moderator):
    release = Release.objects.create(name="Ofsted day")
    page = edit(fair(), editor, title="Fairer")
    add(release, page, editor)
    assert what_approving_did(sign_off(page, editor, moderator)) == (
        "Page 'Fairer' approved: it will be published with its release.",
        [],
    )


def test_an_item_that_cannot_be_published_or_an_error_after_the_items_fails_it_all(
    editor, moderator, committed, monkeypatch
):
    release = ready_release(editor, moderator)
    item = release.items.get(base_content_type__model="inspection")
    assert str(item) == "Ofsted, June 2017: Good"

    def refuse(*args, **kwargs):
        raise RuntimeError("the database said no")

    monkeypatch.setattr(type(item.revision), "publish", refuse)
    assert committed(lambda: publishing.publish(release)) is False
    release.refresh_from_db()
    assert release.failure == "'Fairer': it could not be published (the database said no)"
    monkeypatch.undo()

    original_log = publishing.log

    def log_fails_on_publish(instance, action, **kwargs):
        if action == "releases.publish":
            raise RuntimeError("the history could not be written")
        return original_log(instance, action, **kwargs)

    monkeypatch.setattr(publishing, "log", log_fails_on_publish)
    assert committed(lambda: publishing.publish(release)) is False
    release.refresh_from_db()
    assert release.failure == "it could not be published (the history could not be written)"
    assert fair().title == "Fair" and not Change.objects.filter(event="release.published")


def test_a_release_of_items_no_reader_can_see_makes_no_release_event(editor, moderator, committed):
    news = NewsPageFactory(title="Behind an unpublished index")
    news.get_parent().specific.unpublish()
    release = Release.objects.create(name="Private")
    add(release, edit(news, editor, summary="Edited."), editor)
    sign_off(news, editor, moderator)
    Change.objects.all().delete()
    assert committed(lambda: publishing.publish(release)) is True
    assert not Change.objects.exists()


def test_an_event_that_cannot_be_described_never_stops_the_release(
    editor, moderator, committed, monkeypatch, caplog
):
    release = ready_release(editor, moderator)

    def cannot(change):
        raise ValueError("cannot describe it")

    monkeypatch.setattr(events, "as_event", cannot)
    assert committed(lambda: publishing.publish(release)) is True
    assert "Could not describe the changes of <Release: Ofsted day>" in caplog.text
    assert fair().title == "Fairer"


def test_only_snippets_with_drafts_offer_add_to_a_release():
    assert register_add_snippet_to_release_menu_item(Inspection) is not None
    assert register_add_snippet_to_release_menu_item(Release) is None


def test_an_item_is_removed_from_a_release_and_its_history_says_so(client, editor, moderator):
    release = ready_release(editor, moderator)
    client.force_login(editor)
    item = release.items.get(base_content_type__model="inspection")
    client.post(add_item_url(fair()), {"release": release.pk})  # logged as added
    response = client.post(reverse("releases:remove_item", args=[release.pk, item.pk]), follow=True)
    assert messages_of(response) == [
        "'Fairer' added to the release 'Ofsted day': signed off.",  # the same draft again
        "'Ofsted, June 2017: Good' removed from the release 'Ofsted day'.",
    ]
    assert [each.label for each in release.items.all()] == ["Fairer"]
    history = client.get(reverse("releases:history", args=[release.pk])).content.decode()
    assert "An item&#x27;s latest draft added" in history and "An item removed" in history
