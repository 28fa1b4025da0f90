"""A press release in Word (.docx) becomes a draft news page: the admin's "Import from Word"
form under the news index (news/views.py, news/word_import.py).

The documents are built here: with python-docx, as Word writes them, and with LibreOffice
(Debian's), which saves as .docx an .odt these tests write with odfpy, as another word
processor would. Without LibreOffice those tests are skipped, and fail under CI (`make
install-dev` installs it as root). Bad files are refused with the reason and leave
nothing behind: no page, no image, no file.
"""

import datetime
import io
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from wagtail.blocks import StreamBlockValidationError
from wagtail.images import get_image_model
from wagtail.models import Page, PageLogEntry
from wagtail.test.utils.form_data import (
    inline_formset,
    nested_form_data,
    rich_text,
    streamfield,
)

from home.blocks import NewsBodyBlock, skipped_heading_levels
from news import word_import
from news.models import NewsPage
from tests.support.factories import NewsIndexPageFactory, UserFactory
from tests.support.word_documents import add_link, add_picture, add_table, png, press_release, saved

pytestmark = pytest.mark.django_db

Image = get_image_model()


# Uploading ------------------------------------------------------------------------------------


@pytest.fixture
def news_index():
    return NewsIndexPageFactory()


@pytest.fixture
def editor(client):
    """An editor (the Editors group: may add pages, not publish), signed in."""
    user = UserFactory(role="Editors")
    client.force_login(user)
    return user


def upload(client, news_index, content, name="release.docx"):
    return client.post(
        reverse("news_import_from_word", args=[news_index.id]),
        {"document": SimpleUploadedFile(name, content)},
    )


def media_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path) for path in root.rglob("*") if path.is_file())


def imported(news_index):
    return NewsPage.objects.child_of(news_index).get()


def body_of(page):
    """The body's blocks as stored (an image block's image by its id), read afresh, with
    a list block's items as a plain list."""
    page = NewsPage.objects.get(pk=page.pk)
    return [(block["type"], unwrapped(block["value"])) for block in page.body.raw_data]


def unwrapped(value):
    if isinstance(value, dict) and value.keys() == {"type", "value", "id"}:
        return unwrapped(value["value"])
    if isinstance(value, dict):
        return {key: unwrapped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrapped(item) for item in value]
    return value


def test_a_release_becomes_a_draft_news_page_and_the_editor_lands_on_its_edit_page(
    client, news_index, editor
):
    response = upload(client, news_index, press_release())

    page = imported(news_index)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.id])
    assert not page.live and page.has_unpublished_changes
    assert page.latest_revision.user == editor and page.owner == editor
    assert page.title == "Fostering in Southwark rated outstanding"
    assert page.slug == "fostering-in-southwark-rated-outstanding"
    assert page.date == datetime.date(2017, 6, 14)
    assert page.summary == (
        "Southwark Council's services for children and families are good, Ofsted says."
    )
    assert PageLogEntry.objects.filter(page=page, action="news.word_import").exists()


def test_the_body_is_made_of_the_news_pages_own_blocks(client, news_index, editor):
    upload(client, news_index, press_release())

    body = body_of(imported(news_index))
    kinds = [kind for kind, _ in body]
    assert kinds == [
        "paragraph",
        "heading",
        "paragraph",
        "list",
        "heading",
        "list",
        "quote",
        "table",
        "image",
    ]
    assert body[0][1] == (
        "<p>Inspectors found the work <b>strong</b> and <i>consistent</i>. Read "
        '<a href="https://reports.ofsted.gov.uk/">the report</a>.</p>'
    )
    assert body[1][1] == {"text": "What inspectors found", "level": "h2"}
    assert body[3][1] == {
        "items": ["Children are listened to", "Plans are reviewed on time"],
        "ordered": False,
    }
    assert body[4][1] == {"text": "Next steps", "level": "h3"}
    assert body[5][1]["ordered"] is True
    assert body[6][1] == {
        "quote": "We are proud of our staff.",
        "attribution": "Cllr Jasmine Ali",
        "role": "Cabinet Member for Children and Schools",
    }
    table = body[7][1]
    assert table["first_row_is_header"] is True
    assert table["rows"] == [
        ["Service", "Rating"],
        ["Adoption", "Outstanding"],
        ["Overall", "Good"],
    ]
    image = body[8][1]
    assert Image.objects.get(id=image["image"]).description == (
        "Foster carers with the Ofsted report"
    )
    assert image["caption"] == "Foster carers at the launch"
    # What the editor will save is valid as it stands.
    NewsBodyBlock().clean(imported(news_index).body)


