"""A press release written in Word (.docx) becomes a draft news page.

The press office writes releases in Word; `import_press_release` turns one into a draft
`NewsPage` under the news index, never published: the editor reviews it and submits it
for sign-off as any other draft (news/views.py is the admin's upload form).

The file is checked before anything reads it (`check_word_file`): what is not a .docx, a
macro-enabled or password-protected one, a damaged one, and a zip bomb are refused with
the reason, and nothing is saved. mammoth (a well-kept converter that reads the document's
structure, not its looks) turns it into plain HTML by its styles (STYLE_MAP); that HTML is
mapped here to the news page's own fields and blocks:

- title: the "Title" paragraph, else the first "Heading 1", else the document's title
  property (else its file name, flagged);
- date: a date line near the top (else today's, flagged), taken out of the story;
- summary: the first paragraph, taken out of the story (the page shows it as its lead);
- body: headings at levels 2 to 4 (a skipped level mended, and said), paragraphs with
  bold, italic and links, lists, quotes ("Quote" style; a last line "- Name, role" is the
  attribution), tables (the table block, its header row marked) and images (Wagtail images
  with the document's alt text; one without cannot be published until given one);
- notes to editors: from a line "ENDS", "Notes to editors" or a press contact heading to
  the end, kept apart in their own field.

What the import assumed or changed is said to the editor and kept in the page's history
(the "Imported from Word" entry).
"""

import datetime
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from html import unescape
from pathlib import PurePath

import mammoth
from bs4 import BeautifulSoup, NavigableString, Tag
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from wagtail.coreutils import find_available_slug
from wagtail.images import get_image_model
from wagtail.images.fields import WagtailImageField
from wagtail.log_actions import log
from wagtail.models import Collection
from wagtail.rich_text import RichText

from .models import FEED_SLUGS, NewsPage

IMPORT_ACTION = "news.word_import"

# A .docx is a zip of XML parts; [Content_Types].xml names the main part's type, which
# says what the document is (an .xlsx or .pptx is a zip too).
WORD_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_DOCUMENT = "application/vnd.ms-word.document.macroEnabled.main+xml"
ZIP_SIGNATURE = b"PK\x03\x04"
# Word saves a password-protected .docx as an OLE compound file holding the encrypted
# package (MS-OFFCRYPTO), as are the old binary .doc files: told apart by that stream's
# name, stored in UTF-16 in the container's directory.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

# Zip bombs: the sizes a zip declares are checked before any part is read. Python's
# zipfile never unpacks more of a part than its declared size (and fails its CRC check if
# the data says otherwise), so the declared sizes bound what is read. A real release,
# images and all, unpacks to a few times its size; text parts compress up to about 20:1.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_PARTS = 2000
MAX_RATIO = 100
# Below this size a part's ratio does not matter: it cannot unpack to much.
RATIO_CHECKED_FROM = 1024 * 1024
# How reading a damaged zip fails: a bad header or checksum, data zlib cannot inflate, a
# part encrypted on its own or packed in a way Python does not read (RuntimeError, and its
# NotImplementedError).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
)

# Word's styles, as mammoth maps them (its defaults do Heading 1-6, lists and tables):
# LibreOffice saves its "Quotations" style by that name.
STYLE_MAP = """
p[style-name='Title'] => h1.title:fresh
p[style-name='Subtitle'] => p:fresh
p[style-name='Quote'] => blockquote > p:fresh
p[style-name='Intense Quote'] => blockquote > p:fresh
p[style-name='Quotations'] => blockquote > p:fresh
p[style-name='Caption'] => p.caption:fresh
"""
IMAGE_SOURCE = "word-image:"
CORE_PROPERTIES = "docProps/core.xml"
CORE_TITLE = re.compile(r"<dc:title>([^<]*)</dc:title>")

