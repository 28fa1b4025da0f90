"""Uploading a translated PO file: checked before wagtail-localize imports it.

wagtail-localize's `upload_pofile` (views/edit_translation.py) refuses a file it cannot
parse and one whose X-WagtailLocalize-TranslationID is another translation's, but
answers a 500 for a PO file without that header, and imports a file made from an older
version of the source as far as its texts still match, saying "Successfully imported".
Here a file is imported only if it is for this translation and holds exactly the source's
texts as they are now; anything else gets a message saying what is wrong and changes
nothing. The accepted file goes on to wagtail-localize's own view.
"""

import contextlib
import os
import tempfile

import polib
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail_localize.models import StringSegment, Translation
from wagtail_localize.views.edit_translation import upload_pofile, user_can_edit_instance

TRANSLATION_ID = "X-WagtailLocalize-TranslationID"


class Refused(Exception):
    """A PO file not imported: the message says why, for the person who uploaded it."""


def read_po(uploaded):
    """The uploaded file as polib reads it. polib.pofile takes a path or the text, and
    would read a file named by an upload's text: so it reads a copy on disk."""
    unreadable = Refused(
        "This is not a PO file this editor can read: download the PO file again, "
        "translate it and upload it as it is."
    )
    with tempfile.NamedTemporaryFile(delete=False) as copy:
        copy.write(uploaded.read())
    uploaded.seek(0)
    try:
        po = polib.pofile(copy.name)
    except (OSError, UnicodeDecodeError) as error:  # polib's parse errors are OSErrors
        raise unreadable from error
    finally:
        with contextlib.suppress(OSError):
            os.unlink(copy.name)
    if not po.metadata and not len(po):  # polib reads plain text as an empty PO file
        raise unreadable
    return po


def check(po, translation):
    """Refuse a PO file made for another translation, or from another version of the
    source than the one being translated."""
    made_for = po.metadata.get(TRANSLATION_ID)
    if made_for is None:
        raise Refused(
            "This PO file was not downloaded from this editor: it does not say which "
            "translation it is for. Download the PO file again and translate that."
        )
    if made_for != str(translation.uuid):
        other = Translation.objects.filter(uuid=made_for).select_related("source").first()
        which = (
            f"'{other.source.object_repr}' in {other.target_locale.get_display_name()}"
            if other
            else "a translation that no longer exists"
        )
        raise Refused(f"This PO file is for {which}, not this one: nothing was imported.")
    current = set(
        StringSegment.objects.filter(source=translation.source).values_list(
            "context__path", "string__data"
        )
    )
    in_file = {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}
    if in_file != current:
        raise Refused(
            f"This PO file was made from an older version of '{translation.source.object_repr}':"
            f" {len(in_file - current) + len(current - in_file)} of its texts differ from the"
            " page's now. Nothing was imported: download the PO file again and translate that."
        )


@require_POST
def checked_upload_pofile(request, translation_id):
    translation = get_object_or_404(Translation, id=translation_id)
    if not user_can_edit_instance(request.user, translation.get_target_instance()):
        raise PermissionDenied
    uploaded = request.FILES.get("file")
    try:
        if uploaded is None:
            raise Refused("Choose a PO file to upload.")
        check(read_po(uploaded), translation)
    except Refused as refused:
        messages.error(request, str(refused))
        return redirect(get_valid_next_url_from_request(request) or reverse("wagtailadmin_home"))
    return upload_pofile(request, translation_id)