def test_the_notes_to_editors_are_kept_apart_from_the_story(client, news_index, editor):
    upload(client, news_index, press_release())

    page = imported(news_index)
    assert "ENDS" not in str(page.body.raw_data)
    assert "Ofsted inspected" not in str(page.body.raw_data)
    assert page.notes_to_editors == (
        "<p><b>Notes to editors</b></p><p>Ofsted inspected the services in May 2017.</p>"
        "<p>Media enquiries: press office, 020 7525 7305</p>"
    )


def test_the_import_publishes_nothing_and_the_draft_goes_through_sign_off(
    client, news_index, editor, graphql
):
    upload(client, news_index, press_release())
    page = imported(news_index)

    found = graphql('{ newsItem(slug: "fostering-in-southwark-rated-outstanding") { id } }')
    assert found["data"]["newsItem"] is None
    # The editor has no Publish: the edit page offers the submission for sign-off.
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.id]))
    assert edit.status_code == 200
    assert b"Submit to Moderators approval" in edit.content


def test_once_approved_the_table_and_the_notes_are_read_over_graphql(
    client, news_index, editor, graphql
):
    upload(client, news_index, press_release())
    imported(news_index).get_latest_revision().publish()  # as the moderator's approval does

    found = graphql(
        """{ newsItem(slug: "fostering-in-southwark-rated-outstanding") {
            notesToEditors
            body {
                ... on TableBlock { rawValue caption firstRowIsHeader firstColumnIsHeader rows }
            }
        } }"""
    )
    item = found["data"]["newsItem"]
    assert item["notesToEditors"].startswith("<p><b>Notes to editors</b></p>")
    [table] = [block for block in item["body"] if block]
    assert len(json.loads(table.pop("rawValue"))["rows"]) == 3  # as stored, as text
    assert [table] == [
        {
            "caption": "",
            "firstRowIsHeader": True,
            "firstColumnIsHeader": False,
            "rows": [["Service", "Rating"], ["Adoption", "Outstanding"], ["Overall", "Good"]],
        }
    ]


def test_a_document_without_a_date_line_is_dated_today_and_the_editor_told(
    client, news_index, editor
):
    document = docx.Document()
    document.add_heading("Family hubs open", level=1)
    document.add_paragraph("Two family hubs open in Peckham and Walworth.")
    document.add_paragraph("They offer help to families with young children.")

    response = upload(client, news_index, saved(document))

    page = imported(news_index)
    assert page.date == timezone.localdate()
    said = [str(message) for message in response.wsgi_request._messages]
    assert any("No date line was found" in message for message in said)
    entry = PageLogEntry.objects.get(page=page, action="news.word_import")
    assert any("No date line was found" in note for note in entry.data["notes"])
    history = client.get(reverse("wagtailadmin_pages:history", args=[page.id]))
    assert b"Imported from Word" in history.content
    assert b"No date line was found" in history.content


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("14 June 2017", datetime.date(2017, 6, 14)),
        ("Date: Wed 1st Feb. 2023", datetime.date(2023, 2, 1)),
        ("Published June 14, 2017", datetime.date(2017, 6, 14)),
        ("14/06/2017", datetime.date(2017, 6, 14)),
        ("2017-06-14", datetime.date(2017, 6, 14)),
        ("31 February 2017", None),
        ("Fostering", None),
    ],
)
def test_a_date_line_is_read_in_the_ways_the_press_office_writes_one(line, day):
    assert word_import.date_in(line) == day