# The line that ends a release's story, and the headings of what follows it.
ENDS_LINE = re.compile(r"^[\s\-–—#*]*ends[\s\-–—#*.]*$", re.IGNORECASE)
NOTES_HEADING = re.compile(
    r"^(?:notes? (?:to|for) (?:editors?|journalists)|for (?:more|further) information"
    r"|contacts?)\s*:?\s*$"
    r"|^(?:media|press) (?:enquiries|contacts?|office)\b.{0,80}$",
    re.IGNORECASE,
)
# Lines above the story that label the document rather than tell the news.
RELEASE_LABEL = re.compile(
    r"^(for immediate release|press release|news release|media release)[\s.:–—-]*$",
    re.IGNORECASE,
)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{MONTH},?\s+(\d{{4}})\b", re.I)
MONTH_DAY_YEAR = re.compile(rf"\b{MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
# Numeric dates are read the British way: 14/06/2017 is 14 June.
NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# A date line is short ("Wednesday 14 June 2017", "Date: 14/06/2017") and is one of the
# first few paragraphs: a date inside the story's sentences is not the release's.
DATE_LINE_MAX_CHARS = 80
DATE_LINE_WITHIN = 3

HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
MAX_HEADING_LEVEL = 4
LIST_POINT_MAX_CHARS = 500
MAX_COLUMNS = 50
QUOTE_MARKS = "\"'“”‘’« »"
ATTRIBUTION_DASH = re.compile(r"^\s*[-–—]+\s*")


class ImportRefused(Exception):
    """Why a file cannot be imported, in words for the editor."""


@dataclass
class WordImage:
    content: bytes
    content_type: str
    alt_text: str
    caption: str = ""
    refused: str = ""  # why Wagtail's image field refused it
    saved: object = None  # the Wagtail image, once saved


@dataclass
class PressRelease:
    """What a document says, mapped to a news page's fields, before anything is saved."""

    title: str
    date: datetime.date
    summary: str
    body: list  # (block type, value) pairs; an image's value holds its WordImage
    notes_to_editors: str
    images: list
    notes: list = field(default_factory=list)  # what the editor should know


# Checking the file ---------------------------------------------------------------------------


def upload_limit():
    """The largest file that may be imported: a document's upload limit."""
    return settings.WAGTAILDOCS_MAX_UPLOAD_SIZE


def check_word_file(name, data):
    """Refuse (ImportRefused) what is not a .docx this import can safely read."""
    if len(data) > upload_limit():
        raise ImportRefused(
            f"The file is {filesizeformat(len(data))}: the largest that can be imported is "
            f"{filesizeformat(upload_limit())}."
        )
    if PurePath(name).suffix.lower() == ".docm" or data.startswith(OLE_SIGNATURE):
        refuse_other_office_file(name, data)
    if not data.startswith(ZIP_SIGNATURE):
        raise ImportRefused(
            "This is not a Word document (.docx). In Word, choose File > Save As > "
            "Word Document (.docx), then upload that."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_unpacked_sizes(archive)
            check_content_type(archive)
            # Reads every part, checking it against its checksum: a damaged file fails
            # here rather than halfway through the conversion.
            damaged = archive.testzip()
    except ZIP_ERRORS as error:
        raise ImportRefused(damaged_message()) from error
    if damaged is not None:
        raise ImportRefused(damaged_message())


def refuse_other_office_file(name, data):
    if data.startswith(OLE_SIGNATURE) and ENCRYPTED_PACKAGE in data:
        raise ImportRefused(
            "This document is protected by a password, so it cannot be read. In Word, remove "
            "the password (File > Info > Protect Document > Encrypt with Password, and clear "
            "it), save, and upload it again."
        )
    if data.startswith(OLE_SIGNATURE):
        raise ImportRefused(
            "This is an older Word document (.doc) or another Office file, not a .docx. In "
            "Word, choose File > Save As > Word Document (.docx), then upload that."
        )
    raise ImportRefused(macro_message())


def macro_message():
    return (
        "This is a macro-enabled document (.docm), which is not imported: macros can run "
        "code. In Word, choose File > Save As > Word Document (.docx), then upload that."
    )


def damaged_message():
    return (
        "This Word document is damaged and cannot be read. Open it in Word, save it again "
        "as a Word Document (.docx), and upload that."
    )


def check_unpacked_sizes(archive):
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise ImportRefused(zip_bomb_message(f"it holds {len(parts)} parts"))
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportRefused(zip_bomb_message(f"it would unpack to {filesizeformat(unpacked)}"))
    for part in parts:
        if part.file_size >= RATIO_CHECKED_FROM and part.file_size > MAX_RATIO * max(
            part.compress_size, 1
        ):
            raise ImportRefused(
                zip_bomb_message(
                    f"a part of it would unpack to {part.file_size // max(part.compress_size, 1)}"
                    " times its size"
                )
            )


def zip_bomb_message(why):
    return (
        f"This file was not read: {why}, which no press release does (it may be a 'zip "
        "bomb', made to fill the server). Save the document again from Word and upload that."
    )


def check_content_type(archive):
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names:
        raise ImportRefused(
            "This is not a Word document (.docx), although it is a zip file. In Word, choose "
            "File > Save As > Word Document (.docx), then upload that."
        )
    content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    if MACRO_DOCUMENT in content_types or "word/vbaProject.bin" in names:
        raise ImportRefused(macro_message())
    if WORD_DOCUMENT not in content_types:
        raise ImportRefused(
            "This is another kind of Office file, not a Word document (.docx). Copy the "
            "release into Word, save it as a Word Document (.docx), and upload that."
        )


# Reading the document ------------------------------------------------------------------------


def read_press_release(name, data):
    """The release `data` holds (a checked .docx), as a PressRelease; nothing is saved."""
    images = []

    def keep_image(image):
        # Images are kept in memory until the page is saved: a refusal leaves no file.
        with image.open() as stream:
            content = stream.read()
        images.append(WordImage(content, image.content_type, (image.alt_text or "").strip()))
        return {"src": f"{IMAGE_SOURCE}{len(images) - 1}"}

    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data),
            style_map=STYLE_MAP,
            convert_image=mammoth.images.img_element(keep_image),
        )
    except Exception as error:
        # mammoth fails in several ways (a missing part, XML it cannot parse) on a file
        # that passed the zip's own checks: each means the same to the editor.
        raise ImportRefused(damaged_message()) from error
    return Reader(name, data, images).read(result.value)


