"""The admin's release actions: add a page's or snippet's latest draft to a release;
schedule a release, take it off the schedule, or publish it now."""

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST
from wagtail.log_actions import log
from wagtail.models import DraftStateMixin

from . import publishing
from .models import Release, add


def check_may_change_releases(user):
    if not user.has_perm("releases.change_release"):
        raise PermissionDenied


def edit_url(release):
    return reverse("releases:edit", args=[release.pk])


class AddToReleaseForm(forms.Form):
    release = forms.ModelChoiceField(
        queryset=Release.objects.exclude(status=Release.Status.PUBLISHED),
        required=False,
        empty_label="A new release",
        help_text="A release not yet published.",
    )
    new_release_name = forms.CharField(
        max_length=255, required=False, help_text="The new release's name, if a new one."
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("release") and not cleaned.get("new_release_name"):
            raise forms.ValidationError("Choose a release, or name a new one.")
        return cleaned


def object_for(content_type_id, object_id):
    """The page or snippet (with drafts and revisions) to add, or 404."""
    model = get_object_or_404(ContentType, pk=content_type_id).model_class()
    if model is None or not issubclass(model, DraftStateMixin):
        raise Http404
    obj = get_object_or_404(model._default_manager, pk=object_id)
    obj = getattr(obj, "specific", obj)
    if obj.latest_revision_id is None:
        raise Http404
    return obj


def add_to_release(request, content_type_id, object_id):
    check_may_change_releases(request.user)
    obj = object_for(content_type_id, object_id)
    form = AddToReleaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        release = form.cleaned_data["release"] or Release.objects.create(
            name=form.cleaned_data["new_release_name"], created_by=request.user
        )
        item = add(release, obj, request.user)
        log(release, "releases.add_item", user=request.user, data={"item": item.label})
        if release.status == Release.Status.SCHEDULED:  # checked again when scheduled again
            publishing.unschedule(release, request.user)
        messages.success(request, f"'{item.label}' added to the release '{release}': {item.state}.")
        return redirect(edit_url(release))
    return TemplateResponse(request, "releases/add_to_release.html", {"form": form, "object": obj})


@require_POST
def schedule(request, pk):
    check_may_change_releases(request.user)
    release = get_object_or_404(Release, pk=pk)
    if release.go_live_at is None:
        messages.error(request, "Give the release a go-live time, and save it, first.")
        return redirect(edit_url(release))
    try:
        publishing.schedule(release, release.go_live_at, request.user)
    except publishing.NotReady as not_ready:
        messages.error(request, f"The release cannot be scheduled: {not_ready}.")
    else:
        messages.success(request, f"The release '{release}' is scheduled.")
    return redirect(edit_url(release))


@require_POST
def remove_item(request, pk, item_pk):
    check_may_change_releases(request.user)
    release = get_object_or_404(Release.objects.exclude(status=Release.Status.PUBLISHED), pk=pk)
    item = get_object_or_404(release.items, pk=item_pk)
    item.delete()
    log(release, "releases.remove_item", user=request.user, data={"item": item.label})
    messages.success(request, f"'{item.label}' removed from the release '{release}'.")
    return redirect(edit_url(release))


@require_POST
def unschedule(request, pk):
    check_may_change_releases(request.user)
    release = get_object_or_404(Release, pk=pk, status=Release.Status.SCHEDULED)
    publishing.unschedule(release, request.user)
    messages.success(request, f"The release '{release}' is no longer scheduled.")
    return redirect(edit_url(release))


@require_POST
def publish_now(request, pk):
    check_may_change_releases(request.user)
    release = get_object_or_404(Release.objects.exclude(status=Release.Status.PUBLISHED), pk=pk)
    if publishing.publish(release, request.user):
        messages.success(request, f"The release '{release}' is published.")
    else:
        release.refresh_from_db()
        messages.error(request, f"Nothing was published: the release failed. {release.failure}")
    return redirect(edit_url(release))