def test_headings_that_would_skip_a_level_are_mended_and_the_editor_told(
    client, news_index, editor
):
    document = docx.Document()
    document.add_heading("Title as Heading 1", level=1)
    document.add_paragraph("14 June 2017")
    document.add_paragraph("The summary.")
    document.add_heading("A section at Heading 2", level=2)
    document.add_heading("Straight to Heading 4", level=4)
    document.add_heading("Heading 5, and 6 below it", level=5)
    document.add_heading("Heading 6", level=6)
    document.add_heading("Back to a section", level=2)

    response = upload(client, news_index, saved(document))

    page = imported(news_index)
    levels = [value["level"] for kind, value in body_of(page) if kind == "heading"]
    assert levels == ["h2", "h3", "h4", "h4", "h2"]
    assert not skipped_heading_levels(page.body)
    said = [str(message) for message in response.wsgi_request._messages]
    assert any("“Straight to Heading 4” is at level 3, not 4" in message for message in said)
    assert any("“Heading 6” is at level 4, not 6" in message for message in said)


def test_an_image_without_alt_text_keeps_the_page_from_being_published(client, news_index, editor):
    document = docx.Document()
    document.add_paragraph("Summer activities", style="Title")
    document.add_paragraph("Free activities for children this summer.")
    add_picture(document)

    response = upload(client, news_index, saved(document))

    page = imported(news_index)
    [(kind, value)] = body_of(page)
    image = Image.objects.get(id=value["image"])
    assert kind == "image" and image.description == ""
    said = [str(message) for message in response.wsgi_request._messages]
    assert any("has no alt text" in message for message in said)
    # The body is refused (as the editor's Save, Submit or Publish is) until it has one.
    with pytest.raises(StreamBlockValidationError):
        NewsBodyBlock().clean(page.body)
    image.description = "Children at a summer activity"
    image.save()
    NewsBodyBlock().clean(NewsPage.objects.get(pk=page.pk).body)


def test_the_editor_cannot_submit_the_draft_until_its_image_has_alt_text(
    client, news_index, editor
):
    document = docx.Document()
    document.add_paragraph("Summer activities", style="Title")
    document.add_paragraph("Free activities for children this summer.")
    add_picture(document)
    upload(client, news_index, saved(document))
    page = imported(news_index)
    image_id = body_of(page)[0][1]["image"]
    form = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "date": page.date.isoformat(),
            "summary": page.summary,
            "tags": "",
            "body": streamfield([("image", {"image": image_id, "caption": ""})]),
            "notes_to_editors": rich_text(""),
            "source_url": "",
            "change_kind": "minor",
            "comments": inline_formset([]),
            "action-submit": "Submit to Moderators approval",
        }
    )

    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.id]), form)

    assert response.status_code == 200  # the form again, saying what is wrong
    assert b"has no alt text" in response.content
    assert not NewsPage.objects.get(pk=page.pk).workflow_in_progress


def test_a_title_from_the_document_properties_or_else_the_file_name(client, news_index, editor):
    document = docx.Document()
    document.core_properties.title = "Youth council elected"
    document.add_paragraph("Young people elected their youth council.")
    upload(client, news_index, saved(document))
    assert imported(news_index).title == "Youth council elected"

    NewsPage.objects.child_of(news_index).delete()
    document = docx.Document()
    document.core_properties.title = ""
    document.add_paragraph("Young people elected their youth council.")
    upload(client, news_index, saved(document), name="youth_council.docx")
    assert imported(news_index).title == "youth council"