class Reader:
    """Maps mammoth's HTML to a press release, top-level element by element."""

    def __init__(self, name, data, images):
        self.name = name
        self.data = data
        self.images = images
        self.notes = []

    def read(self, html):
        soup = BeautifulSoup(html, "html.parser")
        items = [item for element in top_level(soup) for item in self.items_of(element)]
        if not any(text_of(item) for item in items if item[0] != "image"):
            raise ImportRefused(
                "This document has no text to import. Check that it is the press release, "
                "then upload it again."
            )
        title, items = self.take_title(items)
        story, notes_part = split_off_notes(items)
        date, story = self.take_date(story)
        summary, story = self.take_summary(story)
        body = self.body_of(story)
        used_images = [value["image"] for kind, value in body if kind == "image"]
        notes_html = self.notes_html(notes_part)
        return PressRelease(
            title=title,
            date=date,
            summary=summary,
            body=body,
            notes_to_editors=notes_html,
            images=used_images,
            notes=self.notes,
        )

    # Elements to items: ("heading", level, text), ("paragraph", html), ("list", element),
    # ("quote", [lines]), ("table", element), ("image", WordImage)

    def items_of(self, element):
        if element.name in HEADING_TAGS:
            text = plain_text(element)
            if text:
                title_style = "title" in element.get("class", [])
                yield ("heading", 0 if title_style else int(element.name[1]), text)
        elif element.name == "p":
            yield from self.paragraph_items(element)
        elif element.name in ("ul", "ol"):
            yield ("list", element)
        elif element.name == "blockquote":
            lines = [plain_text(p) for p in element.find_all("p")] or [plain_text(element)]
            if any(lines):
                yield ("quote", [line for line in lines if line])
        elif element.name == "table":
            yield ("table", element)
        elif element.name == "img":
            # An image in a frame of its own (as LibreOffice saves one) is not in a paragraph.
            yield from self.image_items([element])
        # mammoth writes nothing else at the top level: anything else is left out.

    def paragraph_items(self, paragraph):
        images = paragraph.find_all("img")
        for img in images:
            img.extract()
        caption = "caption" in paragraph.get("class", [])
        if plain_text(paragraph) and not caption:
            yield ("paragraph", paragraph)
        yield from self.image_items(images)
        # A caption goes under the image before it (or in it: LibreOffice's frames).
        if plain_text(paragraph) and caption:
            yield ("caption", plain_text(paragraph))

    def image_items(self, images):
        # Every image's source is the one keep_image gave it.
        for img in images:
            yield ("image", self.images[int(img["src"].removeprefix(IMAGE_SOURCE))])

    # The parts of the page

    def take_title(self, items):
        # Word's "Title" style first (level 0 above), else the first Heading 1.
        for wanted in (0, 1):
            for index, item in enumerate(items):
                if item[0] == "heading" and item[1] == wanted:
                    return item[2][:255], items[:index] + items[index + 1 :]
        title = document_title(self.data)
        if title:
            self.notes.append(
                f"The title is the document's title property, “{title}”: the document has no "
                "Title or Heading 1 line. Check it."
            )
            return title[:255], items
        title = PurePath(self.name).stem.replace("_", " ").strip() or "Press release"
        self.notes.append(
            f"The title is the file's name, “{title}”: the document has no Title or Heading 1 "
            "line. Give the page its headline."
        )
        return title[:255], items

    def take_date(self, story):
        # The date line and any "Press release" label are among the first paragraphs.
        date = None
        kept = []
        for index, item in enumerate(story):
            text = text_of(item)
            if index < DATE_LINE_WITHIN and item[0] == "paragraph":
                if RELEASE_LABEL.match(text):
                    continue
                if date is None and len(text) <= DATE_LINE_MAX_CHARS:
                    date = date_in(text)
                    if date is not None:
                        continue
            kept.append(item)
        if date is None:
            date = timezone.localdate()
            self.notes.append(
                f"No date line was found near the top of the document, so the date is today's "
                f"({date.day} {date:%B %Y}): change it to the day of the release."
            )
        return date, kept

    def take_summary(self, story):
        for index, item in enumerate(story):
            if item[0] == "paragraph":
                return text_of(item), story[:index] + story[index + 1 :]
        self.notes.append(
            "The document has no paragraph to take the summary from: the summary is its "
            "title. Write one or two sentences for lists and feeds."
        )
        return "", story

    def body_of(self, story):
        body = []
        heading_levels = HeadingLevels(self.notes)
        table_count = 0
        for index, item in enumerate(story):
            kind = item[0]
            if kind == "heading":
                level = heading_levels.level_for(item[1], item[2])
                body.append(("heading", {"text": item[2][:255], "level": f"h{level}"}))
            elif kind == "paragraph":
                add_rich_text(body, rich_text_of(item[1]))
            elif kind == "list":
                block = list_block(item[1])
                if block is None:
                    add_rich_text(body, rich_list_of(item[1]))
                else:
                    body.append(block)
            elif kind == "quote":
                body.append(("quote", quote_of(item[1])))
            elif kind == "table":
                table = self.table_of(item[1], table_count + 1)
                if table is not None:
                    table_count += 1
                    body.append(("table", table))
            elif kind == "image":
                image = item[1]
                following = story[index + 1] if index + 1 < len(story) else None
                if following is not None and following[0] == "caption":
                    image.caption = following[1][:255]
                body.append(("image", {"image": image, "caption": image.caption}))
            # A caption that follows no image is kept as a paragraph of the story.
            elif kind == "caption" and not (index and story[index - 1][0] == "image"):
                add_rich_text(body, f"<p>{escape(item[1])}</p>")
        return [
            (kind, RichText("".join(value)) if kind == "paragraph" else value)
            for kind, value in body
        ]

    def table_of(self, table, number):
        rows = []
        header_row = False
        for index, tr in enumerate(table.find_all("tr")):
            cells = []
            for cell in tr.find_all(("td", "th"), recursive=False):
                # A merged cell covers several columns: its neighbours in the grid are empty.
                # (The document gives the span: a few columns, not a million.)
                span = min(int(cell.get("colspan", 1)), MAX_COLUMNS)
                cells.extend([plain_text(cell)[:1000]] + [""] * (span - 1))
            if index == 0:
                header_row = bool(tr.find_all("th"))
            rows.append(cells)
        if not any(cell for row in rows for cell in row):
            return None
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        if not header_row:
            self.notes.append(
                f"Table {number}'s first row is taken as its header row (Word did not mark "
                "one): untick “First row is a header” if it is not."
            )
        return {
            "caption": "",
            "first_row_is_header": True,
            "first_column_is_header": False,
            "rows": rows,
        }

    def notes_html(self, notes_part):
        html = []
        for item in notes_part:
            kind = item[0]
            if kind == "heading":
                html.append(f"<p><b>{escape(item[2])}</b></p>")
            elif kind == "paragraph":
                html.append(rich_text_of(item[1]))
            elif kind == "list":
                html.append(rich_list_of(item[1]))
            elif kind in ("quote", "caption"):
                lines = item[1] if kind == "quote" else [item[1]]
                html.extend(f"<p>{escape(line)}</p>" for line in lines)
            elif kind == "table":
                for tr in item[1].find_all("tr"):
                    cells = [plain_text(cell) for cell in tr.find_all(("td", "th"))]
                    html.append(f"<p>{escape(' – '.join(cell for cell in cells if cell))}</p>")
            else:  # an image
                self.notes.append(
                    "An image in the notes to editors was left out: add it to the story if "
                    "it belongs there."
                )
        return "".join(html)


