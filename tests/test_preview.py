"""Editors preview drafts on the front end with a signed, expiring token."""

import runpy
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import RequestFactory, override_settings

from cms.settings import base as base_settings
from news.models import NewsPage
from principles.models import PrinciplePage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

PREVIEW_QUERY = """
query ($token: String!, $urlPath: String) {
  page(token: $token, urlPath: $urlPath) {
    title
    ... on PrinciplePage { summary }
  }
}
"""


def draft_of(slug, title):
    page = PrinciplePage.objects.get(slug=slug)
    page.title = title
    page.summary = f"{title}: draft summary"
    page.save_revision()
    return page


def token_for(page):
    return page.create_page_preview().token


def test_the_front_end_preview_url_carries_a_token(settings):
    settings.WAGTAIL_HEADLESS_PREVIEW = {
        "CLIENT_URLS": {"default": "https://front.example/preview"}
    }
    page = draft_of("fair", "Fairer")
    request = RequestFactory().get("/")
    url = page.get_preview_url(request, token_for(page))
    parsed = urlparse(url)
    assert f"{parsed.scheme}://{parsed.netloc}{parsed.path}" == "https://front.example/preview/"
    assert parse_qs(parsed.query)["content_type"] == ["principles.principlepage"]
    assert parse_qs(parsed.query)["token"]


def test_a_token_opens_the_draft_of_its_page(graphql):
    page = draft_of("fair", "Fairer")
    token = token_for(PrinciplePage.objects.get(pk=page.pk).get_latest_revision_as_object())
    data = graphql(PREVIEW_QUERY, {"token": token})["data"]
    assert data["page"] == {"title": "Fairer", "summary": "Fairer: draft summary"}
    live = graphql('{ page(urlPath: "/principles/fair/") { title } }')["data"]["page"]
    assert live == {"title": "Fair"}


def test_a_token_opens_only_its_own_page(graphql):
    fair = draft_of("fair", "Fairer")
    draft_of("reflective", "ZEBRA reflective draft")
    token = token_for(fair.get_latest_revision_as_object())
    response = graphql(PREVIEW_QUERY, {"token": token, "urlPath": "/principles/reflective/"})
    assert response["data"]["page"]["title"] == "Fairer"
    assert "ZEBRA" not in str(response)


def test_a_tampered_token_is_refused(graphql):
    page = draft_of("fair", "Fairer")
    token = token_for(page.get_latest_revision_as_object())
    response = graphql(PREVIEW_QUERY, {"token": token[:-2] + "xx"})
    assert response["errors"][0]["extensions"]["code"] == "PREVIEW_TOKEN_INVALID"
    assert response["data"]["page"] is None


@override_settings(PREVIEW_TOKEN_MAX_AGE=-1)
def test_an_expired_token_is_refused(graphql):
    page = draft_of("fair", "Fairer")
    token = token_for(page.get_latest_revision_as_object())
    response = graphql(PREVIEW_QUERY, {"token": token})
    assert response["errors"][0]["extensions"]["code"] == "PREVIEW_TOKEN_INVALID"
    assert "Fairer" not in str(response)


def test_previews_are_never_cached(client):
    page = draft_of("fair", "Fairer")
    token = token_for(page.get_latest_revision_as_object())
    body = {"query": PREVIEW_QUERY, "variables": {"token": token}}
    first = client.post("/graphql/", body, content_type="application/json")
    assert first["Cache-Control"] == "private, no-store"
    page.title = "Fairest"  # the editor changes the draft and previews again
    page.update_page_preview(token)
    second = client.post("/graphql/", body, content_type="application/json")
    assert second.json()["data"]["page"]["title"] == "Fairest"


def test_the_admin_offers_the_front_end_and_the_templates(admin_client, settings):
    settings.WAGTAIL_HEADLESS_PREVIEW = {
        "CLIENT_URLS": {"default": "https://front.example/preview"}
    }
    page = NewsPage.objects.get(slug="ofsted-rates-childrens-services-good")
    assert [mode for mode, _ in page.preview_modes] == ["front-end", ""]
    assert page.default_preview_mode == "front-end"
    rendered = page.serve_preview(RequestFactory().get("/"), "")
    assert rendered.status_code == 200 and b"<h1>" in rendered.render().content
    headless = page.serve_preview(admin_client.get("/admin/").wsgi_request, "front-end")
    assert b'<iframe id="front-end" src="https://front.example/preview/?' in headless.content
    assert b"token=" in headless.content


def test_without_a_front_end_set_up_the_templates_are_the_default(admin_client, settings):
    settings.WAGTAIL_HEADLESS_PREVIEW = {"CLIENT_URLS": {}}  # HEADLESS_PREVIEW_URL unset
    page = NewsPage.objects.get(slug="ofsted-rates-childrens-services-good")
    assert page.default_preview_mode == ""
    chosen_anyway = page.serve_preview(admin_client.get("/admin/").wsgi_request, "front-end")
    content = chosen_anyway.render().content.decode()
    assert "No front end is set up to preview on" in content
    assert "<iframe" not in content


def test_the_front_end_is_not_set_up_unless_headless_preview_url_is(monkeypatch):
    monkeypatch.delenv("HEADLESS_PREVIEW_URL", raising=False)
    assert runpy.run_path(base_settings.__file__)["WAGTAIL_HEADLESS_PREVIEW"] == {"CLIENT_URLS": {}}
    monkeypatch.setenv("HEADLESS_PREVIEW_URL", "https://www.example.org/preview")
    assert runpy.run_path(base_settings.__file__)["WAGTAIL_HEADLESS_PREVIEW"] == {
        "CLIENT_URLS": {"default": "https://www.example.org/preview"}
    }