def test_rich_lists_stay_rich_text_and_a_table_without_a_marked_header_is_flagged(
    client, news_index, editor
):
    document = docx.Document()
    document.add_paragraph("Holiday clubs", style="Title")
    document.add_paragraph("Clubs run all summer.")
    point = document.add_paragraph("Book at ", style="List Bullet")
    add_link(point, "our site", "https://www.southwark.gov.uk/")
    document.add_paragraph("Free for families on benefits", style="List Bullet")
    add_table(document, [["Club", "Ages"], ["Football", "8-12"]], header=False)

    response = upload(client, news_index, saved(document))

    body = body_of(imported(news_index))
    assert body[0][0] == "paragraph"
    assert body[0][1] == (
        '<ul><li>Book at <a href="https://www.southwark.gov.uk/">our site</a></li>'
        "<li>Free for families on benefits</li></ul>"
    )
    assert body[1][0] == "table" and body[1][1]["first_row_is_header"] is True
    said = [str(message) for message in response.wsgi_request._messages]
    assert any("Table 1's first row is taken as its header row" in m for m in said)


def test_two_imports_of_one_release_get_two_slugs(client, news_index, editor):
    upload(client, news_index, press_release())
    upload(client, news_index, press_release())
    slugs = sorted(NewsPage.objects.child_of(news_index).values_list("slug", flat=True))
    assert slugs == [
        "fostering-in-southwark-rated-outstanding",
        "fostering-in-southwark-rated-outstanding-1",
    ]


def read_html(html, images=()):
    """The press release mammoth's HTML `html` maps to (images by their index)."""
    return word_import.Reader("release.docx", press_release(), list(images)).read(html)


def test_what_mammoth_gives_maps_to_the_blocks_and_the_notes():
    picture = word_import.WordImage(png(), "image/png", "A family hub")
    release = read_html(
        "<h1 class='title'>Hubs open</h1><p>1 March 2024</p><p>The lead.</p><h2></h2><hr/>"
        "<p>Line one<br/>line <u>two</u>, <sup>1</sup> <a href='#_ftn1'>note</a>.</p>"
        "<ul><li>Point<ul><li>Sub-point</li></ul></li></ul>"
        "<blockquote><p>“Words without a name.”</p></blockquote><blockquote></blockquote>"
        "<p class='caption'>A caption after no image</p>"
        "<table><tr><td></td></tr></table>"
        "<table><tr><th colspan='2'>Hub</th></tr><tr><td>Peckham</td><td>Open</td></tr></table>"
        "<table><tr><td colspan='100000000'>Wide</td></tr></table>"
        "<img src='word-image:0'/>"
        "<h2>Notes to editors</h2><ul><li>One</li></ul><blockquote><p>A quote</p></blockquote>"
        "<table><tr><td>Press office</td><td>020 7525 7305</td></tr></table>"
        "<img src='word-image:0'/><p class='caption'>A caption</p>",
        [picture],
    )
    assert (release.title, release.date, release.summary) == (
        "Hubs open",
        datetime.date(2024, 3, 1),
        "The lead.",
    )
    assert release.body == [
        ("paragraph", release.body[0][1]),
        ("quote", {"quote": "Words without a name.", "attribution": "", "role": ""}),
        ("paragraph", release.body[2][1]),
        ("table", release.body[3][1]),
        ("table", release.body[4][1]),
        ("image", {"image": picture, "caption": ""}),
    ]
    assert release.body[4][1]["rows"] == [["Wide"] + [""] * 49]
    assert release.body[0][1].source == (
        "<p>Line one<br/>line two, 1 note.</p><ul><li>Point<ul><li>Sub-point</li></ul></li></ul>"
    )
    assert release.body[2][1].source == "<p>A caption after no image</p>"
    assert release.body[3][1]["rows"] == [["Hub", ""], ["Peckham", "Open"]]
    assert release.notes_to_editors == (
        "<p><b>Notes to editors</b></p><ul><li>One</li></ul><p>A quote</p>"
        "<p>Press office – 020 7525 7305</p><p>A caption</p>"
    )
    assert any("An image in the notes to editors was left out" in n for n in release.notes)


