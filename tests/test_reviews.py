"""Owners and review dates: the review-by date publishing sets, the "Due for review" report
(filters, CSV export, "Reviewed, no change"), the dashboard's counts and the reminders
`manage.py send_review_reminders` e-mails, one to each owner."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.models import PageLogEntry

from governance.models import a_year_after, governed_models
from home import models as home
from principles.models import PrinciplePage
from tests.support.factories import NewsPageFactory, PrinciplePageFactory, UserFactory, publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

REPORT = reverse("governance:due_for_review")


def days_from_today(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def due(page_or_snippet, days, **owner):
    """Give it an owner and a review date `days` from today (negative: overdue)."""
    model = type(page_or_snippet)
    model.objects.filter(pk=page_or_snippet.pk).update(review_by=days_from_today(days), **owner)
    page_or_snippet.refresh_from_db()
    return page_or_snippet


@pytest.fixture
def owner():
    return UserFactory(username="jo", first_name="Jo", last_name="Adebayo", role="Editors")


def report_rows(admin_client, **query):
    response = admin_client.get(REPORT, {**query, "export": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


# Review dates --------------------------------------------------------------------------------


def test_publishing_sets_the_review_date_12_months_on_and_the_next_edit_keeps_it():
    page = PrinciplePageFactory(title="Curious", live=False)
    publish(page)

    assert page.review_by == a_year_after(timezone.localdate())
    draft = page.get_latest_revision_as_object()
    draft.summary = "Curious about children's lives."
    draft.save_revision()
    page = PrinciplePage.objects.get(pk=page.pk)
    assert page.get_latest_revision_as_object().review_by == a_year_after(timezone.localdate())


def test_a_review_date_the_editor_set_is_kept_when_publishing():
    page = PrinciplePageFactory(title="Curious", live=False, review_by=days_from_today(90))
    publish(page)
    assert page.review_by == days_from_today(90)


def test_the_southwark_content_is_due_for_review_a_year_after_loading():
    a_year_on = a_year_after(timezone.localdate())
    assert set(PrinciplePage.objects.values_list("review_by", flat=True)) == {a_year_on}
    assert set(home.Testimonial.objects.values_list("review_by", flat=True)) == {a_year_on}


# The report ----------------------------------------------------------------------------------


def test_the_report_lists_an_overdue_page_by_its_owner(admin_client, owner):
    fair = due(PrinciplePage.objects.get(slug="fair"), -10, content_owner=owner)
    due(NewsPageFactory(title="Adoption week"), 20, content_owner_email="news@example.org")
    NewsPageFactory(title="Not due yet", review_by=days_from_today(31))

    response = admin_client.get(REPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fair" in html and "Jo Adebayo" in html and "Adoption week" in html
    assert "Not due yet" not in html

    rows = report_rows(admin_client)
    assert [(row["Title"], row["Owner"], row["Status"]) for row in rows] == [
        ("Fair", "Jo Adebayo", "Overdue"),
        ("Adoption week", "news@example.org", "Due soon"),
    ]
    assert rows[0]["Section"] == PrinciplePage.objects.get(slug="fair").get_parent().title
    assert rows[0]["Review by"] == fair.review_by.isoformat()


def test_the_report_filters_by_owner_and_by_section(admin_client, owner):
    due(PrinciplePage.objects.get(slug="fair"), -10, content_owner=owner)
    due(NewsPageFactory(title="Adoption week"), -5, content_owner_email="news@example.org")
    due(home.Testimonial.objects.first(), -1, content_owner=owner)
    news_index = home.Page.objects.get(slug="news")

    def titles(**query):
        return [row["Title"] for row in report_rows(admin_client, **query)]

    assert len(titles()) == 3
    assert titles(owner=f"user:{owner.pk}") == ["Fair", str(home.Testimonial.objects.first())]
    assert titles(owner="team:news@example.org") == ["Adoption week"]
    assert titles(section=f"page:{news_index.path}") == ["Adoption week"]
    assert titles(section="model:home.testimonial") == [str(home.Testimonial.objects.first())]


def test_an_empty_report_says_what_it_covers_and_when_the_next_review_falls_due(
    admin_client, owner
):
    # The Southwark content is due a year after loading: nothing within 30 days.
    window = f"in the next 30 days (to {date_format(days_from_today(30))})."
    due(NewsPageFactory(title="Adoption week"), 45, content_owner=owner)
    NewsPageFactory(title="Undated", review_by=None, content_owner_email="team@example.org")
    next_one = f"falls due on {date_format(days_from_today(45))}: Adoption week (news page)."

    said = admin_client.get(REPORT).content.decode()
    assert f"Nothing is overdue or due for review {window} The next review {next_one}" in said

    said = admin_client.get(REPORT, {"owner": f"user:{owner.pk}"}).content.decode()
    assert f"Nothing matching these filters is overdue or due for review {window}" in said
    assert f"The next review {next_one}" in said

    said = admin_client.get(REPORT, {"owner": "team:team@example.org"}).content.decode()
    assert "Nothing matching them has a later review date." in said

    for model in governed_models():
        model.objects.update(review_by=None)
    said = admin_client.get(REPORT).content.decode()
    assert "Nothing has a later review date: content gets one when it is published." in said


def test_reviewed_no_change_moves_the_review_date_on_a_year_and_logs_it(admin_client, owner):
    fair = due(PrinciplePage.objects.get(slug="fair"), -10, content_owner=owner)
    url = reverse("governance:reviewed", args=["principles", "principlepage", fair.pk])

    response = admin_client.post(url, {"next": REPORT})

    assert response.status_code == 302 and response["Location"] == REPORT
    fair.refresh_from_db()
    assert fair.review_by == a_year_after(timezone.localdate())
    assert fair.get_latest_revision_as_object().review_by == fair.review_by
    assert not fair.has_unpublished_changes, "nothing was published or drafted"
    assert PageLogEntry.objects.filter(page=fair, action="governance.reviewed").exists()
    assert "Fair" not in [row["Title"] for row in report_rows(admin_client)]


def test_only_those_who_may_edit_it_can_mark_it_reviewed(client, owner):
    testimonial = due(home.Testimonial.objects.first(), -1)
    url = reverse("governance:reviewed", args=["home", "testimonial", testimonial.pk])
    client.force_login(UserFactory(username="administrator", role="Administrators"))
    response = client.post(url)

    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    testimonial.refresh_from_db()
    assert testimonial.review_by == days_from_today(-1)


def test_the_dashboard_counts_what_is_overdue_and_due_soon(admin_client):
    due(PrinciplePage.objects.get(slug="fair"), -10)
    due(PrinciplePage.objects.get(slug="reflective"), 5)
    due(home.Inspection.objects.first(), 29)

    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert '<strong data-due-count="overdue">1</strong>' in html
    assert '<strong data-due-count="due-soon">2</strong>' in html


# Reminders -----------------------------------------------------------------------------------


def test_the_reminder_command_sends_one_email_per_owner_of_overdue_content(owner):
    due(PrinciplePage.objects.get(slug="fair"), -10, content_owner=owner)
    due(home.Testimonial.objects.first(), -1, content_owner=owner)
    due(NewsPageFactory(title="Adoption week"), -5, content_owner_email="News@Example.org")
    due(NewsPageFactory(title="Fostering fortnight"), -3, content_owner_email="news@example.org")
    due(PrinciplePage.objects.get(slug="reflective"), 0, content_owner=owner)  # due today
    due(PrinciplePage.objects.get(slug="fair").get_parent().specific, -2)  # no owner

    call_command("send_review_reminders", stdout=io.StringIO())

    by_recipient = {tuple(message.to): message for message in mail.outbox}
    assert sorted(by_recipient) == [("jo@example.org",), ("news@example.org",)]
    to_jo = by_recipient[("jo@example.org",)].body
    assert "Fair (Principle page)" in to_jo and "Reflective" not in to_jo
    assert f"/admin/pages/{PrinciplePage.objects.get(slug='fair').pk}/edit/" in to_jo
    to_news = by_recipient[("news@example.org",)].body
    assert "Adoption week" in to_news and "Fostering fortnight" in to_news
