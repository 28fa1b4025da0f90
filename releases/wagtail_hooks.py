"""Releases in the admin: a listing (draft, scheduled, published, failed) with each
release's history, its items and their state in its editor, with Schedule, Publish now
and a preview token; and "Add to a release" in every page's and snippet's action menu."""

from django.contrib.contenttypes.models import ContentType
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin import action_menu
from wagtail.admin.panels import FieldPanel, Panel
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import DraftStateMixin
from wagtail.snippets import action_menu as snippet_action_menu

from . import preview, views
from .models import Release

LOG_ACTIONS = {
    "releases.add_item": ("Add an item", "An item's latest draft added"),
    "releases.remove_item": ("Remove an item", "An item removed"),
    "releases.schedule": ("Schedule", "Scheduled"),
    "releases.unschedule": ("Unschedule", "Taken off the schedule"),
    "releases.publish": ("Publish", "Published: every item went live"),
    "releases.fail": ("Fail", "Failed to publish: nothing went live"),
}


class ReleaseItemsPanel(Panel):
    """Its items, each with its state, and what can be done with the release."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "releases/items_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            release = self.instance
            context.update(
                release=release,
                items=list(release.items.select_related("revision")) if release.pk else [],
                preview_token=preview.token_for(release) if release.pk else None,
            )
            return context


class ReleaseViewSet(ModelViewSet):
    model = Release
    icon = "rocket"
    menu_label = "Releases"
    menu_order = 250
    add_to_admin_menu = True
    url_namespace = "releases"
    url_prefix = "releases"
    list_display = ["name", "status", "go_live_at", "published_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    panels = [FieldPanel("name"), FieldPanel("go_live_at"), ReleaseItemsPanel(heading="Items")]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/schedule/", views.schedule, name="schedule"),
            path("<int:pk>/unschedule/", views.unschedule, name="unschedule"),
            path("<int:pk>/remove-item/<int:item_pk>/", views.remove_item, name="remove_item"),
            path("<int:pk>/publish/", views.publish_now, name="publish"),
            path(
                "add-item/<int:content_type_id>/<str:object_id>/",
                views.add_to_release,
                name="add_item",
            ),
        ]


release_viewset = ReleaseViewSet("releases")


@hooks.register("register_admin_viewset")
def register_release_viewset():
    return release_viewset


@hooks.register("register_log_actions")
def register_release_log_actions(actions):
    for action, (label, message) in LOG_ACTIONS.items():
        actions.register_action(action, label, message)


def add_item_url(obj):
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("releases:add_item", args=[content_type.pk, obj.pk])


class AddToReleaseMenuItem(action_menu.ActionMenuItem):
    label = "Add to a release"
    name = "action-add-to-release"
    icon_name = "rocket"

    def is_shown(self, context):
        return (
            context["view"] == "edit"
            and context["request"].user.has_perm("releases.change_release")
            and context["page"].latest_revision_id is not None
        )

    def get_url(self, parent_context):
        return add_item_url(parent_context["page"])


class AddSnippetToReleaseMenuItem(snippet_action_menu.ActionMenuItem):
    label = "Add to a release"
    name = "action-add-to-release"
    icon_name = "rocket"

    def is_shown(self, context):
        instance = context.get("instance")
        return (
            context["view"] == "edit"
            and context["request"].user.has_perm("releases.change_release")
            and instance.latest_revision_id is not None
        )

    def get_url(self, parent_context):
        return add_item_url(parent_context["instance"])


@hooks.register("register_page_action_menu_item")
def register_add_to_release_menu_item():
    return AddToReleaseMenuItem(order=60)


@hooks.register("register_snippet_action_menu_item")
def register_add_snippet_to_release_menu_item(model):
    if issubclass(model, DraftStateMixin):
        return AddSnippetToReleaseMenuItem(order=60)
    return None