class HeadingLevels:
    """The page's title is its h1, and body headings are h2 to h4 without a skipped level
    (home/blocks.py): the document's headings are moved up to start at level 2, and one
    that would skip a level or go below 4 is mended, and the editor told."""

    def __init__(self, notes):
        self.notes = notes
        self.shift = None
        self.previous = 1

    def level_for(self, document_level, text):
        if self.shift is None:
            # The story's first heading is a section (h2), whatever level Word gave it.
            self.shift = max(document_level, 1) - 2
        wanted = max(2, document_level - self.shift)
        level = min(wanted, self.previous + 1, MAX_HEADING_LEVEL)
        if level != wanted:
            self.notes.append(
                f"The heading “{text}” is at level {level}, not {wanted}: headings may not "
                "skip a level, and go down to level 4. Check the outline."
            )
        self.previous = level
        return level


def split_off_notes(items):
    """The story, and what follows its end: from "ENDS" or a notes or contacts heading."""
    for index, item in enumerate(items):
        text = text_of(item)
        if item[0] not in ("heading", "paragraph"):
            continue
        if ENDS_LINE.match(text):
            return items[:index], items[index + 1 :]
        if NOTES_HEADING.match(text):
            return items[:index], items[index:]
    return items, []


def date_in(text):
    """The date a short line gives, or None."""
    for pattern, order in (
        (DAY_MONTH_YEAR, "dmy"),
        (MONTH_DAY_YEAR, "mdy"),
        (NUMERIC_DATE, "dMy"),
        (ISO_DATE, "yMd"),
    ):
        match = pattern.search(text)
        if match is None:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        month = MONTHS[parts["m"].lower()] if "m" in parts else int(parts["M"])
        try:
            return datetime.date(int(parts["y"]), month, int(parts["d"]))
        except ValueError:
            return None
    return None


