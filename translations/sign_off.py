"""Translations go through the sign-off workflow, as their source does.

wagtail-localize's editor offers only "Publish in <language>", to those who may publish
(an Editor's POST of it is refused there, with PermissionDenied); it has no way to submit
a translation for moderation (wagtail-localize views/edit_translation.py: `edit_translation`
handles `action=publish` alone). Here the editor gains "Submit for sign-off": the
translation as it stands is saved as its latest revision (a draft) and its workflow
starts, or resumes where a Moderator asked for changes; a Moderator approves it as any
other page or snippet (the dashboard's "Awaiting your review"), which publishes it. So for
pages and for the snippets signed off as their sources are (testimonials, inspections:
WorkflowMixin, with the workflow assigned to their types).

A Moderator's "Publish in <language>" there closes the sign-off in progress on it, in the
Moderator's name, as Wagtail's own Publish does (wagtail-localize publishes with no user,
so Wagtail would cancel it in nobody's name).

Its other ways to publish are closed to those who may not publish: a page submitted for
translation starts as a draft (WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE, in the
settings), and "Sync translated pages" with "Publish immediately" is refused them
(wagtail-localize's UpdateTranslationsView publishes every translation, unchecked).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils.text import slugify
from wagtail.coreutils import find_available_slug
from wagtail.models import Page, WorkflowMixin, WorkflowState
from wagtail.snippets.permissions import get_permission_name
from wagtail_localize.models import Translation, TranslationSource
from wagtail_localize.views.edit_translation import edit_translation
from wagtail_localize.views.update_translations import UpdateTranslationsView

SUBMIT = "translations-submit-for-sign-off"


def translation_of(instance):
    """The wagtail-localize translation `instance` (a page or snippet) is the target of,
    or None."""
    return Translation.objects.filter(
        source__object_id=instance.translation_key,
        target_locale_id=instance.locale_id,
        enabled=True,
    ).first()


def is_signed_off(instance):
    """Whether `instance` goes through a sign-off workflow: pages, and snippets with one."""
    return isinstance(instance, (Page, WorkflowMixin))


def may_submit(user, instance):
    """Whether `user` may submit `instance` for sign-off, as Wagtail's own "Submit for
    moderation" is offered: it has a workflow, none in progress, and no lock against them."""
    if isinstance(instance, Page):
        return instance.permissions_for_user(user).can_submit_for_moderation()
    lock = instance.get_lock()
    return (
        user.has_perm(get_permission_name("change", type(instance)))
        and instance.has_workflow
        and not instance.workflow_in_progress
        and not (lock and lock.for_user(user))
    )


def display_name(instance):
    if isinstance(instance, Page):
        return instance.get_admin_display_title()
    return str(instance)


def submit_for_sign_off(request, translation, instance):
    """Save the translation as a draft of `instance` and put it in its sign-off workflow."""
    if not may_submit(request.user, instance):
        raise PermissionDenied
    locale = translation.target_locale.get_display_name()
    try:
        save_draft(translation, instance, request.user)
    except ValidationError as error:
        messages.error(
            request,
            f"The translation into {locale} cannot be saved yet: {' '.join(error.messages)}",
        )
        return redirect(request.path)
    instance = type(instance)._default_manager.get(pk=instance.pk)
    state = instance.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(request.user)
    elif state is None:
        instance.get_workflow().start(instance, request.user)
    messages.success(
        request,
        f"'{display_name(instance)}' in {locale} submitted for sign-off: "
        "it is published once a Moderator approves it.",
    )
    return redirect(request.path)


def publish_closing_sign_off(request, translation, instance):
    """wagtail-localize's "Publish in <language>", with the sign-off in progress on
    `instance` cancelled by the publisher once the translation is saved to be published."""
    state = instance.current_workflow_state if is_signed_off(instance) else None
    if state is None or not getattr(settings, "WAGTAIL_WORKFLOW_CANCEL_ON_PUBLISH", True):
        return edit_translation(request, translation, instance)
    revision_before = instance.latest_revision_id
    # wagtail-localize publishes on commit: within this block, the sign-off closes first.
    with transaction.atomic():
        response = edit_translation(request, translation, instance)
        instance.refresh_from_db(fields=["latest_revision"])
        if instance.latest_revision_id != revision_before:  # saved, not refused as invalid
            state.cancel(user=request.user)
    return response


def save_draft(translation, instance, user):
    """The translation as it stands, as the latest revision of `instance`.
    wagtail-localize's `save_target(publish=False)` also saves it to the row (and takes a
    snippet offline), which for a live page or snippet is what readers are served: a live
    one's draft goes to a revision alone, as Wagtail's own editor saves one."""
    if not instance.live:
        translation.save_target(user=user, publish=False)
        return
    draft = translation.source.get_ephemeral_translated_instance(
        translation.target_locale, fallback=True
    )
    if isinstance(draft, Page):
        # The translated slug made valid and free, as `save_target` makes it.
        draft.slug = find_available_slug(
            draft.get_parent(), slugify(draft.slug), ignore_page_id=draft.pk
        )
    draft.save_revision(user=user, log_action=True)


def may_publish_every_translation(user, source):
    """Whether `user` may publish each translation "Sync translated pages" would publish."""
    for translation in source.translations.filter(enabled=True):
        target = translation.get_target_instance()
        if isinstance(target, Page):
            if not target.permissions_for_user(user).can_publish():
                return False
        elif not user.has_perm(f"{target._meta.app_label}.publish_{target._meta.model_name}"):
            return False
    return True


def sync_translations(request, translation_source_id):
    """wagtail-localize's "Sync translated pages", with "Publish immediately" refused to
    those who may not publish every translation."""
    source = get_object_or_404(TranslationSource, pk=translation_source_id)
    publishing = request.method == "POST" and request.POST.get("publish_translations")
    if publishing and not may_publish_every_translation(request.user, source):
        messages.error(
            request,
            "Only a Moderator may publish translations immediately: sync them without "
            "publishing, then submit each for sign-off.",
        )
        return redirect(request.get_full_path())
    return UpdateTranslationsView.as_view()(request, translation_source_id=translation_source_id)
