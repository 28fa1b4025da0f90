"""Roles and sign-off: what Editors, Moderators and Administrators may do, the one workflow
over the page tree and both snippet types, and the dev logins for each role.

(tests/test_browser_sign_off.py walks an editor's submission and a moderator's approval
through the admin in Chromium.)"""

import datetime
import re
from html import unescape
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags
from wagtail.models import Page, Workflow
from wagtail.test.utils.form_data import nested_form_data

from governance.sign_off import what_approving_did
from home import models as home
from principles.models import PrinciplePage
from tests.support.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

TESTIMONIALS = "{ testimonials { id quote } }"


def fair():
    return PrinciplePage.objects.get(slug="fair")


# Roles ---------------------------------------------------------------------------------------


def test_an_editor_edits_pages_but_cannot_publish_unpublish_or_delete_live_ones(editor):
    can = fair().permissions_for_user(editor)
    assert can.can_edit()
    assert can.can_add_subpage() is False  # principles have no children; the index does
    assert fair().get_parent().permissions_for_user(editor).can_add_subpage()
    assert not can.can_publish()
    assert not can.can_unpublish()
    assert not can.can_delete()


def test_a_moderator_publishes_unpublishes_and_deletes(moderator):
    can = fair().permissions_for_user(moderator)
    assert can.can_publish()
    assert can.can_unpublish()
    assert can.can_delete()


def test_editors_edit_snippets_and_media_but_publish_nothing_and_change_no_settings(editor):
    for model in ("testimonial", "inspection"):
        assert editor.has_perms([f"home.add_{model}", f"home.change_{model}"])
        assert not editor.has_perm(f"home.publish_{model}")
        assert not editor.has_perm(f"home.delete_{model}")
    assert editor.has_perms(["wagtailimages.add_image", "wagtaildocs.add_document"])
    assert not editor.has_perm("home.change_organisationsettings")
    assert not editor.has_perm("wagtailredirects.change_redirect")
    assert not editor.has_perm("auth.change_user")


def test_moderators_publish_snippets_and_edit_settings_but_manage_no_users(moderator):
    assert moderator.has_perms(["home.publish_testimonial", "home.publish_inspection"])
    assert moderator.has_perm("home.change_organisationsettings")
    assert not moderator.has_perm("auth.change_user")


def test_administrators_manage_users_and_groups():
    administrator = UserFactory(username="an-administrator", role="Administrators")
    assert administrator.has_perms(["auth.add_user", "auth.change_user", "auth.change_group"])
    assert not administrator.has_perm("home.change_organisationsettings")


def test_an_editor_cannot_open_the_organisation_settings_a_moderator_can(client, editor, moderator):
    settings = home.OrganisationSettings.objects.get()
    url = reverse("wagtailsettings:edit", args=["home", "organisationsettings", settings.site_id])
    client.force_login(editor)
    assert client.get(url).status_code == 302  # to the dashboard, permission denied
    client.force_login(moderator)
    assert client.get(url).status_code == 200


# The workflow --------------------------------------------------------------------------------


def test_one_sign_off_workflow_covers_every_page_and_both_snippet_types():
    sign_off = Workflow.objects.get(name="Moderators approval")
    assert [task.specific.groups.get().name for task in sign_off.tasks.all()] == ["Moderators"]
    for page in Page.objects.filter(depth__gt=1).specific():
        assert page.get_workflow() == sign_off, page
    assert home.Testimonial.objects.first().get_workflow() == sign_off
    assert home.Inspection.objects.first().get_workflow() == sign_off


