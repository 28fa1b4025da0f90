from django.urls import path
from wagtail import hooks

from . import po_files, sign_off


# Before wagtail-localize's editor takes over the edit views of translations.
@hooks.register("before_edit_page", order=-1)
@hooks.register("before_edit_snippet", order=-1)
def sign_off_a_translation(request, instance):
    if request.method != "POST" or not sign_off.is_signed_off(instance):
        return None
    translation = sign_off.translation_of(instance)
    if translation is None:
        return None
    if sign_off.SUBMIT in request.POST:
        return sign_off.submit_for_sign_off(request, translation, instance)
    if request.POST.get("action") == "publish":
        return sign_off.publish_closing_sign_off(request, translation, instance)
    return None


@hooks.register("register_admin_urls", order=-1)
def check_before_wagtail_localize():
    # The paths of wagtail-localize's `upload_pofile` and `update_translations` (its admin
    # links there by their URLs' names): Django answers the first pattern that matches, so
    # these views answer them, then hand on to wagtail-localize's.
    return [
        path(
            "localize/translate/<int:translation_id>/pofile/upload/",
            po_files.checked_upload_pofile,
            name="translations_upload_pofile",
        ),
        path(
            "localize/update/<int:translation_source_id>/",
            sign_off.sync_translations,
            name="translations_sync",
        ),
    ]
