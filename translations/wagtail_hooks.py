from django.urls import path
from wagtail import hooks

from . import po_files, sign_off


@hooks.register("before_edit_page", order=-1)  # before wagtail-localize's editor takes over
def submit_a_translation_for_sign_off(request, page):
    if request.method == "POST" and sign_off.SUBMIT in request.POST:
        translation = sign_off.translation_of(page)
        if translation is not None:
            return sign_off.submit_for_sign_off(request, translation, page)
    return None


@hooks.register("register_admin_urls", order=-1)
def check_uploaded_po_files_first():
    # The path of wagtail-localize's `upload_pofile` (its editor posts there, by that URL's
    # name): Django answers the first pattern that matches, so this view answers it.
    return [
        path(
            "localize/translate/<int:translation_id>/pofile/upload/",
            po_files.checked_upload_pofile,
            name="translations_upload_pofile",
        )
    ]