def document_title(data):
    """The document's title property (docProps/core.xml, checked above), or ''."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        core = archive.read(CORE_PROPERTIES) if CORE_PROPERTIES in names else b""
    # One element of plain text: read without an XML parser (and its entity expansion).
    title = CORE_TITLE.search(core.decode("utf-8", "replace"))
    return " ".join(unescape(title[1]).split()) if title else ""


# HTML to the blocks' values ------------------------------------------------------------------


def top_level(soup):
    return [child for child in soup.children if isinstance(child, Tag)]


def plain_text(element):
    return " ".join(element.get_text(" ").split())


def text_of(item):
    kind = item[0]
    if kind == "heading":
        return item[2]
    if kind in ("paragraph", "list", "table"):
        return plain_text(item[1])
    if kind == "quote":
        return " ".join(item[1])
    if kind == "caption":
        return item[1]
    return "(image)"


def add_rich_text(body, html):
    # Paragraphs that follow one another make one paragraph block, as an editor types them.
    if body and body[-1][0] == "paragraph":
        body[-1][1].append(html)
    else:
        body.append(("paragraph", [html]))


def rich_text_of(paragraph):
    """A paragraph as the rich text the paragraph block stores: bold, italic, links to web
    and e-mail addresses, and line breaks; nothing else (rich_list_of does lists)."""
    return f"<p>{inline_html(paragraph).strip()}</p>"


def rich_list_of(element):
    tag = element.name
    items = []
    for li in element.find_all("li", recursive=False):
        nested = li.find_all(("ul", "ol"), recursive=False)
        for child in nested:
            child.extract()
        inner = inline_html(li).strip()
        items.append(f"<li>{inner}{''.join(rich_list_of(child) for child in nested)}</li>")
    return f"<{tag}>{''.join(items)}</{tag}>"


def inline_html(element):
    html = []
    for child in element.children:
        if isinstance(child, NavigableString):
            html.append(escape(str(child)))
        elif child.name in ("strong", "b"):
            html.append(wrapped("b", inline_html(child)))
        elif child.name in ("em", "i"):
            html.append(wrapped("i", inline_html(child)))
        elif child.name == "br":
            html.append("<br/>")
        elif child.name == "a" and web_address(child.get("href", "")):
            html.append(f'<a href="{escape(child["href"])}">{inline_html(child)}</a>')
        else:
            # Underline, superscript, a bookmark's link, a footnote's mark: their words stay.
            html.append(inline_html(child))
    return "".join(html)


def wrapped(tag, inner):
    return f"<{tag}>{inner}</{tag}>" if inner.strip() else inner


def web_address(href):
    return href.startswith(("https://", "http://", "mailto:"))


def list_block(element):
    """The list block for a plain list, or None for a list with nested points, formatting
    or links, or a point too long for the block: that stays rich text, keeping them."""
    points = [plain_text(li) for li in element.find_all("li", recursive=False)]
    nested = element.find(("ul", "ol", "a", "strong", "em"))
    if nested is None and all(0 < len(point) <= LIST_POINT_MAX_CHARS for point in points):
        return ("list", {"items": points, "ordered": element.name == "ol"})
    return None


def quote_of(lines):
    """A quote block: its last line is the attribution when it starts with a dash
    ("– Cllr Jasmine Ali, Cabinet Member for Children"), the words after the first comma
    the role."""
    attribution = role = ""
    if len(lines) > 1 and ATTRIBUTION_DASH.match(lines[-1]):
        who = ATTRIBUTION_DASH.sub("", lines[-1])
        attribution, _, role = (part.strip() for part in who.partition(","))
        lines = lines[:-1]
    quote = "\n\n".join(lines).strip().strip(QUOTE_MARKS).strip()
    return {"quote": quote, "attribution": attribution[:255], "role": role[:255]}


# Saving the draft ----------------------------------------------------------------------------


def import_press_release(name, data, parent, user):
    """Check `data` (the uploaded file `name`), read it, and save it as a draft news page
    under `parent` by `user`, with its images; return (page, notes). Refused
    (ImportRefused), nothing is saved."""
    check_word_file(name, data)
    release = read_press_release(name, data)
    image_files = [checked_image(image, number) for number, image in enumerate(release.images, 1)]
    saved_images = []
    try:
        with transaction.atomic():
            for image, image_file in zip(release.images, image_files, strict=True):
                if image_file is not None:
                    saved_images.append(save_image(image, image_file, release.title, user))
            page = save_draft(release, saved_images, parent, user, name)
    except BaseException:
        # The database rolls back; the image files it pointed to are stored apart.
        for image in saved_images:
            image.file.delete(save=False)
        raise
    return page, release.notes


def checked_image(image, number):
    """The image as an upload Wagtail's own image field accepts (its formats, its size and
    pixel limits), or None, with a note, for one it refuses."""
    extension = image.content_type.rpartition("/")[2].lower()
    upload = SimpleUploadedFile(f"image-{number}.{extension}", image.content)
    try:
        return WagtailImageField().clean(upload)
    except ValidationError as error:
        image.refused = " ".join(error.messages)
        return None


def save_image(image, image_file, title, user):
    saved = get_image_model()(
        title=(image.alt_text or f"{title} (image from Word)")[:255],
        description=image.alt_text,
        collection=Collection.get_first_root_node(),
        uploaded_by_user=user,
        file=ImageFile(io.BytesIO(image.content), name=image_file.name),
    )
    saved.save()
    image.saved = saved
    return saved


def save_draft(release, saved_images, parent, user, name):
    body = []
    notes = release.notes
    for kind, value in release.body:
        if kind != "image":
            body.append((kind, value))
            continue
        image = value["image"]
        number = next(n for n, kept in enumerate(release.images, 1) if kept is image)
        if image.saved is None:
            notes.append(
                f"Image {number} of the document ({image.content_type}) was left out: "
                f"{image.refused} Add it by hand."
            )
            continue
        if not image.alt_text:
            # The image block refuses an image without alt text (home/blocks.py): the page
            # is saved as a draft here, and cannot be submitted or published until then.
            notes.append(
                f"Image {number} of the document has no alt text: the page cannot be "
                "published until it has. Add it in Images (its “Alt text”)."
            )
        body.append(("image", {"image": image.saved, "caption": value["caption"]}))
    slug = slugify(release.title)[:80].strip("-") or "press-release"
    if slug in FEED_SLUGS:
        slug = f"{slug}-release"
    page = NewsPage(
        title=release.title,
        draft_title=release.title,
        slug=find_available_slug(parent, slug),
        date=release.date,
        summary=release.summary or release.title,
        body=body,
        notes_to_editors=release.notes_to_editors,
        live=False,
        owner=user,
        locale=parent.locale,
    )
    parent.add_child(instance=page)
    page.save_revision(user=user, log_action=False)
    log(instance=page, action="wagtail.create", user=user)
    log(
        instance=page,
        action=IMPORT_ACTION,
        user=user,
        data={"file": name, "notes": notes},
    )
    return page
