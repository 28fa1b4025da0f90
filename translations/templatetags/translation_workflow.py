from django import template
from django.contrib.admin.utils import quote
from django.urls import reverse
from wagtail.admin.ui.side_panels import StatusSidePanel
from wagtail.models import Page

from translations import sign_off
from translations.outdated import page_is_outdated

register = template.Library()


@register.inclusion_tag("translations/sign_off_bar.html", takes_context=True)
def translation_sign_off_bar(context, instance):
    """Above wagtail-localize's editor of a translation (a page or a signed-off snippet):
    whether it is out of date (pages), where it is in sign-off, and "Submit for sign-off"
    for those who may submit it."""
    request = context["request"]
    return {
        "outdated": isinstance(instance, Page) and page_is_outdated(instance),
        "state": instance.current_workflow_state,
        "may_submit": sign_off.may_submit(request.user, instance),
        "submit": sign_off.SUBMIT,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def is_signed_off(instance):
    return sign_off.is_signed_off(instance)


class SnippetTranslationStatusSidePanel(StatusSidePanel):
    """wagtail-localize's status panel of a snippet's translation, with the links its
    workflow status shows ("See full history", "Compare with ..."): wagtail-localize makes
    a plain StatusSidePanel, without them, and a snippet translation in sign-off could not
    be opened (NoReverseMatch); Wagtail's own SnippetStatusSidePanel takes them from its
    edit view."""

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        viewset = self.object.snippet_viewset
        context["workflow_history_url"] = reverse(
            viewset.get_url_name("workflow_history"), args=[quote(self.object.pk)]
        )
        context["revisions_compare_url_name"] = viewset.get_url_name("revisions_compare")
        return context


@register.filter
def with_snippet_workflow_links(side_panels):
    """wagtail-localize's side panels, a snippet's status panel given its workflow links."""
    return [
        SnippetTranslationStatusSidePanel(
            panel.object,
            panel.request,
            locale=panel.locale,
            translations=panel.translations,
            usage_url=panel.usage_url,
            last_updated_info=panel.last_updated_info,
        )
        if type(panel) is StatusSidePanel and hasattr(panel.object, "snippet_viewset")
        else panel
        for panel in side_panels
    ]