def test_a_document_of_headings_alone_has_its_title_as_summary_and_the_editor_told(
    client, news_index, editor
):
    document = docx.Document()
    document.add_paragraph("Feed", style="Title")
    document.add_paragraph("16 July 2024")
    document.add_heading("Hubs open", level=2)

    response = upload(client, news_index, saved(document))

    page = imported(news_index)
    assert (page.slug, page.summary) == ("feed-release", "Feed")
    said = [str(message) for message in response.wsgi_request._messages]
    assert any("no paragraph to take the summary from" in m for m in said)


def test_a_document_without_its_properties_part_is_titled_by_its_file_name():
    document = docx.Document()
    document.add_paragraph("Young people elected their youth council.")
    data = saved(document)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    del parts["docProps/core.xml"]
    release = word_import.read_press_release("Youth council.docx", zipped(parts))
    assert release.title == "Youth council"


# Who may import -------------------------------------------------------------------------------


def test_only_those_who_may_add_a_news_page_there_may_import(client, news_index):
    url = reverse("news_import_from_word", args=[news_index.id])
    client.force_login(UserFactory(role="Editors"))
    page = client.get(url)
    assert page.status_code == 200
    assert b"Import a press release from Word" in page.content

    # Not under the home page: a news page cannot be added there. (The admin answers a
    # refusal as Wagtail's own views do: back to the dashboard, saying so.)
    home = news_index.get_parent()
    refused = client.get(reverse("news_import_from_word", args=[home.id]))
    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
    assert client.get(reverse("news_import_from_word", args=[999_999])).status_code == 404

    # Someone who may use the admin but add no page.
    reader = UserFactory()
    reader.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(reader)
    response = upload(client, news_index, press_release())
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert not NewsPage.objects.exists()


def test_the_news_index_offers_the_import_to_editors(client, news_index, editor):
    listing = client.get(reverse("wagtailadmin_explore", args=[news_index.id]))
    url = reverse("news_import_from_word", args=[news_index.id]).encode()
    assert url in listing.content
    # The home page's listing offers it on the news index's row.
    home = client.get(reverse("wagtailadmin_explore", args=[news_index.get_parent().id]))
    assert url in home.content


# Bad input: refused with the reason, nothing left behind ------------------------------------


def zipped(parts, compression=zipfile.ZIP_DEFLATED):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return stream.getvalue()


def with_parts(data, changes):
    """A copy of the .docx `data` with parts replaced or added ({name: content})."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    return zipped({**parts, **changes})


def macro_enabled():
    data = press_release()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml").decode()
    types = types.replace(word_import.WORD_DOCUMENT, word_import.MACRO_DOCUMENT)
    return with_parts(data, {"[Content_Types].xml": types, "word/vbaProject.bin": b"\0" * 64})


def ole_container(*stream_names):
    """An OLE compound file's first sector and a directory naming `stream_names`: enough of
    one to be told apart as Word's password-protected .docx or an old .doc."""
    directory = b"".join(name.encode("utf-16-le").ljust(128, b"\0") for name in stream_names)
    return word_import.OLE_SIGNATURE + b"\0" * 504 + directory


def corrupt():
    data = bytearray(press_release())
    # Damage the middle of the main document's compressed data: its checksum fails.
    start = data.find(b"word/document.xml") + 200
    data[start : start + 64] = b"\xff" * 64
    return bytes(data)


def zip_bomb():
    # 60 MB of one byte over and over compresses about 1000:1.
    return zipped(
        {
            "[Content_Types].xml": f'<Types><Override ContentType="{word_import.WORD_DOCUMENT}"/>'
            "</Types>",
            "word/document.xml": b"<" + b"a" * 60_000_000,
        }
    )


def no_text():
    document = docx.Document()
    document.add_paragraph("")
    document.add_paragraph("   ")
    return saved(document)


def broken_xml():
    return with_parts(press_release(), {"word/document.xml": b"<w:document><w:body><w:p>"})


