"""The admin's sign-in page and tab titles name the organisation (its OrganisationSettings),
not Wagtail. (tests/test_browser_admin.py sees the sign-in page in Chromium.)"""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from home.models import OrganisationSettings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]


def heading_and_title(client):
    html = client.get(reverse("wagtailadmin_login")).content.decode()
    heading = re.search(r"<h1>\s*(.*?)\s*</h1>", html, re.DOTALL)[1]
    title = re.search(r"<title>\s*(.*?)\s*</title>", html, re.DOTALL)[1]
    return heading, title


def test_the_sign_in_page_names_the_organisation(client):
    assert heading_and_title(client) == (
        "Sign in to Southwark Children’s Services",
        "Sign in - Southwark Children’s Services",
    )


def test_a_new_name_in_the_settings_is_the_one_shown(client):
    OrganisationSettings.objects.update(organisation_name="Southwark Children & Families")
    assert heading_and_title(client)[0] == "Sign in to Southwark Children &amp; Families"


def test_without_settings_the_site_name_is_shown_and_none_are_made(client, settings):
    OrganisationSettings.objects.all().delete()
    assert heading_and_title(client)[0] == f"Sign in to {escape(settings.WAGTAIL_SITE_NAME)}"
    assert not OrganisationSettings.objects.exists()


def test_every_admin_tab_is_titled_with_the_organisation(admin_client):
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    title = re.search(r"<title>\s*(.*?)\s*</title>", html, re.DOTALL)[1]
    assert title.endswith(" - Southwark Children’s Services")
