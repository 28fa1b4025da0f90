"""A translation signed off in the admin, then read through Varnish: in Chromium through
nginx over HTTPS, an Editor translates the Fair principle into Spanish in
wagtail-localize's editor and submits it for sign-off; a Moderator approves it from the
dashboard; a front end reading through Varnish gets the Spanish page within a second of
the approval. The translation is deleted after, so the
documented responses hold for the other tests.
"""

import secrets
import time

import pytest
from playwright.sync_api import expect

from tests.support.admin import sign_in

from .deployment import ARTIFACTS

FAIR_IN_SPANISH = '{ page(urlPath: "/principles/fair/", locale: "es") { title locale } }'
READ_WITHIN_SECONDS = 1.0
# Names of this test's own: the deployment is shared, and test_signin.py makes a mo.moderator.
PEOPLE = {"ines.translator": "Editors", "tomas.reviewer": "Moderators"}


def read_through_varnish(http, deployment):
    """Fair in Spanish as a front-end server reads it, a GET through Varnish: (the page,
    whether Varnish answered from its cache)."""
    response = http.get(
        f"{deployment.cdn_url}/graphql/",
        params={"query": FAIR_IN_SPANISH},
        headers={"X-Frontend-Key": deployment.frontend_key},
        timeout=15,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]["page"], response.headers.get("X-Cache") == "HIT"


@pytest.fixture
def people(deployment):
    """An Editor and a Moderator (their passwords by name; with single sign-on off, neither
    role is asked for a second factor), and Spanish added in the admin; the Spanish pages
    deleted after."""
    made = {name: secrets.token_urlsafe(18) for name in PEOPLE}
    deployment.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import Group, User; "
        "from wagtail.models import Locale; "
        "Locale.objects.get_or_create(language_code='es'); "
        + "".join(
            f"user = User.objects.create_user({name!r}, password={password!r}); "
            f"user.groups.add(Group.objects.get(name={PEOPLE[name]!r})); "
            for name, password in made.items()
        ),
        log="content",
    )
    yield made
    deployment.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "from wagtail.models import Page; "
        "from wagtail_localize.models import TranslationSource; "
        "[page.delete() for page in Page.objects.filter(locale__language_code='es', depth=2)]; "
        "TranslationSource.objects.filter(locale__language_code='en-gb').delete(); "
        f"User.objects.filter(username__in={list(PEOPLE)!r}).delete()",
        log="content",
    )


def test_a_translation_an_editor_submits_and_a_moderator_approves_is_read_through_varnish(
    browser_context, deployment, http, people
):
    [(fair, title)] = deployment.query(
        "SELECT id, title FROM wagtailcore_page WHERE slug = 'fair' AND locale_id = "
        "(SELECT id FROM wagtailcore_locale WHERE language_code = 'en-gb')"
    )
    spanish_title = f"Justo ({deployment.token})"
    answer, _ = read_through_varnish(http, deployment)
    assert (answer["title"], answer["locale"]) == (title, "en-GB")  # the fallback
    assert read_through_varnish(http, deployment) == (answer, True)  # kept by Varnish

    editor = browser_context(deployment.url_a).new_page()
    sign_in(editor, "ines.translator", people["ines.translator"])
    editor.goto(f"/admin/localize/submit/page/{fair}/")
    # Spanish by its name: with another language not yet translated (test_languages.py
    # adds Portuguese) wagtail-localize's first box is "Select all".
    editor.get_by_role("checkbox", name="español", exact=True).check()
    editor.get_by_role("button", name="Submit").click()
    # wagtail-localize's editor: the title is its first text.
    editor.get_by_role("button", name="Translate", exact=True).first.click()
    editor.locator("textarea").first.fill(spanish_title)
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor.get_by_text(spanish_title).first).to_be_visible()
    editor.get_by_role("button", name="Submit for sign-off").click()
    expect(editor.locator("[data-translation-sign-off-state]")).to_contain_text("Awaiting")
    editor.screenshot(path=ARTIFACTS / "translation-submitted.png")
    still, _ = read_through_varnish(http, deployment)
    assert still["locale"] == "en-GB", "a translation awaiting sign-off is not live"

    # The moderator approves it on the dashboard (wagtail-localize's editor, which the
    # translation opens in, has no approval of its own).
    moderator = browser_context(deployment.url_a).new_page()
    sign_in(moderator, "tomas.reviewer", people["tomas.reviewer"])
    awaiting = moderator.locator("section").filter(has_text="Awaiting your review")
    row = awaiting.get_by_role("row").filter(has_text=spanish_title)
    row.get_by_role("button", name="Actions").click()
    with moderator.expect_navigation():  # to where the admin goes once it has approved
        awaiting.get_by_role("button", name="Approve and publish", exact=True).click()
    approved = time.monotonic()
    moderator.screenshot(path=ARTIFACTS / "translation-approved.png")

    # A read through Varnish begun within 1 s of the approval gets the translation.
    while True:
        asked = time.monotonic() - approved
        assert asked <= READ_WITHIN_SECONDS, "Varnish served the fallback for over a second"
        answer, _ = read_through_varnish(http, deployment)
        if answer["locale"] == "es":
            break
    assert answer["title"] == spanish_title
