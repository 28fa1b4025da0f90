"""The translation workflow in the admin, as the council works with a translation agency:
wagtail-localize's editor, with translations signed off as their source is (an Editor
submits, a Moderator approves); PO files out and back in, refused with a message and no
change when they are for another page or an older source; machine translation by
LibreTranslate; and translations out of date after their source's major change, marked in
the editor, on the "Due for review" report and in GraphQL (`translationOutdated`)."""

import csv
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import polib
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Locale, PageLogEntry
from wagtail_localize.models import StringSegment, StringTranslation, Translation

from cms.settings.base import machine_translator
from core import memo
from home import models as home_models
from principles.models import PrinciplePage
from tests.support.factories import publish, translate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

FAIR_IN_SPANISH = """{
  page(urlPath: "/principles/fair/", locale: "es") {
    title locale requestedLocale translationOutdated
  }
}"""


@pytest.fixture
def spanish():
    return Locale.objects.get_or_create(language_code="es")[0]


def principle(slug):
    return PrinciplePage.objects.get(slug=slug, locale=Locale.get_default())


def start_translation(client, user, page, locale, committed):
    """The page's translation into `locale`, started as `user` does it: "Translate this
    page" in the admin (wagtail-localize's submit view), committed (what it publishes, it
    publishes on commit). Its ancestors are translated too."""
    client.force_login(user)
    response = committed(
        lambda: client.post(
            reverse("wagtail_localize:submit_page_translation", args=[page.pk]),
            {"locales": [locale.pk]},
        )
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    translation = Translation.objects.get(
        source__object_id=page.translation_key, target_locale=locale
    )
    return translation, translation.get_target_instance()


def translate_every_string(translation, client, prefix="ES "):
    """Each of the source's texts translated in the editor, as a translator types them
    (wagtail-localize's string translation API, which the editor calls)."""
    segments = StringSegment.objects.filter(source=translation.source).select_related("string")
    for segment in segments:
        response = client.put(
            reverse("wagtail_localize:edit_string_translation", args=[translation.pk, segment.pk]),
            encode_multipart(BOUNDARY, {"value": prefix + segment.string.data}),
            content_type=MULTIPART_CONTENT,
        )
        assert response.status_code in (200, 201), response.content
    return segments.count()


def approve(client, moderator, page, committed):
    """The moderator's "Approve and publish" of the page's sign-off (the dashboard's)."""
    client.force_login(moderator)
    task_state = type(page).objects.get(pk=page.pk).current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
    response = committed(lambda: client.post(url, {"comment": ""}))
    assert response.status_code in (200, 302)


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def said(response):
    """The messages this response added (not those an earlier one left unread)."""
    added = get_messages(response.wsgi_request)._queued_messages
    return [str(message).strip() for message in added]


# Sign-off ------------------------------------------------------------------------------------


def test_an_editor_cannot_publish_a_translation_in_the_translation_editor(
    client, editor, spanish, graphql, committed
):
    fair = principle("fair")
    translation, spanish_fair = start_translation(client, editor, fair, spanish, committed)
    assert not spanish_fair.live, "a page submitted for translation starts as a draft"
    translate_every_string(translation, client)

    page = client.get(edit_url(spanish_fair)).content.decode()
    assert "Submit for sign-off" in page
    assert "&quot;canPublish&quot;: false" in page  # so the editor offers no Publish

    response = client.post(edit_url(spanish_fair), {"action": "publish"})
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert said(response) == ["Sorry, you do not have permission to access this area."]
    spanish_fair.refresh_from_db()
    assert not spanish_fair.live
    answer = graphql(FAIR_IN_SPANISH)["data"]["page"]
    assert (answer["title"], answer["locale"]) == (fair.title, "en-GB")  # the fallback


def test_an_editors_translation_goes_to_sign_off_and_a_moderators_approval_publishes_it(
    client, editor, moderator, spanish, graphql, committed
):
    fair = principle("fair")
    translation, spanish_fair = start_translation(client, editor, fair, spanish, committed)
    translate_every_string(translation, client)

    response = committed(
        lambda: client.post(edit_url(spanish_fair), {"translations-submit-for-sign-off": "1"})
    )
    assert response.status_code == 302
    assert any("submitted for sign-off" in message for message in said(response))
    spanish_fair.refresh_from_db()
    assert spanish_fair.current_workflow_state.status == "in_progress"
    assert not spanish_fair.live
    assert "Awaiting sign-off" in client.get(edit_url(spanish_fair)).content.decode()
    assert graphql(FAIR_IN_SPANISH)["data"]["page"]["locale"] == "en-GB"

    approve(client, moderator, spanish_fair, committed)

    spanish_fair.refresh_from_db()
    assert spanish_fair.live and spanish_fair.title == f"ES {fair.title}"
    answer = graphql(FAIR_IN_SPANISH)["data"]["page"]
    assert answer == {
        "title": f"ES {fair.title}",
        "locale": "es",
        "requestedLocale": None,
        "translationOutdated": False,
    }

    # Translated again and submitted: the live translation stays as approved until the
    # new one is approved in its turn.
    client.force_login(editor)
    translate_every_string(translation, client, prefix="ES2 ")
    response = committed(
        lambda: client.post(edit_url(spanish_fair), {"translations-submit-for-sign-off": "1"})
    )
    assert any("submitted for sign-off" in message for message in said(response)), said(response)
    assert graphql(FAIR_IN_SPANISH)["data"]["page"]["title"] == f"ES {fair.title}"
    approve(client, moderator, spanish_fair, committed)
    assert graphql(FAIR_IN_SPANISH)["data"]["page"]["title"] == f"ES2 {fair.title}"


def test_an_editor_cannot_publish_translations_by_syncing_them(
    client, editor, moderator, spanish, committed
):
    fair = principle("fair")
    translation, spanish_fair = start_translation(client, editor, fair, spanish, committed)
    translate_every_string(translation, client)
    sync = reverse("wagtail_localize:update_translations", args=[translation.source.pk])

    response = committed(lambda: client.post(sync, {"publish_translations": "on"}))

    assert response.status_code == 302 and response["Location"] == sync
    assert said(response) == [
        "Only a Moderator may publish translations immediately: sync them without "
        "publishing, then submit each for sign-off."
    ]
    spanish_fair.refresh_from_db()
    assert not spanish_fair.live
    client.force_login(moderator)
    committed(lambda: client.post(sync, {"publish_translations": "on"}))
    spanish_fair.refresh_from_db()
    assert spanish_fair.live and spanish_fair.title == f"ES {fair.title}"


def test_a_moderators_publish_in_the_translation_editor_closes_its_sign_off(
    client, editor, moderator, spanish, graphql, committed
):
    fair = principle("fair")
    translation, spanish_fair = start_translation(client, editor, fair, spanish, committed)
    translate_every_string(translation, client)
    committed(
        lambda: client.post(edit_url(spanish_fair), {"translations-submit-for-sign-off": "1"})
    )
    spanish_fair.refresh_from_db()
    in_sign_off = spanish_fair.current_workflow_state
    assert in_sign_off.status == "in_progress"

    client.force_login(moderator)
    response = committed(lambda: client.post(edit_url(spanish_fair), {"action": "publish"}))

    assert response.status_code == 302
    spanish_fair.refresh_from_db()
    assert spanish_fair.live and spanish_fair.title == f"ES {fair.title}"
    in_sign_off.refresh_from_db()
    assert in_sign_off.status == "cancelled"
    assert spanish_fair.current_workflow_state is None
    assert "Awaiting sign-off" not in client.get(edit_url(spanish_fair)).content.decode()
    # In the Moderator's name, as Wagtail's own Publish closes it: "Cancelled by" in the
    # page's workflow history, and in its log.
    (task_state,) = in_sign_off.task_states.all()
    assert task_state.finished_by == moderator
    cancelled = PageLogEntry.objects.get(page=spanish_fair, action="wagtail.workflow.cancel")
    assert cancelled.user == moderator


TESTIMONIALS_IN_SPANISH = '{ testimonials(locale: "es") { quote locale } }'


def start_snippet_translation(client, user, snippet, locale, committed):
    """A snippet's translation into `locale`, started as `user` does it: "Translate" in
    the snippet's admin (wagtail-localize's submit view)."""
    client.force_login(user)
    meta = snippet._meta
    response = committed(
        lambda: client.post(
            reverse(
                "wagtail_localize:submit_snippet_translation",
                args=[meta.app_label, meta.model_name, snippet.pk],
            ),
            {"locales": [locale.pk]},
        )
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    translation = Translation.objects.get(
        source__object_id=snippet.translation_key, target_locale=locale
    )
    return translation, translation.get_target_instance()


def snippet_url(snippet, name, *args):
    return reverse(type(snippet).snippet_viewset.get_url_name(name), args=[snippet.pk, *args])


def test_an_editors_snippet_translation_goes_to_sign_off_and_a_moderators_approval_publishes_it(
    client, editor, moderator, spanish, graphql, committed
):
    testimonial = home_models.Testimonial.objects.filter(locale=Locale.get_default()).first()
    translation, spanish_testimonial = start_snippet_translation(
        client, editor, testimonial, spanish, committed
    )
    translate_every_string(translation, client)
    editing = client.get(snippet_url(spanish_testimonial, "edit")).content.decode()
    assert "Submit for sign-off" in editing
    assert "&quot;canPublish&quot;: false" in editing

    response = committed(
        lambda: client.post(
            snippet_url(spanish_testimonial, "edit"), {"translations-submit-for-sign-off": "1"}
        )
    )

    assert response.status_code == 302
    assert any("submitted for sign-off" in message for message in said(response))
    spanish_testimonial.refresh_from_db()
    assert spanish_testimonial.current_workflow_state.status == "in_progress"
    assert not spanish_testimonial.live
    assert (
        "Awaiting sign-off" in client.get(snippet_url(spanish_testimonial, "edit")).content.decode()
    )
    answer = graphql(TESTIMONIALS_IN_SPANISH)["data"]["testimonials"]
    assert {"quote": testimonial.quote, "locale": "en-GB"} in answer  # the fallback

    client.force_login(moderator)
    task_state = spanish_testimonial.current_workflow_task_state
    response = committed(
        lambda: client.post(
            snippet_url(spanish_testimonial, "workflow_action", "approve", task_state.pk),
            {"comment": ""},
        )
    )
    assert response.status_code in (200, 302)

    spanish_testimonial.refresh_from_db()
    assert spanish_testimonial.live and spanish_testimonial.quote == f"ES {testimonial.quote}"
    answer = graphql(TESTIMONIALS_IN_SPANISH)["data"]["testimonials"]
    assert {"quote": f"ES {testimonial.quote}", "locale": "es"} in answer

    # Translated again and submitted: the live translation stays as approved until the
    # new one is approved in its turn.
    client.force_login(editor)
    translate_every_string(translation, client, prefix="ES2 ")
    committed(
        lambda: client.post(
            snippet_url(spanish_testimonial, "edit"), {"translations-submit-for-sign-off": "1"}
        )
    )
    spanish_testimonial.refresh_from_db()
    in_sign_off = spanish_testimonial.current_workflow_state
    assert in_sign_off.status == "in_progress"
    answer = graphql(TESTIMONIALS_IN_SPANISH)["data"]["testimonials"]
    assert {"quote": f"ES {testimonial.quote}", "locale": "es"} in answer

    # A Moderator's "Publish in Spanish" there closes the sign-off, in their name.
    client.force_login(moderator)
    committed(lambda: client.post(snippet_url(spanish_testimonial, "edit"), {"action": "publish"}))
    in_sign_off.refresh_from_db()
    assert in_sign_off.status == "cancelled"
    assert in_sign_off.task_states.get().finished_by == moderator
    answer = graphql(TESTIMONIALS_IN_SPANISH)["data"]["testimonials"]
    assert {"quote": f"ES2 {testimonial.quote}", "locale": "es"} in answer


# PO files ------------------------------------------------------------------------------------


def download_po(client, translation):
    response = client.get(reverse("wagtail_localize:download_pofile", args=[translation.pk]))
    assert response.status_code == 200
    return polib.pofile(response.content.decode())


def upload_po(client, translation, content, page):
    """Upload a PO file as the editor's "Upload PO file" does; the messages it leaves."""
    response = client.post(
        reverse("wagtail_localize:upload_pofile", args=[translation.pk]),
        {
            "file": SimpleUploadedFile("translated.po", content),
            "next": edit_url(page),
        },
    )
    assert response.status_code == 302 and response["Location"] == edit_url(page)
    return said(response)


def translated(po, prefix="PO "):
    for entry in po:
        entry.msgstr = prefix + entry.msgid
    return str(po).encode()


def state_of(translation, page):
    """What an upload may change: the translated strings and the page's drafts."""
    page.refresh_from_db()
    return (
        list(
            StringTranslation.objects.filter(locale=translation.target_locale)
            .order_by("pk")
            .values_list("pk", "data")
        ),
        page.latest_revision_id,
    )


def test_a_downloaded_po_file_translated_and_uploaded_fills_the_translation(
    client, editor, spanish, committed
):
    translation, spanish_fair = start_translation(
        client, editor, principle("fair"), spanish, committed
    )
    po = download_po(client, translation)
    assert len(po) == StringSegment.objects.filter(source=translation.source).count() > 1
    assert all(entry.msgstr == "" for entry in po)

    messages = upload_po(client, translation, translated(po), spanish_fair)

    assert messages == ["Successfully imported translations from PO File."]
    filled = dict(
        StringTranslation.objects.filter(locale=spanish).values_list("translation_of__data", "data")
    )
    assert filled == {entry.msgid: "PO " + entry.msgid for entry in po}
    again = download_po(client, translation)
    assert [entry.msgstr for entry in again] == ["PO " + entry.msgid for entry in po]


def test_a_malformed_po_file_is_refused_with_a_message_and_changes_nothing(
    client, editor, spanish, committed
):
    translation, spanish_fair = start_translation(
        client, editor, principle("fair"), spanish, committed
    )
    before = state_of(translation, spanish_fair)

    for content in (b"Dear translator, the texts are below.\n", b"PK\x03\x04\x14\x00\xff\xfe"):
        assert upload_po(client, translation, content, spanish_fair) == [
            "This is not a PO file this editor can read: download the PO file again, "
            "translate it and upload it as it is."
        ]
    without_its_header = polib.POFile()
    without_its_header.append(polib.POEntry(msgid=principle("fair").title, msgstr="Justo"))
    (message,) = upload_po(client, translation, str(without_its_header).encode(), spanish_fair)
    assert "does not say which translation it is for" in message

    assert state_of(translation, spanish_fair) == before


def test_a_po_file_for_another_page_is_refused_with_a_message_and_changes_nothing(
    client, editor, spanish, committed
):
    translation, spanish_fair = start_translation(
        client, editor, principle("fair"), spanish, committed
    )
    other, _ = start_translation(client, editor, principle("reflective"), spanish, committed)
    before = state_of(translation, spanish_fair)

    (message,) = upload_po(
        client, translation, translated(download_po(client, other)), spanish_fair
    )

    assert message == (
        f"This PO file is for '{principle('reflective').title}' in "
        f"{spanish.get_display_name()}, not this one: nothing was imported."
    )
    assert state_of(translation, spanish_fair) == before


def test_a_po_file_for_an_older_source_version_is_refused_with_a_message_and_changes_nothing(
    client, editor, moderator, spanish, committed
):
    fair = principle("fair")
    translation, spanish_fair = start_translation(client, editor, fair, spanish, committed)
    old = translated(download_po(client, translation))
    fair.title = f"{fair.title}, for every child"
    publish(fair)
    client.force_login(moderator)  # "Sync translated pages" picks up the source's change
    response = client.post(
        reverse("wagtail_localize:update_translations", args=[translation.source.pk])
    )
    assert response.status_code == 302
    client.force_login(editor)
    before = state_of(translation, spanish_fair)

    (message,) = upload_po(client, translation, old, spanish_fair)

    assert message.startswith(f"This PO file was made from an older version of '{fair.title}'")
    assert "download the PO file again" in message
    assert state_of(translation, spanish_fair) == before


# Machine translation -------------------------------------------------------------------------


class LibreTranslateStandIn(BaseHTTPRequestHandler):
    """Answers POST /translate as LibreTranslate does, each text "translated" by a prefix
    naming the target language; the requests' JSON bodies are kept in `received`."""

    received = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append({"path": self.path, **body})
        answer = json.dumps({"translatedText": [f"[{body['target']}] {q}" for q in body["q"]]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def libretranslate(settings):
    """A local stand-in for a LibreTranslate service, since no translation service can be
    reached from the tests: it speaks LibreTranslate's API (POST /translate) on a port of
    its own, and the settings name it as TRANSLATION_SERVICE=libretranslate would."""
    LibreTranslateStandIn.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), LibreTranslateStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WAGTAILLOCALIZE_MACHINE_TRANSLATOR = machine_translator(
        "libretranslate", url=f"http://127.0.0.1:{server.server_port}/", key="a-key"
    )
    yield LibreTranslateStandIn.received
    server.shutdown()
    server.server_close()


def test_machine_translation_is_off_unless_a_service_is_configured(settings):
    assert settings.WAGTAILLOCALIZE_MACHINE_TRANSLATOR is None
    assert machine_translator("") is None
    assert machine_translator("DeepL", key="k:fx") == {
        "CLASS": "wagtail_localize.machine_translators.deepl.DeepLTranslator",
        "OPTIONS": {"AUTH_KEY": "k:fx"},
    }
    with pytest.raises(ImproperlyConfigured, match="needs TRANSLATION_SERVICE_URL"):
        machine_translator("libretranslate")
    with pytest.raises(ImproperlyConfigured, match="needs TRANSLATION_SERVICE_KEY"):
        machine_translator("deepl")
    with pytest.raises(ImproperlyConfigured, match="google-cloud-translate"):
        machine_translator("google", project="southwark")
    with pytest.raises(ImproperlyConfigured, match="'babelfish' is none of"):
        machine_translator("babelfish")


def test_the_editor_offers_no_machine_translation_when_none_is_configured(
    client, editor, spanish, committed
):
    translation, spanish_fair = start_translation(
        client, editor, principle("fair"), spanish, committed
    )
    assert (
        "&quot;machineTranslator&quot;: null" in client.get(edit_url(spanish_fair)).content.decode()
    )
    response = client.post(reverse("wagtail_localize:machine_translate", args=[translation.pk]))
    assert response.status_code == 404


def test_machine_translation_by_libretranslate_fills_the_translation(
    client, editor, spanish, libretranslate, committed
):
    translation, spanish_fair = start_translation(
        client, editor, principle("fair"), spanish, committed
    )
    assert "LibreTranslate" in client.get(edit_url(spanish_fair)).content.decode()
    texts = list(
        StringSegment.objects.filter(source=translation.source).values_list(
            "string__data", flat=True
        )
    )

    response = client.post(
        reverse("wagtail_localize:machine_translate", args=[translation.pk]),
        {"next": edit_url(spanish_fair)},
    )

    assert response.status_code == 302
    assert said(response) == ["Successfully translated with LibreTranslate."]
    (request,) = libretranslate
    assert (request["path"], request["source"], request["target"]) == ("/translate", "en", "es")
    assert request["api_key"] == "a-key"
    assert sorted(request["q"]) == sorted(set(texts))
    filled = StringTranslation.objects.filter(locale=spanish)
    assert dict(filled.values_list("translation_of__data", "data")) == {
        text: f"[es] {text}" for text in texts
    }
    assert set(filled.values_list("tool_name", flat=True)) == {"LibreTranslate"}


# Out of date ---------------------------------------------------------------------------------


def change_in_a_major_way(page, committed):
    page.change_kind = "major"
    page.change_note = "The principle now names every child in the borough's care."
    committed(lambda: publish(page))
    page.refresh_from_db()
    assert page.change_history, "the major change is in the page's public history"
    return page


def report_rows(admin_client):
    response = admin_client.get(reverse("governance:due_for_review"), {"export": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return {row["Title"]: row for row in csv.DictReader(io.StringIO(content))}


def test_a_translation_whose_source_changed_in_a_major_way_is_out_of_date_everywhere(
    client, admin_client, moderator, spanish, graphql, committed
):
    fair = principle("fair")
    translation, spanish_fair = start_translation(client, moderator, fair, spanish, committed)
    translate_every_string(translation, client)
    committed(lambda: client.post(edit_url(spanish_fair), {"action": "publish"}))
    spanish_fair.refresh_from_db()
    assert spanish_fair.live
    assert graphql(FAIR_IN_SPANISH)["data"]["page"]["translationOutdated"] is False
    assert "data-translation-outdated" not in client.get(edit_url(spanish_fair)).content.decode()

    change_in_a_major_way(fair, committed)

    answer = graphql(FAIR_IN_SPANISH)["data"]["page"]
    assert (answer["locale"], answer["translationOutdated"]) == ("es", True)
    english = graphql('{ page(urlPath: "/principles/fair/") { translationOutdated } }')
    assert english["data"]["page"]["translationOutdated"] is False  # a source is never
    assert "data-translation-outdated" in client.get(edit_url(spanish_fair)).content.decode()
    assert report_rows(admin_client)[spanish_fair.title]["Status"].endswith(
        "Translation out of date"
    )

    # Synced with the changed source, translated again and published: up to date.
    client.post(reverse("wagtail_localize:update_translations", args=[translation.source.pk]))
    translate_every_string(translation, client, prefix="ES2 ")
    committed(lambda: client.post(edit_url(spanish_fair), {"action": "publish"}))
    assert graphql(FAIR_IN_SPANISH)["data"]["page"]["translationOutdated"] is False
    assert spanish_fair.title not in report_rows(admin_client)


def test_a_minor_change_to_the_source_leaves_its_translation_up_to_date(
    client, moderator, spanish, graphql, committed
):
    fair = principle("fair")
    translation, spanish_fair = start_translation(client, moderator, fair, spanish, committed)
    translate_every_string(translation, client)
    committed(lambda: client.post(edit_url(spanish_fair), {"action": "publish"}))

    fair.title = f"{fair.title}."
    committed(lambda: publish(fair))

    assert graphql(FAIR_IN_SPANISH)["data"]["page"]["translationOutdated"] is False


PRINCIPLES_IN_SPANISH = '{ principles(locale: "es") { title translationOutdated } }'


def test_translation_outdated_costs_the_same_sql_however_many_translations_a_list_holds(
    spanish, graphql, settings, committed
):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0  # measure the work, not the cache
    sources = list(PrinciplePage.objects.filter(locale=Locale.get_default()).order_by("pk"))
    assert len(sources) >= 4

    def translate_then_change(pages):
        for page in pages:
            translate(page, spanish, title=f"ES {page.title}")
            change_in_a_major_way(page, committed)

    def outdated_and_query_count():
        graphql(PRINCIPLES_IN_SPANISH)  # once to warm what is made once
        memo.clear_all()
        with CaptureQueriesContext(connection) as captured:
            answer = graphql(PRINCIPLES_IN_SPANISH)["data"]["principles"]
        return {item["title"] for item in answer if item["translationOutdated"]}, len(captured)

    translate_then_change(sources[:1])
    outdated, with_one = outdated_and_query_count()
    assert outdated == {f"ES {sources[0].title}"}

    translate_then_change(sources[1:4])
    outdated, with_four = outdated_and_query_count()
    assert outdated == {f"ES {page.title}" for page in sources[:4]}
    assert with_one == with_four
