from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin import action_menu
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.views.home import WorkflowObjectsToModeratePanel
from wagtail.snippets import action_menu as snippet_action_menu

from . import sign_off, views
from .models import DUE_SOON_DAYS
from .reviews import REVIEWED_ACTION, due_counts


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("due-for-review/", views.DueForReviewView.as_view(), name="due_for_review"),
        path(
            "due-for-review/results/",
            views.DueForReviewView.as_view(results_only=True),
            name="due_for_review_results",
        ),
        path(
            "reviewed/<str:app_label>/<str:model_name>/<int:pk>/",
            views.reviewed,
            name="reviewed",
        ),
    ]
    return [path("governance/", include((urls, "governance"), namespace="governance"))]


@hooks.register("register_reports_menu_item")
def register_due_for_review_menu_item():
    return MenuItem(
        "Due for review",
        reverse("governance:due_for_review"),
        name="due-for-review",
        icon_name="date",
        order=1050,
    )


class DueForReviewPanel(Component):
    name = "due_for_review"
    template_name = "governance/due_for_review_panel.html"
    order = 150

    def get_context_data(self, parent_context):
        return {**due_counts(), "days": DUE_SOON_DAYS}


@hooks.register("construct_homepage_panels")
def add_due_for_review_panel(request, panels):
    panels.append(DueForReviewPanel())


@hooks.register("register_log_actions")
def register_review_log_action(actions):
    actions.register_action(
        REVIEWED_ACTION, "Reviewed, no change", "Reviewed with no change: review date moved on"
    )


# Signing off (governance/sign_off.py) --------------------------------------------------------


@hooks.register("construct_homepage_panels")
def name_the_dashboards_approvals_as_the_footers(request, panels):
    panels[:] = [
        sign_off.ObjectsToSignOffPanel() if type(panel) is WorkflowObjectsToModeratePanel else panel
        for panel in panels
    ]


@hooks.register("construct_page_action_menu")
def offer_a_pages_approval_alone(menu_items, request, context):
    if page := context.get("page"):
        sign_off.offer_the_approval_alone(
            menu_items, action_menu.WorkflowMenuItem, action_menu.PublishMenuItem, page
        )


@hooks.register("construct_snippet_action_menu")
def offer_a_snippets_approval_alone(menu_items, request, context):
    if instance := context.get("instance"):
        sign_off.offer_the_approval_alone(
            menu_items,
            snippet_action_menu.WorkflowMenuItem,
            snippet_action_menu.PublishMenuItem,
            instance,
        )


@hooks.register("after_edit_page")
def say_what_approving_a_page_did(request, page):
    sign_off.say_what_approving_did(request, page, sign_off.page_updated_message(page))