def test_a_testimonial_edit_waits_for_sign_off_before_it_reaches_graphql(
    client, editor, moderator, graphql, django_capture_on_commit_callbacks
):
    testimonial = home.Testimonial.objects.filter(live=True).first()
    before = testimonial.quote
    edited = "They listened to me, and then they acted."
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url(testimonial), form_for(testimonial, edited, **{"action-submit": "1"})
        )
    assert response.status_code == 302, response.context["form"].errors

    testimonial.refresh_from_db()
    assert testimonial.current_workflow_state.status == "in_progress"
    quotes = {item["id"]: item["quote"] for item in graphql(TESTIMONIALS)["data"]["testimonials"]}
    assert quotes[str(testimonial.pk)] == before, "a submitted edit is not live"

    task_state = testimonial.current_workflow_task_state
    with django_capture_on_commit_callbacks(execute=True):
        task_state.task.specific.on_action(task_state, moderator, "approve")

    quotes = {item["id"]: item["quote"] for item in graphql(TESTIMONIALS)["data"]["testimonials"]}
    assert quotes[str(testimonial.pk)] == edited


def edit_url(testimonial):
    return reverse("wagtailsnippets_home_testimonial:edit", args=[testimonial.pk])


def form_for(testimonial, quote, **action):
    return nested_form_data(
        {
            "quote": quote,
            "attribution": testimonial.attribution,
            "role": testimonial.role,
            "source": testimonial.source,
            "year": testimonial.year or "",
            "content_owner": "",
            "content_owner_email": "",
            "review_by": "",
            **action,
        }
    )


def test_a_moderator_is_offered_approve_and_publish_alone_and_told_it_is_published(
    client, editor, moderator
):
    # The same as for pages (tests/test_browser_sign_off.py): one name for the approval,
    # no plain Publish beside it, and a message that says what approving did.
    testimonial = home.Testimonial.objects.filter(live=True).first()
    edited = "They listened to me, and then they acted."
    client.force_login(editor)
    client.post(edit_url(testimonial), form_for(testimonial, edited, **{"action-submit": "1"}))

    client.force_login(moderator)
    footer = client.get(edit_url(testimonial)).content.decode()
    assert re.search(r"Approve and publish\s*</button>", footer)
    assert 'name="action-publish"' not in footer
    approve = {"action-workflow-action": "1", "workflow-action-name": "approve"}
    response = client.post(
        edit_url(testimonial), form_for(testimonial, edited, **approve), follow=True
    )
    [said] = [" ".join(unescape(strip_tags(str(m))).split()) for m in response.context["messages"]]
    name = f"Testimonial '{testimonial.attribution}: {edited[:60]}'"
    assert said.startswith(f"{name} approved and published.")
    testimonial.refresh_from_db()
    assert testimonial.live and testimonial.quote == edited


def test_approving_what_is_scheduled_says_when_it_will_be_published(editor, moderator):
    page = fair()
    page.go_live_at = timezone.now() + datetime.timedelta(days=3)
    page.save_revision(user=editor)
    Workflow.objects.get(name="Moderators approval").start(page, editor)
    assert what_approving_did(page) is None, "still waiting: Wagtail's message stands"

    task_state = page.current_workflow_task_state
    task_state.task.specific.on_action(task_state, moderator, "approve")
    when = date_format(timezone.localtime(page.go_live_at), "DATETIME_FORMAT")
    assert what_approving_did(page) == (
        f"Page 'Fair' approved: it will be published on {when}.",
        [],
    )


# Dev logins ----------------------------------------------------------------------------------


def test_ensure_dev_admin_creates_an_admin_an_editor_and_a_moderator_once(settings, tmp_path):
    settings.DEBUG = True
    settings.BASE_DIR = tmp_path
    first, second = StringIO(), StringIO()
    call_command("ensure_dev_admin", stdout=first)
    call_command("ensure_dev_admin", stdout=second)

    for username, group in [("editor", "Editors"), ("moderator", "Moderators")]:
        password = Path(tmp_path, f".dev-{username}-password").read_text().strip()
        assert f"'{username}' with password: {password}" in first.getvalue()
        assert password not in second.getvalue()
        user = UserFactory._meta.model.objects.get(username=username)
        assert not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert user.check_password(password)
    assert second.getvalue().count("already exists") == 3
