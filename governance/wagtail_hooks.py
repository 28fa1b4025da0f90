from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from . import views
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
