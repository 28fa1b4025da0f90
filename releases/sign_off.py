"""Signing off an item of a release approves it without publishing it: it goes live
with its release.

Wagtail publishes what a workflow approves as the workflow finishes
(WAGTAIL_FINISH_WORKFLOW_ACTION, set to `publish_unless_in_a_release` in
cms/settings/base.py); a page or snippet in a release not yet published is left
approved and unpublished instead, and its release checks the approval
(releases/models.py: `is_signed_off`).
"""

from wagtail.workflows import publish_workflow_state


def publish_unless_in_a_release(workflow_state, user=None):
    # Imported here: Wagtail imports this module as it defines its own models.
    from .models import open_items_of

    if open_items_of(workflow_state.content_object).exists():
        return
    publish_workflow_state(workflow_state, user=user)