BAD_FILES = {
    "not a Word document": (lambda: b"Dear editor, the release is below.", "release.docx"),
    "an OpenDocument file": (
        lambda: zipped({"mimetype": b"application/vnd.oasis.opendocument.text"}),
        "release.docx",
    ),
    "a spreadsheet": (
        lambda: zipped(
            {
                "[Content_Types].xml": b'<Types><Override ContentType="application/vnd.'
                b'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
            }
        ),
        "release.docx",
    ),
    "a macro-enabled document": (macro_enabled, "release.docx"),
    "a .docm by name": (press_release, "release.docm"),
    "a password-protected document": (
        lambda: ole_container("Root Entry", "EncryptionInfo", "EncryptedPackage"),
        "release.docx",
    ),
    "an old .doc": (lambda: ole_container("Root Entry", "WordDocument"), "release.doc"),
    "a corrupt file": (corrupt, "release.docx"),
    "a truncated file": (lambda: press_release()[:3000], "release.docx"),
    "a document mammoth cannot parse": (broken_xml, "release.docx"),
    "a zip bomb": (zip_bomb, "release.docx"),
    "a document with no text": (no_text, "release.docx"),
}
REASONS = {
    "not a Word document": "This is not a Word document (.docx).",
    "an OpenDocument file": "This is not a Word document (.docx), although it is a zip file.",
    "a spreadsheet": "This is another kind of Office file",
    "a macro-enabled document": "This is a macro-enabled document (.docm)",
    "a .docm by name": "This is a macro-enabled document (.docm)",
    "a password-protected document": "This document is protected by a password",
    "an old .doc": "This is an older Word document (.doc)",
    "a corrupt file": "This Word document is damaged",
    "a truncated file": "This Word document is damaged",
    "a document mammoth cannot parse": "This Word document is damaged",
    "a zip bomb": "a part of it would unpack to",
    "a document with no text": "This document has no text to import.",
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_file_changes_nothing_and_says_why(client, news_index, editor, kind):
    make, name = BAD_FILES[kind]
    content = make()
    pages, images, files = Page.objects.count(), Image.objects.count(), media_files()

    response = upload(client, news_index, content, name=name)

    assert response.status_code == 400
    assert REASONS[kind] in response.context["form"].errors["document"][0]
    assert (Page.objects.count(), Image.objects.count(), media_files()) == (pages, images, files)


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(
    client, news_index, editor, settings, monkeypatch
):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1000
    monkeypatch.setattr(word_import, "read_press_release", None)  # never reached

    response = upload(client, news_index, press_release())

    assert response.status_code == 400
    assert "the largest that can be imported is 1000" in response.context["form"].errors[
        "document"
    ][0].replace("\xa0", " ")
    assert not NewsPage.objects.exists()
    # The import itself checks the size too, for any other caller.
    with pytest.raises(word_import.ImportRefused, match="the largest that can be imported"):
        word_import.check_word_file("release.docx", press_release())


def test_a_zip_that_would_unpack_to_too_much_or_holds_too_many_parts_is_refused(monkeypatch):
    monkeypatch.setattr(word_import, "MAX_UNPACKED_BYTES", 10_000)
    with pytest.raises(word_import.ImportRefused, match="it would unpack to"):
        word_import.check_word_file("release.docx", press_release())
    monkeypatch.setattr(word_import, "MAX_PARTS", 3)
    with pytest.raises(word_import.ImportRefused, match=r"it holds \d+ parts"):
        word_import.check_word_file("release.docx", press_release())


def test_an_image_wagtail_refuses_is_left_out_and_the_editor_told(client, news_index, editor):
    document = docx.Document()
    document.add_paragraph("Play streets", style="Title")
    document.add_paragraph("Streets close to traffic for play.")
    add_picture(document, alt_text="Children playing")
    data = saved(document)
    # The picture's bytes replaced by what no image reader reads.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        [media] = [name for name in archive.namelist() if name.startswith("word/media/")]
    data = with_parts(data, {media: b"not an image"})

    response = upload(client, news_index, data)

    assert body_of(imported(news_index)) == []
    assert not Image.objects.exists()
    said = [str(message) for message in response.wsgi_request._messages]
    assert any("Image 1 of the document (image/png) was left out" in m for m in said)


def test_a_failure_while_saving_leaves_no_image_or_file(news_index, monkeypatch):
    files = media_files()

    def refuse(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(word_import, "save_draft", refuse)
    with pytest.raises(RuntimeError):
        word_import.import_press_release(
            "release.docx", press_release(), news_index, UserFactory(role="Editors")
        )
    assert not Image.objects.exists()
    assert media_files() == files


# Documents saved by LibreOffice ---------------------------------------------------------------


@pytest.fixture(scope="module")
def soffice():
    """LibreOffice's soffice, from Debian. Without it these tests are skipped; under CI
    they fail."""
    executable = shutil.which("soffice") or shutil.which("libreoffice")
    if executable is None:
        message = (
            "The LibreOffice tests need soffice (`apt-get install libreoffice-writer-nogui`; "
            "`make install-dev` does it as root)."
        )
        if os.environ.get("CI"):
            pytest.fail(message + " Under CI that is a failure.")
        pytest.skip(message)
    return executable


def converted_by_libreoffice(soffice, odt):
    """The .odt `odt` (bytes) as LibreOffice saves it as .docx."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "release.odt"
        source.write_bytes(odt)
        # A profile of its own, so that runs side by side do not share (and lock) one.
        profile = Path(folder, "profile").as_uri()
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "docx",
                "--outdir",
                folder,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return (Path(folder) / "release.docx").read_bytes()


def long_odt_release():
    """A long release written as OpenDocument (odfpy): headings, many paragraphs, lists,
    tables with header rows, images with and without alt text, a quote, the notes."""
    from odf import draw, style, svg, table, text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    quotations = style.Style(name="Quotations", family="paragraph")
    document.styles.addElement(quotations)
    bold = style.Style(name="Bold", family="text")
    bold.addElement(style.TextProperties(fontweight="bold"))
    document.automaticstyles.addElement(bold)
    bullets = text.ListStyle(name="Bullets")
    bullets.addElement(text.ListLevelStyleBullet(level=1, bulletchar="•"))
    numbers = text.ListStyle(name="Numbers")
    numbers.addElement(text.ListLevelStyleNumber(level=1, numformat="1"))
    document.automaticstyles.addElement(bullets)
    document.automaticstyles.addElement(numbers)
    # Pictures in LibreOffice's own "Graphics" frame style, as its Insert > Image makes.
    graphics = style.Style(name="Graphics", family="graphic")
    document.styles.addElement(graphics)
    picture = style.Style(name="Picture", family="graphic", parentstylename=graphics)
    picture.addElement(style.GraphicProperties(wrap="none", verticalpos="top"))
    document.automaticstyles.addElement(picture)
    body = document.text

    def paragraph(words, stylename=None):
        element = text.P(text=words, **({"stylename": stylename} if stylename else {}))
        body.addElement(element)
        return element

    def heading(words, level):
        body.addElement(text.H(outlinelevel=level, text=words))

    def a_list(points, list_style):
        element = text.List(stylename=list_style)
        for point in points:
            item = text.ListItem()
            item.addElement(text.P(text=point))
            element.addElement(item)
        body.addElement(element)

    def a_table(name, rows):
        element = table.Table(name=name)
        element.addElement(table.TableColumn(numbercolumnsrepeated=len(rows[0])))
        header = table.TableHeaderRows()
        for index, values in enumerate(rows):
            row = table.TableRow()
            for value in values:
                cell = table.TableCell()
                cell.addElement(text.P(text=value))
                row.addElement(cell)
            (header if index == 0 else element).addElement(row)
            if index == 0:
                element.addElement(header)
        body.addElement(element)

    def an_image(number, alt_text):
        href = document.addPicture(
            f"Pictures/image{number}.png", mediatype="image/png", content=png(size=(80, 40))
        )
        frame = draw.Frame(
            stylename=picture,
            width="4cm",
            height="2cm",
            anchortype="as-char",
            name=f"Image {number}",
        )
        frame.addElement(draw.Image(href=href))
        if alt_text:
            frame.addElement(svg.Desc(text=alt_text))
        holder = text.P()
        holder.addElement(frame)
        body.addElement(holder)

    heading("Southwark's children's services: Ofsted finds them good", 1)
    paragraph("14 June 2017")
    paragraph("Ofsted has rated Southwark's services for children and families good.")
    lead = paragraph("The inspectors called adoption ")
    lead.addElement(text.Span(stylename=bold, text="outstanding"))
    lead.addText(".")
    heading("What the inspectors found", 2)
    for number in range(1, 31):
        paragraph(f"Finding {number}: the inspectors saw work of quality in area {number}.")
    a_list(["Children are seen alone", "Plans are up to date", "Staff are supported"], "Bullets")
    heading("The ratings", 3)
    a_table("Ratings", [["Area", "Rating"], ["Adoption", "Outstanding"], ["Overall", "Good"]])
    an_image(1, "Staff at the children's services offices")
    heading("What happens next", 2)
    a_list(["Publish an action plan", "Report to the cabinet"], "Numbers")
    paragraph("We are delighted that inspectors recognised our work.", quotations)
    paragraph("– Cllr Victoria Mills, Cabinet Member for Children and Schools", quotations)
    heading("Placements", 3)
    a_table(
        "Placements",
        [["Year", "Foster", "Adoption"], ["2016", "310", "21"], ["2017", "325", "27"]],
    )
    an_image(2, None)
    for number in range(1, 11):
        paragraph(f"Background {number}: the service has grown since {2006 + number}.")
    paragraph("-ENDS-")
    heading("Notes to editors", 2)
    paragraph("The inspection took place between 2 and 25 May 2017.")
    paragraph("Press office: 020 7525 7305")
    stream = io.BytesIO()
    document.write(stream)
    return stream.getvalue()


def test_a_long_release_saved_by_libreoffice_is_imported(soffice, client, news_index, editor):
    data = converted_by_libreoffice(soffice, long_odt_release())

    response = upload(client, news_index, data)

    assert response.status_code == 302, response.content
    page = imported(news_index)
    assert page.title == "Southwark's children's services: Ofsted finds them good"
    assert page.date == datetime.date(2017, 6, 14)
    assert page.summary == ("Ofsted has rated Southwark's services for children and families good.")
    body = body_of(page)
    kinds = [kind for kind, _ in body]
    assert [value["level"] for kind, value in body if kind == "heading"] == [
        "h2",
        "h3",
        "h2",
        "h3",
    ]
    assert body[0] == (
        "paragraph",
        "<p>The inspectors called adoption <b>outstanding</b>.</p>",
    )
    lists = [value for kind, value in body if kind == "list"]
    assert [(value["items"], value["ordered"]) for value in lists] == [
        (["Children are seen alone", "Plans are up to date", "Staff are supported"], False),
        (["Publish an action plan", "Report to the cabinet"], True),
    ]
    tables = [value for kind, value in body if kind == "table"]
    assert [value["rows"] for value in tables] == [
        [["Area", "Rating"], ["Adoption", "Outstanding"], ["Overall", "Good"]],
        [["Year", "Foster", "Adoption"], ["2016", "310", "21"], ["2017", "325", "27"]],
    ]
    assert all(value["first_row_is_header"] for value in tables)
    images = [Image.objects.get(id=value["image"]) for kind, value in body if kind == "image"]
    assert [image.description for image in images] == [
        "Staff at the children's services offices",
        "",
    ]
    [quote] = [value for kind, value in body if kind == "quote"]
    assert quote == {
        "quote": "We are delighted that inspectors recognised our work.",
        "attribution": "Cllr Victoria Mills",
        "role": "Cabinet Member for Children and Schools",
    }
    assert "Background 10" in str(page.body.raw_data)
    assert "ENDS" not in str(page.body.raw_data)
    assert "Press office: 020 7525 7305" in page.notes_to_editors
    assert kinds.count("image") == 2
