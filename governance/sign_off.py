"""Signing off, in the words of what it does.

Wagtail offers a moderator the approval as "Approve" on the dashboard and as "Approve and
Publish" in the editor's footer, with a plain "Publish" beside it (which publishes without
signing off, and cancels the workflow); once approved, it says only "Page '…' has been
updated.". Here the approval has one name in both places, "Approve and publish" (while it
is the last task, so that approving publishes), the footer offers no plain Publish while
the approval is there, and the moderator is told what approving did: published, and where
it is live. governance/wagtail_hooks.py applies these to pages; the snippets' viewsets
(home/wagtail_hooks.py) use SignOffSnippetEditView.
"""

from django.contrib import messages as django_messages
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from wagtail.admin import messages
from wagtail.admin.utils import get_latest_str
from wagtail.admin.views.home import WorkflowObjectsToModeratePanel
from wagtail.models import Page
from wagtail.snippets.views.snippets import EditView

APPROVE = "approve"


def approval_label(with_comment, publishes):
    label = "Approve and publish" if publishes else "Approve"
    return f"{label}, with a comment" if with_comment else label


def offer_the_approval_alone(menu_items, workflow_item_class, publish_item_class, obj):
    """A `construct_page_action_menu` / `construct_snippet_action_menu` hook's work: the
    footer's approvals named as on the dashboard, and no plain Publish beside them."""
    approvals = [
        item
        for item in menu_items
        if isinstance(item, workflow_item_class) and item.name == APPROVE
    ]
    if not approvals:
        return
    publishes = obj.current_workflow_state.is_at_final_task
    for item in approvals:
        item.label = approval_label(item.launch_modal, publishes)
    menu_items[:] = [item for item in menu_items if not isinstance(item, publish_item_class)]


class ObjectsToSignOffPanel(WorkflowObjectsToModeratePanel):
    """The dashboard's "Awaiting your review", its approvals named as in the footer."""

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        for state in context["states"]:
            publishes = state["task_state"].workflow_state.is_at_final_task
            state["actions"] = [
                (name, approval_label(modal, publishes) if name == APPROVE else label, modal)
                for name, label, modal in state["actions"]
            ]
        return context


def what_approving_did(obj):
    """What approving `obj` has just done, in a sentence (with a "View live" button for a
    page), or None if it did not end the workflow (another task follows)."""
    obj = type(obj)._default_manager.select_related("latest_revision").get(pk=obj.pk)
    if obj.workflow_in_progress:
        return None
    name = (
        f"Page '{obj.get_admin_display_title()}'"
        if isinstance(obj, Page)
        else f"{capfirst(obj._meta.verbose_name)} '{get_latest_str(obj)}'"
    )
    go_live_at = obj.latest_revision.approved_go_live_at
    if go_live_at:
        when = date_format(timezone.localtime(go_live_at), "DATETIME_FORMAT")
        return f"{name} approved: it will be published on {when}.", []
    if obj.latest_revision_id != obj.live_revision_id:
        # Approved and left unpublished: it is in a release (releases/sign_off.py).
        return f"{name} approved: it will be published with its release.", []
    url = obj.full_url if isinstance(obj, Page) else None
    if not url:
        return f"{name} approved and published.", []
    return (
        f"{name} approved and published: it is live at {url}",
        [messages.button(url, gettext("View live"))],
    )


def say_what_approving_did(request, obj, wagtails_message):
    """In place of `wagtails_message`, as the view added it, what approving `obj` did."""
    if request.POST.get("workflow-action-name") != APPROVE:
        return
    said = what_approving_did(obj)
    if said is None:
        return
    text, buttons = said
    # Reading the messages takes them all: each but Wagtail's is added again.
    for message in list(django_messages.get_messages(request)):
        if message.message != wagtails_message:
            django_messages.add_message(
                request, message.level, message.message, extra_tags=message.extra_tags
            )
    messages.success(request, text, buttons=buttons)


def page_updated_message(page):
    """The message Wagtail's page editor adds after a workflow action."""
    return messages.render(
        gettext("Page '%(page_title)s' has been updated.")
        % {"page_title": page.get_admin_display_title()},
        None,
    )


class SignOffSnippetEditView(EditView):
    """A snippet's editor, saying what approving did in place of "… updated."."""

    def get_success_message(self, instance=None):
        if self.action == "workflow-action" and self.workflow_action == APPROVE:
            said = what_approving_did(instance or self.object)
            if said is not None:
                return said[0]
        return super().get_success_message(instance)
